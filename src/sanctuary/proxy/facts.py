"""A department system as the pipeline's source of facts about a subject (`FactSource`).

The route map's `[facts]` call (`proxy.routes.FactsCall`) is made for the subject's identity; a
carve-out is met where its JSONPath finds `true` in the answer. As with the records store: a subject
the call cannot name, or the system does not know (404), is unknown — no carve-out is met, the
restrictive reading; a system that fails (an error, no answer in time, an answer that is not JSON)
raises, and the pipeline fails closed. The pipeline asks only when a rule in force reads the
carve-outs.
"""

from __future__ import annotations

from sanctuary.errors import SanctuaryError
from sanctuary.policy.facts import SubjectFacts
from sanctuary.proxy.egress import ShapeError, loads
from sanctuary.proxy.routes import FactsCall
from sanctuary.proxy.upstream import Failed, TimedOut, TooLarge, Upstream

MAX_FACTS = 1024 * 1024  # bytes read from a facts answer


class SystemFacts:
    """A `FactSource` over a department system's facts call."""

    name = "department system (route map [facts])"

    def __init__(self, call: FactsCall, upstream: Upstream) -> None:
        self.call = call
        self.upstream = upstream

    def lookup(self, person_id: str | None, name: str | None, dob: str | None) -> SubjectFacts:
        identity = {k: v for k, v in (("person_id", person_id), ("name", name), ("dob", dob)) if v}
        path = self.call.url_path(identity)
        if path is None:
            return SubjectFacts(source=f"{self.name}: no subject identified ({', '.join(self.call.needs)})")
        try:
            answer = self.upstream.get(path, MAX_FACTS)
        except (Failed, TimedOut, TooLarge) as exc:
            raise SanctuaryError("facts", f"{self.name}: {exc.reason}") from None
        if answer.status == 404:
            return SubjectFacts(source=f"{self.name}: subject not found")
        if answer.status != 200:
            raise SanctuaryError("facts", f"{self.name}: the system answered {answer.status}")
        try:  # as strictly as an answer that leaves: a repeated key must not meet a carve-out
            doc = loads(answer.body)
        except ShapeError as exc:
            raise SanctuaryError("facts", f"{self.name}: {exc.reason}") from None
        met = frozenset(carveout for carveout, where in self.call.carveouts if _true(where.query.find_one(doc)))
        return SubjectFacts(source=f"{self.name}: subject found", found=True, carveouts=met)


def _true(node: object) -> bool:
    return node is not None and getattr(node, "value", None) is True
