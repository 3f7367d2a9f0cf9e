"""`sanctuary audit ...`: keys, checkpoints, entries, proofs, verification, publication, reveal."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape

from sanctuary.audit.errors import AuditError
from sanctuary.audit.keys import generate
from sanctuary.audit.log import DecisionLog, b64, open_log
from sanctuary.audit.storage import shown
from sanctuary.audit.tiles import publish as publish_tiles

app = typer.Typer(no_args_is_help=True, help="The tamper-evident decision log: checkpoints, proofs, verification.")
out = Console()
err = Console(stderr=True)

LogOpt = Annotated[Optional[str], typer.Option("--log", help="SQLite path or postgresql:// URL (default: $SANCTUARY_LOG).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


@contextmanager
def opened(url: str | None) -> Iterator[DecisionLog]:
    """Open the log; any AuditError ends the command with its field and reason, exit code 2."""
    log = None
    try:
        log = open_log(url, must_exist=True)
        yield log
    except AuditError as exc:
        fail(exc)
    finally:
        if log is not None:
            log.close()


def fail(exc: AuditError) -> None:
    err.print(f"[red]error[/red]: {escape(str(exc))}", soft_wrap=True, highlight=False)
    raise typer.Exit(2)


def show(as_json: bool, data: dict[str, Any], text: Callable[[], None]) -> None:
    if as_json:
        print(json.dumps(data))
    else:
        text()


def which(opened_log: DecisionLog) -> str:
    """The log a command read, as people name it: every command that reads a log says which."""
    return f"log {shown(opened_log.url)}"


def print_hashes(title: str, named: list[tuple[str, bytes]], path: list[bytes]) -> None:
    out.print(title, highlight=False, soft_wrap=True)
    for label, h in [*named, *(("path", h) for h in path)]:
        out.print(f"  {label:<5} {b64(h)}", highlight=False)


@app.command()
def keygen(
    name: Annotated[
        str,
        typer.Argument(
            help="The log's name, the checkpoint origin: the tiles' URL prefix without scheme (e.g. police.example/v1/audit/tiles)."
        ),
    ],
) -> None:
    """Create the log's Ed25519 signing key in the keys folder and print the verifier key."""
    try:
        signer = generate(name)
    except AuditError as exc:
        fail(exc)
    print(signer.vkey)


@app.command()
def checkpoint(
    log: LogOpt = None,
    witnesses: Annotated[
        Optional[Path], typer.Option("--witnesses", help="TOML file of [[witness]] url + vkey: have the checkpoint cosigned.")
    ] = None,
    quorum: Annotated[Optional[int], typer.Option("--quorum", help="Cosignatures required (default: every witness listed).")] = None,
) -> None:
    """Sign the current tree and print the checkpoint (a C2SP signed note); with --witnesses, with
    their cosignature lines, failing (exit 1) short of the quorum."""
    from sanctuary.audit.cosign import Cosigner, read_witnesses

    with opened(log) as opened_log:
        note = opened_log.checkpoint()
        if witnesses is not None:
            listed = read_witnesses(witnesses)
            cosigner = Cosigner(listed, len(listed) if quorum is None else quorum)
            try:
                note = cosigner.cosign(opened_log, note)
            except AuditError as exc:
                if exc.field != "witnesses":
                    raise
                err.print(f"[red]not cosigned[/red]: {escape(exc.reason)}", soft_wrap=True, highlight=False)
                raise typer.Exit(1) from None
            finally:
                cosigner.close()
        err.print(f"{which(opened_log)}: checkpoint of size {opened_log.size()}", highlight=False, soft_wrap=True)
        sys.stdout.write(note)


@app.command()
def entry(index: Annotated[int, typer.Argument(help="0-based entry index.")], log: LogOpt = None) -> None:
    """Print the exact bytes of entry N (canonical JSON), as hashed into the tree."""
    with opened(log) as opened_log:
        sys.stdout.buffer.write(opened_log.entry(index))
        sys.stdout.flush()


@app.command()
def prove(
    index: Annotated[int, typer.Argument(help="0-based entry index.")],
    size: Annotated[Optional[int], typer.Option("--size", help="Tree size (default: current).")] = None,
    log: LogOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Inclusion proof that entry N is in the tree of the given size."""
    with opened(log) as opened_log:
        p = opened_log.prove(index, size)
        name = which(opened_log)
    show(
        as_json,
        {**p.to_json(), "log": shown(opened_log.url)},
        lambda: print_hashes(f"{name}: entry {p.index} in tree of size {p.tree_size}", [("leaf", p.leaf_hash), ("root", p.root)], p.proof),
    )


@app.command()
def consistency(
    size1: Annotated[int, typer.Argument(help="Older tree size.")],
    size2: Annotated[int, typer.Argument(help="Newer tree size.")],
    log: LogOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Consistency proof: the tree of size M is a prefix of the tree of size N."""
    with opened(log) as opened_log:
        c = opened_log.consistency(size1, size2)
    show(as_json, c.to_json(), lambda: print_hashes(f"size {c.size1} -> {c.size2}", [("root1", c.root1), ("root2", c.root2)], c.proof))


@app.command()
def verify(
    full: Annotated[bool, typer.Option("--full", help="Recompute every leaf and node from the entries.")] = False,
    sealed: Annotated[
        bool, typer.Option("--sealed", help="Instead, check every protected record against its entry's seal (needs the HMAC key).")
    ] = False,
    log: LogOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check the signed checkpoints against the tree; exit 1 naming the first bad index on damage
    (exit 2, NOT VERIFIED, when the verifier key is missing: that is no finding about the log)."""
    with opened(log) as opened_log:
        result = opened_log.verify_sealed() if sealed else opened_log.verify(full=full)
        name = which(opened_log)
    where = f" (first bad index {result.first_bad_index})" if result.first_bad_index is not None else ""
    verdict = "[green]OK[/]" if result.ok else "[yellow]NOT VERIFIED[/]" if result.unverified else "[red]DAMAGED[/]"
    show(
        as_json,
        {**result.to_json(), "log": shown(opened_log.url)},
        lambda: (out if result.ok else err).print(
            f"{escape(name)} ({result.size} entries): {verdict}: {escape(result.message)}{where}",
            highlight=False,
            soft_wrap=True,
        ),
    )
    if not result.ok:
        raise typer.Exit(2 if result.unverified else 1)


@app.command()
def publish(directory: Annotated[Path, typer.Argument(help="Output folder, served as-is by any web server.")], log: LogOpt = None) -> None:
    """Sign a checkpoint and write the C2SP tlog-tiles tree (checkpoint, tiles, entry bundles), with
    the partial tiles of every older checkpoint the log signed."""
    with opened(log) as opened_log:
        size, written = publish_tiles(opened_log, directory)
        name = which(opened_log)
    out.print(f"{name}: published size {size} to {directory} ({written} files written)", highlight=False, soft_wrap=True)


@app.command()
def reveal(
    index: Annotated[int, typer.Argument(help="0-based entry index.")],
    keyed: Annotated[bool, typer.Option("--keyed", help="Only the linkable HMAC pseudonyms, no clear text.")] = False,
    log: LogOpt = None,
) -> None:
    """Admin only: the protected record behind entry N (JSON): clear text by field path, what was
    handed out; with --keyed, the pseudonyms that link entries about the same person instead."""
    with opened(log) as opened_log:
        if not opened_log.sealed_ok(index):
            err.print(
                f"[red]warning[/red]: the protected record of entry {index} does not match the seal in its entry (or the entry has none)",
                highlight=False,
            )
        print(json.dumps(opened_log.keyed(index) if keyed else opened_log.reveal(index), sort_keys=True))
