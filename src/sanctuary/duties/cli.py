"""`sanctuary duties`: what the law obliges the department to do after a decision, and when.

sanctuary duties due --log var/log.db
sanctuary duties fulfil 42 --method letter --log var/log.db
sanctuary duties report mcc-2-173-069 --period 2026-Q1 --log var/log.db --out reports/
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(no_args_is_help=True, help="Duties decisions trigger (notify, report) and periodic reports, from the decision log.")
out = Console()
err = Console(stderr=True)

LogOpt = Annotated[Optional[str], typer.Option("--log", help="The decision log (SQLite path or postgresql:// URL). Default: configured.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _fail(exc: Exception) -> typer.Exit:
    err.print(f"[red]error[/red]: {exc}")
    return typer.Exit(2)


def _book():
    from sanctuary.duties.book import DutyBook
    from sanctuary.policy.profiles import available

    return DutyBook.for_profiles(available())


def _open(log: str | None):
    from sanctuary.audit import open_log

    return open_log(log, must_exist=True)


@app.command()
def due(
    log: LogOpt = None,
    today: Annotated[Optional[str], typer.Option("--today", help="Judge overdue as of this date (YYYY-MM-DD).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """What is owed and by when: triggered duties not yet fulfilled, and periodic reports not yet filed."""
    from sanctuary.duties.ledger import owed

    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        raise _fail(ValueError(f"--today: {today!r} is not YYYY-MM-DD")) from None
    try:
        decision_log = _open(log)
        items = owed(decision_log, _book(), day)
    except Exception as exc:  # the log cannot be read: say so, list nothing as done
        raise _fail(exc) from None
    from sanctuary.audit.storage import shown

    read = shown(decision_log.url)
    if as_json:
        print(json.dumps([o.to_dict() for o in items]))
        return
    out.print(f"log {read}: {len(items)} duties owed", highlight=False, soft_wrap=True)
    table = Table("due", "duty", "to", "law", "entry")
    for o in items:
        when = f"[red]{o.due} overdue[/red]" if o.overdue else o.due
        what = o.title + (
            f"\n[dim]period {o.period}[/dim]" if o.period else f"\n[dim]{o.requester}, decision entry {o.decision_index}[/dim]"
        )
        table.add_row(when, what, o.to, o.citation, "" if o.index is None else str(o.index))
    out.print(table)


@app.command()
def fulfil(
    index: Annotated[int, typer.Argument(help="The duty's log entry index (see `duties due`).")],
    method: Annotated[str, typer.Option("--method", help="letter | email | phone | in_person | filed | other")] = "letter",
    log: LogOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record that a triggered duty was fulfilled (a log entry of its own)."""
    from sanctuary.duties.ledger import fulfil as record

    try:
        entry = record(_open(log), index, method)
    except Exception as exc:
        raise _fail(exc) from None
    if as_json:
        print(json.dumps({"duty_index": index, "fulfilled_at": entry}))
    else:
        out.print(f"duty at entry {index} fulfilled ({method}); recorded at entry {entry}")


@app.command()
def report(
    kind: Annotated[str, typer.Argument(help="Report kind, e.g. mcc-2-173-069, trust-act-annual, oregon-cjc-monthly.")],
    period: Annotated[str, typer.Option("--period", help="YYYY, YYYY-Qn or YYYY-MM, as the report's period.")],
    log: LogOpt = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for KIND-PERIOD.csv and .html.")] = Path("."),
    record: Annotated[bool, typer.Option("--record", help="Also record in the log that this report was filed.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Write a periodic report from the log (CSV and printable HTML); fields the log lacks are named for staff."""
    from sanctuary.agencies import load_registry
    from sanctuary.duties.book import Period
    from sanctuary.duties.ledger import report_entry
    from sanctuary.duties.report import write

    book = _book()
    if kind not in book.reports:
        raise _fail(ValueError(f"report: unknown kind {kind!r}; one of {', '.join(sorted(book.reports))}"))
    try:
        decision_log = _open(log)
        written = write(book.reports[kind], Period.parse(period), decision_log, load_registry(), out_dir)
        if record:
            decision_log.append(report_entry(kind, period, len(written.rows), written.csv_sha256))
    except Exception as exc:
        raise _fail(exc) from None
    if as_json:
        print(json.dumps(written.to_dict()))
        return
    out.print(f"[bold]{kind}[/bold] {period}: {len(written.rows)} row(s); {written.counts}")
    for m in written.missing:
        out.print(f"  [yellow]staff to fill[/yellow]: {m}")
    for f in written.files:
        out.print(f"  wrote {f}")
