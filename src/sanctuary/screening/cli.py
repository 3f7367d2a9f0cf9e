"""`sanctuary screen` (purpose screening) and `sanctuary documents classify` (document classification)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer
from rich.console import Console
from rich.table import Table

from sanctuary.screening.purpose import PurposeScreen, screen

if TYPE_CHECKING:
    from sanctuary.screening.documents import DocumentClass

documents = typer.Typer(no_args_is_help=True, help="Classify documents: ICE administrative forms versus judicial warrants.")
_out = Console()
_err = Console(stderr=True)


def _fail(field: str, reason: str) -> None:
    _err.print(f"[red]error[/red]: {field}: {reason}")
    raise typer.Exit(2)


def _screen_lines(source: TextIO, explain: bool = False) -> None:
    write = sys.stdout.write
    for line in source:
        text = line.rstrip("\r\n")
        result = screen(text)
        write(json.dumps({"text": text, **(result.explain() if explain else result.to_dict())}, ensure_ascii=False) + "\n")


def _show_screen(text: str, result: PurposeScreen, explain: bool = False) -> None:
    colour = {"civil_immigration": "red", "needs_review": "magenta", "vague": "yellow"}.get(result.category, "green")
    _out.print(f"[bold {colour}]{result.category}[/]  score {result.score:.2f}  agencies: {', '.join(result.agencies) or '-'}")
    if explain:
        _out.print(f"normalised: {result.normalized!r}", markup=False)
    evidence = result.evidence + (tuple(s for s in result.signals if s not in result.evidence) if explain else ())
    if evidence:
        table = Table("span", "text", "rule")
        for item in evidence:
            table.add_row(f"{item.start}-{item.end}", repr(item.text)[1:-1], item.rule)
        _out.print(table)
    if explain:
        _out.print(f"why: {result.why}", markup=False)


def screen_command(
    text: Annotated[str | None, typer.Argument(help="The reason to screen.")] = None,
    file: Annotated[
        str | None, typer.Option("--file", "-f", help="One reason a line; '-' reads standard input. Writes one JSON line per line.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Also show the normalised text, what normalisation undid, and why the category won.")
    ] = False,
) -> None:
    """Screen a search or request reason for immigration enforcement, vagueness or a named crime."""
    if (text is None) == (file is None):
        _fail("text", "give either a TEXT argument or --file (not both)")
    if file is not None:
        if file == "-":
            _screen_lines(sys.stdin, explain)
            return
        try:
            with Path(file).open(encoding="utf-8", errors="replace", newline="") as handle:
                _screen_lines(handle, explain)
        except OSError as exc:
            _fail("file", f"cannot read {file}: {exc.strerror or exc}")
        return
    assert text is not None
    result = screen(text)
    if as_json:
        print(json.dumps({"text": text, **(result.explain() if explain else result.to_dict())}, ensure_ascii=False))
    else:
        _show_screen(text, result, explain)


def _show_document(path: Path, result: DocumentClass) -> None:
    verdict = "[bold green]judicial[/]" if result.judicial else "[bold red]not judicial[/]"
    kind = "administrative " if result.administrative else ""
    flags = [name for name in ("criminal", "federal", "detainer") if getattr(result, name)]
    _out.print(f"{path}: {kind}{result.type}, {verdict}" + (f" ({', '.join(flags)})" if flags else ""), soft_wrap=True)
    if result.missing:
        _out.print(f"missing: {', '.join(result.missing)}")
    if result.evidence:
        table = Table("span", "text", "rule")
        for item in result.evidence:
            table.add_row(f"{item.start}-{item.end}", item.text.replace("\n", " "), item.rule)
        _out.print(table)


@documents.command("classify")
def classify_command(
    file: Annotated[Path, typer.Argument(help="A PDF or text file, or a .json declared document.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Classify a document: which form it is, whether it is judicial, and which judicial element is missing."""
    from sanctuary.screening.documents import DocumentError, classify  # here: `sanctuary screen` never needs it

    try:
        result = classify(file)
    except DocumentError as exc:
        _fail(exc.field, exc.reason)
        return
    if as_json:
        print(json.dumps({"file": str(file), **result.to_dict()}, ensure_ascii=False))
    else:
        _show_document(file, result)
