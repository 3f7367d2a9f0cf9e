"""`sanctuary witness ...` and `sanctuary monitor`: what an oversight body runs on its own machines.

Only Typer is imported here; each command imports what it runs, so `sanctuary --help` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape

witness_app = typer.Typer(
    no_args_is_help=True, help="A witness: cosigns a log's checkpoints only if each extends the last (C2SP tlog-witness)."
)
out = Console()
err = Console(stderr=True)


def _fail(exc: Exception, code: int = 2) -> None:
    err.print(f"[red]error[/red]: {escape(str(exc))}", soft_wrap=True, highlight=False)
    raise typer.Exit(code)


@witness_app.command("keygen")
def witness_keygen(
    name: Annotated[str, typer.Argument(help="The witness's name, e.g. ig.example/witness.")],
    directory: Annotated[Path, typer.Option("--dir", help="The witness's folder (key and state).")],
) -> None:
    """Create the witness's Ed25519 cosigning key and print its verifier key (give it to the log and its readers)."""
    from sanctuary.audit.errors import AuditError
    from sanctuary.audit.witness import keygen

    try:
        signer = keygen(name, directory)
    except AuditError as exc:
        _fail(exc)
    print(signer.vkey)


@witness_app.command("serve")
def witness_serve(
    directory: Annotated[Path, typer.Option("--dir", help="The witness's folder (from `witness keygen`).")],
    log_vkey: Annotated[list[str], typer.Option("--log-vkey", help="Verifier key of a log to witness; repeatable.")],
    port: Annotated[int, typer.Option("--port", help="TCP port (0: any free port, printed).")] = 7380,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Serve POST /add-checkpoint: cosign each checkpoint consistent with the last one seen for its log."""
    from sanctuary.audit.errors import AuditError
    from sanctuary.audit.verifier import VerifyError, parse_vkey
    from sanctuary.audit.witness import serve

    try:
        keys = [parse_vkey(v) for v in log_vkey]
    except VerifyError as exc:
        _fail(AuditError("--log-vkey", exc.reason))
    try:
        serve(directory, keys, host, port, lambda url: print(f"witness listening on {url}", flush=True))
    except (AuditError, OSError) as exc:
        _fail(exc)


def monitor(
    url: Annotated[
        str,
        typer.Argument(help="The log's published base URL (serves checkpoint and tile/...), e.g. https://police.example/v1/audit/tiles."),
    ],
    vkey: Annotated[str, typer.Option("--vkey", help="The log's verifier key.")],
    witness: Annotated[Optional[list[str]], typer.Option("--witness", help="A witness's verifier key; repeatable.")] = None,
    quorum: Annotated[Optional[int], typer.Option("--quorum", help="Cosignatures required (default: every --witness).")] = None,
    state: Annotated[Path, typer.Option("--state", help="Where the monitor keeps what it saw between runs.")] = Path("monitor-state.json"),
    webhook: Annotated[Optional[str], typer.Option("--webhook", help="POST each alarm as JSON to this URL.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")] = False,
) -> None:
    """Follow a published log: check the new checkpoint against the last one seen, re-verify new entries.
    Exit 0 if all is well, 1 on an alarm (rollback, fork, bad signature, missing cosignature, bad entry, a size of 2^63 or more), 2 on an error."""
    from sanctuary.audit.monitor import MonitorError, run

    try:
        report = run(url, vkey, witness or [], quorum, state, webhook)
    except MonitorError as exc:
        _fail(exc)
    if as_json:
        print(json.dumps(report.to_json()))
    else:
        (out if report.ok else err).print(
            f"[{'green' if report.ok else 'red'}]{'OK' if report.ok else 'ALARM'}[/]: {escape(report.message)}",
            highlight=False,
            soft_wrap=True,
        )
    if not report.ok:
        raise typer.Exit(1)
