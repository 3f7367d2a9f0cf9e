"""What changes between two versions of the law: the same requests decided under both."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sanctuary.models import Decision, Request
from sanctuary.pipeline import Pipeline


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
