"""The one `sanctuary` command; each capability mounts its own sub-command group here."""

import typer

from sanctuary.screening import cli as screening

app = typer.Typer(no_args_is_help=True, help="Decide, enforce, log and audit outside requests for police data.")
app.command("screen")(screening.screen_command)
app.add_typer(screening.documents, name="documents")


def main() -> None:
    app()
