"""/laws/compare: everyday requests decided under each jurisdiction, side by side.

The requests are in `compare.toml` (each named in the reader's languages); the deciding is
`sanctuary.policy.compare.compare`, the function `sanctuary policy compare` prints, so the page and
the command agree. Each cell's plain words are the deciding rules' own annotations.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sanctuary.agencies import Registry
from sanctuary.policy.compare import Matrix, compare
from sanctuary.policy.engine import PolicyEngine, Rule
from sanctuary.policy.errors import PolicyError

REQUESTS = Path(__file__).parent / "compare.toml"


@dataclass(frozen=True)
class Example:
    id: str
    name: str
    name_es: str


@cache
def examples() -> tuple[tuple[Example, ...], tuple[str, ...]]:
    """The example requests (their names) and their bodies, as JSON, in file order."""
    data = tomllib.loads(REQUESTS.read_text(encoding="utf-8"))["request"]
    return tuple(Example(r["body"]["id"], r["name"], r["name_es"]) for r in data), tuple(json.dumps(r["body"]) for r in data)


@cache
def matrix(names: tuple[str, ...], registry: Registry) -> Matrix:
    """The examples decided under each named jurisdiction (PolicyError names an unknown one)."""
    return compare(names, examples()[1], registry)


@cache
def rules(name: str, registry: Registry) -> dict[str, Rule]:
    """The rules in force in a jurisdiction, by id (none when its policy set does not load)."""
    try:
        return dict(PolicyEngine.for_jurisdiction(name, registry).rules)
    except PolicyError:
        return {}
