"""`sanctuary policy`: the profiles' rules, readable, and what changes between two versions of the law."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from sanctuary.agencies import load_registry
from sanctuary.options import JsonOpt
from sanctuary.policy.diff import Difference, composition, differences
from sanctuary.policy.engine import PolicyEngine
from sanctuary.policy.errors import PolicyError
from sanctuary.policy.profiles import PROFILES, available, baseline_parameters, expand

if TYPE_CHECKING:
    from sanctuary.policy.reading import Report as Reading
    from sanctuary.policy.scenarios import Report

app = typer.Typer(no_args_is_help=True, help="Legal profiles: list, show, diff, compare; new and test a pack.")
out = Console()
err = Console(stderr=True)


@app.command("list")
def list_profiles(as_json: JsonOpt = False) -> None:
    """The profiles this installation ships."""
    profiles = expand(available())
    if as_json:
        print(json.dumps([{"name": p.name, "title": p.title, "in_force": p.in_force, "extends": list(p.extends)} for p in profiles]))
        return
    table = Table("profile", "title", "in force", "extends")
    for p in profiles:
        table.add_row(p.name, p.title, p.in_force, ", ".join(p.extends))
    out.print(table)


@app.command()
def show(
    profile: Annotated[str, typer.Argument(help="Profile name; compose with + (chicago-2021+illinois-trust).")],
    as_json: JsonOpt = False,
) -> None:
    """Every rule of a profile (and what it extends) with its citation, in plain words, and the duties it imposes."""
    from sanctuary.duties.book import DutyBook

    try:
        engine = PolicyEngine.load(composition(profile), load_registry())
        book = DutyBook.for_engine(engine)
    except PolicyError as exc:
        err.print(f"[red]policy error[/red]: {exc}")
        raise typer.Exit(2) from None
    rules = list(engine.rules.values())
    if as_json:
        print(
            json.dumps(
                {
                    "profiles": [
                        {
                            "name": p.name,
                            "title": p.title,
                            "in_force": p.in_force,
                            "sources": list(p.sources),
                            "notes": p.notes,
                            "parameters": {k: sorted(v) for k, v in engine.params.items() if k.startswith(p.name + ".")},
                        }
                        for p in engine.profiles
                    ],
                    "baseline_parameters": {k: sorted(v) for k, v in engine.params.items() if k.startswith("baseline.")},
                    "policy_hash": engine.policy_hash,
                    "rules": [r.__dict__ for r in rules],
                    "duties": [d.__dict__ for d in book.duties],
                    "reports": [
                        {**r.__dict__, "missing": list(r.missing), "staff_columns": list(r.staff_columns)} for r in book.reports.values()
                    ],
                }
            )
        )
        return
    out.print("[bold]baseline[/bold] — the department's own (docs/law/README.md)")
    for key, spec in baseline_parameters().items():
        out.print(f"  parameter baseline.{key} = {sorted(engine.params[f'baseline.{key}'])}: {spec.doc}")
    for p in engine.profiles:
        out.print(f"[bold]{p.name}[/bold] — {p.title} ({p.in_force})")
        for src in p.sources:
            out.print(f"  [dim]source: {src}[/dim]")
        for key, spec in p.parameters.items():
            value = sorted(engine.params[f"{p.name}.{key}"])
            out.print(f"  parameter {p.name}.{key} = {value or '[]'}: {spec.doc}")
    table = Table("effect", "citation", "in plain words", show_lines=True)
    table.add_column("rule", overflow="fold")
    for r in rules:
        table.add_row(r.effect, r.citation, r.explain, r.id)
    out.print(table)
    for d in book.duties:
        deadline = f"within {d.within_days} day(s)" if d.within_days is not None else d.by
        out.print(f"duty [bold]{d.id}[/bold] ({d.citation}), {deadline}, to {d.to}: {d.title}")
    for report in book.reports.values():
        out.print(f"report [bold]{report.kind}[/bold] ({report.citation}), each {report.period}, to {report.to}: {report.title}")
    out.print(f"[dim]policy set sha256 {engine.policy_hash}[/dim]")


@app.command()
def diff(
    a: Annotated[str, typer.Argument(help="Profile (or A+B composition) to compare from.")],
    b: Annotated[str, typer.Argument(help="Profile (or composition) to compare to.")],
    file: Annotated[Path, typer.Argument(help="JSONL requests.")],
    as_json: JsonOpt = False,
) -> None:
    """The requests whose decision differs between two profiles, and the clause that makes the difference."""
    if not file.is_file():
        err.print(f"[red]error[/red]: file: {file} does not exist")
        raise typer.Exit(2)
    lines = [line for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
    try:
        found = differences(a, b, lines, load_registry())
    except PolicyError as exc:
        err.print(f"[red]policy error[/red]: {exc}")
        raise typer.Exit(2) from None
    if as_json:
        print(json.dumps({"a": a, "b": b, "requests": len(lines), "differences": [d.to_dict() for d in found]}))
        return
    _print_diff(a, b, len(lines), found)


def _print_diff(a: str, b: str, total: int, differences: list[Difference]) -> None:
    table = Table(title=f"{a} → {b}: {len(differences)} of {total} requests decided differently", show_lines=True)
    for col in ("request", a, b, "the clause that makes the difference"):
        table.add_column(col)
    for d in differences:
        paint = lambda x: f"[{'green' if x == 'permit' else 'red'}]{x}[/]"  # noqa: E731
        table.add_row(f"{d.id}\n[dim]{d.summary}[/dim]", paint(d.a), paint(d.b), "\n".join(d.clauses))
    out.print(table)
    if not differences:
        sys.stdout.write("no differences\n")


@app.command()
def compare(
    file: Annotated[Path, typer.Argument(help="JSONL requests.")],
    jurisdiction: Annotated[list[str], typer.Option("--jurisdiction", "-j", help="A jurisdiction (jurisdictions.toml); repeat.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
    only_differences: Annotated[bool, typer.Option("--differences", help="Show only requests decided differently.")] = False,
) -> None:
    """The same requests decided under each jurisdiction: decision and clause per cell, differences first."""
    from sanctuary.policy.compare import compare as run

    if not file.is_file():
        err.print(f"[red]error[/red]: file: {file} does not exist")
        raise typer.Exit(2)
    lines = [line for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
    try:
        matrix = run(jurisdiction, lines)
    except PolicyError as exc:
        err.print(f"[red]policy error[/red]: {exc}")
        raise typer.Exit(2) from None
    for column in matrix.columns:
        if column.error:
            err.print(f"[red]policy error[/red]: {column.name}: {column.error} — every request is denied in its column")
    if as_json:
        print(json.dumps(matrix.to_dict()))
        return
    table = Table(title=f"{matrix.differences} of {len(matrix.rows)} requests decided differently", show_lines=True)
    table.add_column("request")
    for column in matrix.columns:
        profiles = " + ".join(column.profiles)
        table.add_column(column.name if profiles == column.name else f"{column.name}\n[dim]{profiles}[/dim]")
    for row in matrix.rows:
        if only_differences and not row.differs:
            continue
        cells = []
        for cell in row.cells:
            colour = "green" if cell.decision == "permit" else "red"
            withheld = f"\n[dim]{len(cell.redact)} data categories withheld[/dim]" if cell.redact else ""
            cells.append(f"[{colour}]{cell.decision}[/{colour}]\n" + "\n".join(cell.citations) + withheld)
        marker = "[bold]≠[/bold] " if row.differs else ""
        table.add_row(f"{marker}{row.id}\n[dim]{row.summary}[/dim]", *cells)
    out.print(table)


@app.command("new")
def new_pack(
    name: Annotated[str, typer.Argument(help="The pack's name, e.g. evanston-2026.")],
    title: Annotated[str, typer.Option("--title", help="The law's title.")] = "",
    root: Annotated[Path, typer.Option("--root", help="Profiles folder.")] = PROFILES,
    docs: Annotated[Path, typer.Option("--docs", help="Folder for the docs/law page.")] = Path("docs/law"),
) -> None:
    """Scaffold a pack: profile.toml, a rule with every annotation, a scenario table, a docs/law page."""
    from sanctuary.policy.scaffold import scaffold

    try:
        written = scaffold(name, title, root, docs)
    except PolicyError as exc:
        err.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(2) from None
    for path in written:
        out.print(f"wrote {path}")
    out.print(f"next: edit them, then [bold]sanctuary policy test {name}[/bold]")


@app.command("test")
def test_pack(
    name: Annotated[str, typer.Argument(help="The pack, profile or jurisdiction to test.")],
    root: Annotated[Path, typer.Option("--root", help="Profiles folder.")] = PROFILES,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Run a pack's scenario table (every rule shown deciding and not deciding) and the independent
    reading of the same name (policy/readings/NAME.toml: where the rules and the reading disagree).
    Exit 1 if either is not ok."""
    from sanctuary.policy import reading
    from sanctuary.policy.scenarios import FILENAME, run

    registry = load_registry()
    has_pack = (root / name / FILENAME).is_file()
    readings = reading.tables_for(name)
    if not (has_pack or readings):
        err.print(f"[red]policy error[/red]: {name}: no scenario table in {root / name} and no reading policy/readings/{name}.toml")
        raise typer.Exit(2)
    try:
        report = run(name, registry, root) if has_pack else None
        read = [reading.run(t, registry) for t in readings]
    except PolicyError as exc:
        err.print(f"[red]policy error[/red]: {exc}")
        raise typer.Exit(2) from None
    ok = (report is None or report.ok) and all(r.ok for r in read)
    if as_json:
        pack = report.to_dict() if report else {"profile": name}
        print(json.dumps({**pack, "ok": ok, "readings": [r.to_dict() for r in read]}))
    else:
        if report is not None:
            _print_pack(name, report)
        for r in read:
            _print_reading(r)
    if not ok:
        raise typer.Exit(1)


def _print_pack(name: str, report: Report) -> None:
    passed = len(report.results) - len(report.failed)
    out.print(f"[bold]{name}[/bold]: {passed} of {len(report.results)} scenarios pass; {len(report.rules)} rule(s)")
    for r in report.failed:
        out.print(f"  [red]✗[/red] #{r.scenario.number} {r.scenario.name}")
        for problem in r.problems:
            out.print(f"      {problem}")
    for rule in report.never_fired:
        out.print(f"  [yellow]not covered[/yellow]: {rule} is never shown deciding (add a scenario where it forbids)")
    for rule in report.never_spared:
        out.print(f"  [yellow]not covered[/yellow]: {rule} is never shown not deciding (add a scenario where it must not)")
    for rule in report.unknown_rules:
        out.print(
            f"  [red]unknown rule[/red]: {rule} is not a forbid rule of {name}, of a pack it extends or of one its scenario is decided with"
        )
    out.print("[green]ok[/green]: every rule shown both ways" if report.ok else "[red]not ok[/red]")


def _print_reading(r: Reading) -> None:
    agree = len(r.outcomes) - len(r.disagreements)
    out.print(
        f"[bold]reading {r.table}[/bold]: {agree} of {len(r.outcomes)} rows agree with the rules; "
        f"{len(r.settled)} settled by a named parameter (policy/readings/parameters/{r.table}.txt); "
        f"{len(r.listed_open)} open (policy/readings/open/{r.table}.txt)"
    )
    for o in r.unlisted:
        out.print(f"  [red]✗[/red] {o.row.id} {o.row.name}")
        for problem in o.problems:
            out.print(f"      {problem}")
    for row_id in r.stale:
        out.print(f"  [yellow]stale[/yellow]: {row_id} is listed open but agrees (or is gone): take it off the list")
    for s in r.unsettled:
        out.print(f"  [red]✗[/red] {s.setting.row} is listed as settled by {s.setting.label()}, but:")
        for problem in s.problems:
            out.print(f"      {problem}")
    out.print("[green]ok[/green]" if r.ok else "[red]not ok[/red]")
