"""`sanctuary policy`: the profiles' rules, readable, and what changes between two versions of the law."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sanctuary.agencies import load_registry
from sanctuary.enforce import Pipeline
from sanctuary.options import JsonOpt
from sanctuary.policy.diff import Difference, diff_decisions
from sanctuary.policy.engine import PolicyEngine
from sanctuary.policy.errors import PolicyError
from sanctuary.policy.profiles import available, expand

app = typer.Typer(no_args_is_help=True, help="Legal profiles: list, show, diff.")
out = Console()
err = Console(stderr=True)


def _composition(spec: str) -> list[str]:
    return [p for p in spec.split("+") if p]


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
    """Every rule of a profile (and what it extends) with its citation, in plain words."""
    try:
        engine = PolicyEngine.load(_composition(profile), load_registry())
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
                    "policy_hash": engine.policy_hash,
                    "rules": [r.__dict__ for r in rules],
                }
            )
        )
        return
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
    out.print(f"[dim]policy set sha256 {engine.policy_hash}[/dim]")


@app.command()
def diff(
    a: Annotated[str, typer.Argument(help="Profile (or A+B composition) to compare from.")],
    b: Annotated[str, typer.Argument(help="Profile (or composition) to compare to.")],
    file: Annotated[Path, typer.Argument(help="JSONL requests.")],
    as_json: JsonOpt = False,
) -> None:
    """The requests whose decision differs between two profiles, and the clause that makes the difference."""
    registry = load_registry()
    try:
        left = Pipeline(PolicyEngine.load(_composition(a), registry), trusted=True)
        right = Pipeline(PolicyEngine.load(_composition(b), registry), trusted=True)
    except PolicyError as exc:
        err.print(f"[red]policy error[/red]: {exc}")
        raise typer.Exit(2) from None
    if not file.is_file():
        err.print(f"[red]error[/red]: file: {file} does not exist")
        raise typer.Exit(2)
    lines = [line for line in file.read_text(encoding="utf-8").splitlines() if line.strip()]
    differences = diff_decisions(left, right, lines)
    if as_json:
        print(json.dumps({"a": a, "b": b, "requests": len(lines), "differences": [d.to_dict() for d in differences]}))
        return
    _print_diff(a, b, len(lines), differences)


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
