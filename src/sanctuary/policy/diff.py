"""What changes between two versions of the law: the same requests decided under both.

`differences` is the one answer to "what if": `sanctuary policy diff` asks it of a file of full
requests, the What if page of the requests the log describes (their shape, not their personal
content), so the two differ only by their input.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache

from sanctuary.agencies import Registry
from sanctuary.models import Decision, Request
from sanctuary.pipeline import Pipeline, build_pipeline


@dataclass(frozen=True)
class Difference:
    id: str
    summary: str  # kind, requester, on whose behalf
    a: str
    b: str
    clauses: list[str]  # citations on the denying side that the permitting side does not have
    rules: list[str]

    def to_dict(self) -> dict:
        return asdict(self)


def composition(spec: str) -> list[str]:
    """The profiles of `A+B` (one profile: `A`)."""
    return [p for p in spec.split("+") if p]


@lru_cache(maxsize=16)
def _pipeline(spec: str, registry: Registry) -> Pipeline:
    """The pipeline of a composition, as the department's own tools decide: a request's facts and
    documents count (trusted)."""
    return build_pipeline(composition(spec), registry, trusted=True)


def differences(a: str, b: str, lines: list[str], registry: Registry) -> list[Difference]:
    """The requests (JSON, one per line) decided differently under composition `a` than under `b`,
    with the clauses that make the difference. PolicyError if a composition does not load."""
    return diff_decisions(_pipeline(a, registry), _pipeline(b, registry), lines)


def diff_decisions(left: Pipeline, right: Pipeline, lines: list[str]) -> list[Difference]:
    out = []
    for line in lines:
        request, da = left.decide_raw(line)
        _, db = right.decide_raw(line)
        if da.decision == db.decision:
            continue
        deny, permit = (da, db) if da.decision == "deny" else (db, da)
        out.append(
            Difference(
                id=da.id,
                summary=summary(request, da),
                a=da.decision,
                b=db.decision,
                clauses=[c for c in deny.citations if c not in permit.citations],
                rules=[r for r in deny.rules if r not in permit.rules],
            )
        )
    return out


def summary(request: Request | None, decision: Decision) -> str:
    """One line: what kind of request, by whom, for whom."""
    if request is None:
        return "invalid request"
    who = decision.requester or request.requester.agency
    if decision.on_behalf_of:
        who += f" for {', '.join(decision.on_behalf_of)}"
    return f"{request.kind.value} by {who}"
