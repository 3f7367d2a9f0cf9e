"""The one `sanctuary` command; each capability mounts its own sub-command group here."""

import typer

from sanctuary.retro import cli as retro

app = typer.Typer(no_args_is_help=True, help="Decide, enforce, log and audit outside requests for police data.")

app.command("scan")(retro.scan)
app.command("scan-partners")(retro.scan_partners)


def main() -> None:
    app()
