"""The same requests decided under several jurisdictions, side by side: "what would these requests
have met under California's law?" answered with each cell's decision and clauses.

`compare(jurisdictions, requests)` is the one function the CLI (`sanctuary policy compare`) and the
public `/laws/compare` page call. Requests are decided as the department's own tool decides them
(their statements and documents count), so the difference between two cells is the law's. A
jurisdiction whose policy set does not load denies every request in its column and says why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sanctuary.agencies import Registry, load_registry
from sanctuary.models import Decision
from sanctuary.pipeline import Pipeline, build_pipeline
from sanctuary.policy.diff import summary
from sanctuary.policy.errors import PolicyError
from sanctuary.policy.jurisdictions import jurisdictions as known


@dataclass(frozen=True)
class Column:
    name: str
    title: str
    title_es: str
    home_state: str
    profiles: tuple[str, ...]
    error: str | None = None  # the policy set did not load: every cell of the column is a deny


@dataclass(frozen=True)
class Cell:
    decision: str
    citations: list[str]
    rules: list[str]
    redact: list[str]
    explanation: str
    error: str | None = None

    @classmethod
    def of(cls, d: Decision) -> Cell:
        return cls(d.decision, list(d.citations), list(d.rules), list(d.redact), d.explanation, d.error)


@dataclass(frozen=True)
class Row:
    id: str
    summary: str
    cells: list[Cell]  # one per column, in column order

    @property
    def differs(self) -> bool:
        return len({c.decision for c in self.cells}) > 1


@dataclass
class Matrix:
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)  # differences first, then in input order

    @property
    def differences(self) -> int:
        return sum(r.differs for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "jurisdictions": [c.__dict__ | {"profiles": list(c.profiles)} for c in self.columns],
            "requests": len(self.rows),
            "differences": self.differences,
            "rows": [
                {
                    "id": r.id,
                    "summary": r.summary,
                    "differs": r.differs,
                    "cells": {c.name: cell.__dict__ for c, cell in zip(self.columns, r.cells)},
                }
                for r in self.rows
            ],
        }


def compare(names: Iterable[str], requests: Iterable[str | bytes | dict], registry: Registry | None = None) -> Matrix:
    """Decide every request under every named jurisdiction; rows whose decisions differ come first."""
    registry = registry or load_registry()
    places = known()
    columns: list[Column] = []
    pipelines: list[Pipeline | None] = []
    for name in dict.fromkeys(names):
        place = places.get(name)  # an unknown name is the caller's error: PolicyError names it
        try:
            pipelines.append(build_pipeline([], registry, jurisdiction=name, trusted=True))
            error = None
        except PolicyError as exc:
            pipelines.append(None)
            error = str(exc)
        columns.append(Column(place.name, place.title, place.title_es, place.home_state, place.profiles, error))
    if not columns:
        raise PolicyError("jurisdiction", "name at least one jurisdiction to compare")
    rows = []
    for raw in requests:
        cells, request, first = [], None, None
        for column, pipeline in zip(columns, pipelines):
            if pipeline is None:
                cells.append(Cell("deny", ["Fail closed: the policy set did not load"], [], [], f"Denied: {column.error}.", column.error))
                continue
            parsed, decision = pipeline.decide_raw(raw)
            request, first = request or parsed, first or decision
            cells.append(Cell.of(decision))
        rid = first.id if first else "?"
        rows.append(Row(rid, summary(request, first) if first else "not decided", cells))
    rows.sort(key=lambda r: not r.differs)  # stable: input order within each group
    return Matrix(columns, rows)
