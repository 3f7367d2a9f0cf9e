"""Command-line options more than one command takes: one definition each (imports Typer only)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

AgenciesOpt = Annotated[Optional[list[Path]], typer.Option("--agencies", help="A department's own registry file (TOML); repeatable.")]
ParamOpt = Annotated[Optional[list[str]], typer.Option("--param", help="Profile parameter PROFILE.NAME=V1,V2 (see `policy show`).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]

# The law in force, for the commands that decide (`decide`, `serve`, `proxy`): a jurisdiction,
# profiles on top, declarations; with neither a jurisdiction nor a profile, the configured default.
JurisdictionOpt = Annotated[
    Optional[str],
    typer.Option("--jurisdiction", "-j", help="The law in force where deployed (default: the configured default, jurisdictions.toml)."),
]
LawProfilesOpt = Annotated[
    Optional[list[str]],
    typer.Option("--profile", "-p", help="Legal profile; repeat to compose (instead of, or on top of, a jurisdiction)."),
]
DeclarationsOpt = Annotated[
    Optional[Path], typer.Option("--declarations", help="625 ILCS 5/2-130 declarations on file (CSV, as scan-partners reads).")
]
LogOpt = Annotated[Optional[str], typer.Option("--log", help="Decision log: SQLite path or postgresql:// URL.")]


def law_in_force(jurisdiction: str | None, profiles: list[str] | None) -> str | None:
    """The jurisdiction a command decides under: the one given; with no profiles either, the
    configured default (sanctuary/policy/jurisdictions.toml); None: the profiles alone."""
    if jurisdiction is not None or profiles:
        return jurisdiction
    from sanctuary.policy.errors import PolicyError
    from sanctuary.policy.jurisdictions import jurisdictions

    try:
        return jurisdictions().default
    except PolicyError as exc:
        Console(stderr=True).print(f"[red]policy error[/red]: {exc}", highlight=False)
        raise typer.Exit(2) from None


def parse_params(values: list[str] | None) -> dict[str, list[str]]:
    """`PROFILE.NAME=V1,V2` options as a mapping; an empty value means the empty list."""
    params: dict[str, list[str]] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or "." not in key:
            Console(stderr=True).print(f"[red]error[/red]: --param: {item!r} is not PROFILE.NAME=VALUE[,VALUE]")
            raise typer.Exit(2)
        params[key] = [v for v in value.split(",") if v]
    return params
