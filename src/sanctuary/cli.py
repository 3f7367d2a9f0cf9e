"""The one `sanctuary` command; each capability mounts its own sub-command group here."""

import typer

from sanctuary.records import cli as records_cli

app = typer.Typer(no_args_is_help=True, help="Decide, enforce, log and audit outside requests for police data.")


app.add_typer(records_cli.app, name="store")
app.command("demo-data")(records_cli.demo_data)


def main() -> None:
    app()
