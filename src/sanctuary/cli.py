"""The one `sanctuary` command; each capability mounts its own sub-command group here."""

import typer

app = typer.Typer(no_args_is_help=True, help="Decide, enforce, log and audit outside requests for police data.")


def main() -> None:
    app()
