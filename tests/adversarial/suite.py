"""The adversarial suite's data and its judge: cases written from the statutes (cases.jsonl), what each
outcome means, and how a response is searched for data that must not leave.

A case is one request with its expected outcome under each profile set (the jurisdiction `chicago`
and, where meaningful, the historical profiles) and a one-line legal reason that cites docs/law/.
Outcomes:

- ``permit``: the request is granted (and any ``disclosed`` category is in the answer);
- ``deny``: refused outright, not held;
- ``held``: refused until a document is verified (``held.reason == "verification_required"``);
- ``refused``: denied or held;
- ``permit_or_held``: anything but a plain deny (the over-blocking direction);
- ``withheld``: any decision, as long as the ``forbidden`` categories do not leave.

Whatever the outcome, no value of a ``forbidden`` category (a leaf or a group of
src/sanctuary/policy/categories.toml) held for the demo persons may appear anywhere in the body.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from sanctuary.policy.categories import store_field_map, vocabulary
from sanctuary.records import RecordStore, parse_search
from sanctuary.records.demo import DEMO_PERSONS, DEMO_PLATE
from sanctuary.records.searches import PERSON_KEYED

HERE = Path(__file__).parent
CASES_PATH = HERE / "cases.jsonl"
GAPS_PATH = HERE / "known_gaps.json"
# The department's own data for the suite: a partner registry and the 625 ILCS 5/2-130 declarations on file.
AGENCIES = HERE / "agencies.toml"
DECLARATIONS = HERE / "declarations.csv"
OUTCOMES = ("permit", "deny", "held", "refused", "permit_or_held", "withheld")
PROFILE_SETS = {
    "chicago": None,  # the jurisdiction: its profiles come from jurisdictions.toml
    "chicago-2021": ("chicago-2021",),
    "chicago-2012": ("chicago-2012",),
    "chicago-2019-mayoral": ("chicago-2019-mayoral",),
    "chicago-2019-proposed-eo": ("chicago-2019-proposed-eo",),
}
# Values too common to show a leak (a city, a state code): they appear in any answer.
COMMON = frozenset({"Chicago", "Illinois", "IL", "United States"})


@dataclass(frozen=True)
class Case:
    id: str
    attack: str
    request: dict[str, Any]
    expect: dict[str, str]
    reason: str
    forbidden: dict[str, tuple[str, ...]] = field(default_factory=dict)  # profile set or "*" -> categories
    disclosed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    http: bool = False
    same_as: str | None = None
    as_: str = "requester"  # "department": documents and facts are the department's (`sanctuary decide`)

    def body(self) -> dict[str, Any]:
        return {"id": self.id, **self.request}

    def forbidden_in(self, profile_set: str) -> tuple[str, ...]:
        return self.forbidden.get(profile_set, self.forbidden.get("*", ()))

    def disclosed_in(self, profile_set: str) -> tuple[str, ...]:
        return self.disclosed.get(profile_set, self.disclosed.get("*", ()))


def _by_set(value: Any) -> dict[str, tuple[str, ...]]:
    if not value:
        return {}
    if isinstance(value, list):
        return {"*": tuple(value)}
    return {k: tuple(v) for k, v in value.items()}


def load_cases(path: Path = CASES_PATH) -> list[Case]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        cases.append(
            Case(
                id=raw["id"],
                attack=raw["attack"],
                request=raw["request"],
                expect=raw["expect"],
                reason=raw["reason"],
                forbidden=_by_set(raw.get("forbidden")),
                disclosed=_by_set(raw.get("disclosed")),
                http=bool(raw.get("http")),
                same_as=raw.get("same_as"),
                as_=raw.get("as", "requester"),
            )
        )
    return cases


def known_gaps(path: Path = GAPS_PATH) -> dict[str, str]:
    """`case id@profile set` -> the precise code gap that makes the case fail (strict xfail)."""
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def params(cases: Iterable[Case], profile_set: str) -> list[Any]:
    """pytest params for the cases that expect something under `profile_set`, xfail where a gap is known."""
    gaps = known_gaps()
    out = []
    for case in cases:
        if profile_set not in case.expect:
            continue
        gap = gaps.get(f"{case.id}@{profile_set}")
        marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
        out.append(pytest.param(case, id=case.id, marks=marks))
    return out


def leaves(categories: Iterable[str]) -> frozenset[str]:
    vocab = vocabulary()
    return frozenset(leaf for name in categories for leaf in vocab.leaves(name))


class Leaks:
    """The demo store's values by data category, to search an answer for what must not leave."""

    def __init__(self, store: RecordStore) -> None:
        fmap = store_field_map()
        self.values: dict[str, set[str]] = {}
        self.fields: dict[str, set[tuple[str, str]]] = {}
        for (kind, name), leaf in fmap.items():
            self.fields.setdefault(leaf, set()).add((kind, name))
        for query in _demo_searches():
            for record in store.search(parse_search(query)):
                for name, value in record.fields.items():
                    leaf = fmap.get((record.kind, name))
                    text = _text(value)
                    if leaf and text and len(text) >= 5 and text not in COMMON:
                        self.values.setdefault(leaf, set()).add(text)

    def found(self, body_text: str, body: Any, categories: Iterable[str]) -> list[str]:
        """Every forbidden category that shows in the answer: by value anywhere, or by field in a record."""
        hits = []
        wanted = leaves(categories)
        for leaf in sorted(wanted):
            hits += [f"{leaf}={v!r}" for v in sorted(self.values.get(leaf, ())) if v in body_text]
        for kind, name, _ in _record_fields(body):
            if (kind, name) in {f for leaf in wanted for f in self.fields.get(leaf, ())}:
                hits.append(f"{kind}.{name}")
        return hits

    def shown(self, body: Any, categories: Iterable[str]) -> bool:
        """Whether any field of these categories is in the answer's records."""
        wanted = {f for leaf in leaves(categories) for f in self.fields.get(leaf, ())}
        return any((kind, name) in wanted for kind, name, _ in _record_fields(body))


def _demo_searches() -> Iterator[dict[str, Any]]:
    for person in DEMO_PERSONS:
        for kind in sorted(PERSON_KEYED):
            yield {"search": kind, "person_id": person.person_id}
    yield {"search": "plate", "plate": DEMO_PLATE}


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _record_fields(body: Any) -> Iterator[tuple[str, str, Any]]:
    """(kind, field, value) of every record in an answer's result, wherever it sits."""
    result = body.get("result") if isinstance(body, dict) else None
    stack = [result]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("kind"), str) and isinstance(node.get("fields"), dict):
                yield from ((node["kind"], k, v) for k, v in node["fields"].items())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def verdict(expected: str, decision: dict[str, Any]) -> bool:
    """Whether a decision (the `decision` object of an answer) meets an expected outcome."""
    held = (decision.get("held") or {}).get("reason") == "verification_required"
    outcome = decision.get("decision")
    return {
        "permit": outcome == "permit",
        "deny": outcome == "deny" and not decision.get("held"),
        "held": outcome == "deny" and held,
        "refused": outcome == "deny",
        "permit_or_held": outcome == "permit" or held,
        "withheld": outcome in ("permit", "deny"),
    }[expected]


def judge(case: Case, profile_set: str, status: int, body: dict[str, Any], leaks: Leaks) -> list[str]:
    """Everything wrong with one answer to one case under one profile set (empty: it meets the law)."""
    problems = []
    decision = body.get("decision") or {}
    expected = case.expect[profile_set]
    if not verdict(expected, decision):
        problems.append(
            f"expected {expected}, got {decision.get('decision')}"
            f"{' (held)' if decision.get('held') else ''} [{status}]: {decision.get('explanation') or decision.get('error')}"
        )
    if status >= 500:
        problems.append(f"HTTP {status}: a lawful refusal is a 403, not a failure")
    text = json.dumps(body, ensure_ascii=False)
    leaked = leaks.found(text, body, case.forbidden_in(profile_set))
    if leaked:
        problems.append(f"forbidden data left: {', '.join(leaked)}")
    wanted = case.disclosed_in(profile_set)
    if wanted and decision.get("decision") == "permit" and not leaks.shown(body, wanted):
        problems.append(f"over-blocking: none of {', '.join(wanted)} was handed out")
    return problems
