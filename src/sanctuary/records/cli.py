"""`sanctuary store ...` and `sanctuary demo-data`: create, migrate and fill the records store."""

from __future__ import annotations

import json
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from sanctuary.records.demo import DEMO_PERSONS, DEMO_PLATE, fill
from sanctuary.records.errors import RecordsError
from sanctuary.records.store import open_store

app = typer.Typer(no_args_is_help=True, help="The protected records store (SQLite or PostgreSQL).")
console = Console()
err_console = Console(stderr=True)

StoreOption = Annotated[str | None, typer.Option("--store", help="SQLite path or postgresql:// URL [default: $SANCTUARY_STORE]")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _fail(exc: RecordsError, as_json: bool) -> NoReturn:
    if as_json:
        print(json.dumps({"error": {"field": exc.field, "reason": exc.reason}}))
    else:
        err_console.print(f"[red]error[/red] {exc.field}: {exc.reason}")
    raise typer.Exit(2)


def _counts_table(title: str, counts: dict[str, int]) -> Table:
    table = Table(title=title)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in counts.items():
        table.add_row(name, str(count))
    return table


@app.command()
def migrate(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """Create the store if needed and upgrade its schema to the newest revision."""
    try:
        records = open_store(store)
        report: dict[str, Any] = {"store": records.url, "counts": records.counts()}
        records.close()
    except RecordsError as exc:
        _fail(exc, as_json)
    if as_json:
        print(json.dumps(report))
    else:
        console.print(f"store [bold]{report['store']}[/bold] is at the newest schema")
        console.print(_counts_table("rows", report["counts"]))


def demo_data(
    persons: Annotated[int, typer.Option(min=0, help="How many persons to generate after the demo ones.")] = 1000,
    seed: Annotated[int, typer.Option(help="Same seed, same rows.")] = 1,
    replace: Annotated[bool, typer.Option("--replace", help="Empty a store that already holds data.")] = False,
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fill a store with realistic, deterministic demo data (fictional people, real Chicago places)."""
    try:
        records = open_store(store)
        counts = fill(records, persons, seed, replace=replace)
        url = records.url
        records.close()
    except RecordsError as exc:
        _fail(exc, as_json)
    demo = [{"person_id": p.person_id, "name": p.name, "dob": p.dob.isoformat(), "story": p.story} for p in DEMO_PERSONS]
    if as_json:
        print(json.dumps({"store": url, "counts": counts, "demo_persons": demo, "demo_plate": DEMO_PLATE}))
        return
    console.print(f"demo data (seed {seed}) in [bold]{url}[/bold]")
    console.print(_counts_table("rows", counts))
    people = Table(title="well-known demo persons")
    for column in ("person_id", "name", "dob", "story"):
        people.add_column(column)
    for row in demo:
        people.add_row(*row.values())
    console.print(people)
    console.print(f"demo plate: [bold]{DEMO_PLATE}[/bold]")
