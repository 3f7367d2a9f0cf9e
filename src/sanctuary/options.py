"""Command-line options more than one command takes: one definition each (imports Typer only)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

ProfileOpt = Annotated[list[str], typer.Option("--profile", "-p", help="Legal profile; repeat to compose (any forbid wins).")]
AgenciesOpt = Annotated[Optional[list[Path]], typer.Option("--agencies", help="A department's own registry file (TOML); repeatable.")]
ParamOpt = Annotated[Optional[list[str]], typer.Option("--param", help="Profile parameter PROFILE.NAME=V1,V2 (see `policy show`).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
