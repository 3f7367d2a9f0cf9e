"""From a decided request to the records handed out: typed searches, topic projection, egress check.

``plan`` turns a request into typed searches before anything is decided, so a malformed search is a
422 that names the field rather than a store failure after a permit. ``StoreFetch`` is the pipeline's
``fetch`` step: it runs the planned searches and passes what they return through the egress check
(``sanctuary.egress.check``: no field of a withheld category, none of no category); the pipeline
records the disclosure manifest before the gateway releases anything.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from sanctuary import egress
from sanctuary.egress import CUSTODY_FIELDS
from sanctuary.gateway.problems import Problem
from sanctuary.models import Decision, Request, RequestError
from sanctuary.policy.facts import custody_topics, subject_of
from sanctuary.records import Record, RecordStore, disclosed, parse_search, redact
from sanctuary.records.searches import PERSON_KEYED, SEARCH_NAMES, Search


@dataclass(frozen=True)
class Step:
    search: Search
    keep: frozenset[str] | None = None  # None: every field the search returns


def plan(request: Request) -> list[Step]:
    """The searches a request would run if permitted; raises a 422 ``Problem`` naming the bad field."""
    kind = request.kind.value
    if kind == "database_query":
        search = request.resource.search
        if search is None:
            return []
        fields = {k: v for k, v in search.model_dump().items() if v is not None and k != "type"}
        if search.type in PERSON_KEYED:  # the request's one subject (the facts were looked up for the same person)
            fields.update(_subject(request))
        return [Step(_typed({"search": search.type, **fields}, "resource.search"))]
    if kind == "custody_inquiry":
        topics = set(custody_topics(request.resource.fields))
        who = _subject(request)
        if not who:
            raise Problem(422, "subject", "a custody inquiry names its subject: person_id, or name and dob")
        steps = []
        booking_fields = frozenset().union(*(CUSTODY_FIELDS[t] for t in topics if t in CUSTODY_FIELDS))
        if booking_fields:
            steps.append(Step(_typed({"search": "custody", **who}, "subject"), booking_fields))
        if "contact_information" in topics:
            steps.append(Step(_typed({"search": "contact", **who}, "subject")))
        return steps
    return []


def _subject(request: Request) -> dict[str, str]:
    """The request's one subject (`policy.facts.subject_of`); a request naming two people is a 422
    naming both fields, refused and recorded before anything is decided."""
    try:
        who = subject_of(request)
    except RequestError as exc:
        raise Problem(422, exc.field, exc.reason) from None
    return who.as_dict() if who is not None else {}


def _typed(data: dict[str, Any], where: str) -> Search:
    try:
        return parse_search(data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        loc = [str(p) for p in error["loc"][1:]]  # the first element is the search tag
        field = ".".join([where, *loc])
        reason = "unknown field" if error["type"] == "extra_forbidden" else error["msg"]
        if not error["loc"]:
            field, reason = f"{where}.type", f"must be one of {', '.join(SEARCH_NAMES)}"
        raise Problem(422, field, reason) from None


class StoreFetch:
    """The pipeline's fetch step for one request: run its plan against the store, by a deadline."""

    def __init__(self, store: RecordStore, steps: list[Step], deadline: float) -> None:
        self.store = store
        self.steps = steps
        self.deadline = deadline

    def __call__(self, _request: Request, decision: Decision) -> tuple[Any, list[dict[str, Any]]]:
        found: list[Record] = []
        for step in self.steps:
            records = self.store.search(step.search)
            if step.keep is not None:
                records = redact(records, {f for r in records for f in r.fields} - step.keep)
            found += records
        if time.monotonic() > self.deadline:
            raise TimeoutError("the store answered after the request's deadline")
        checked = egress.check(found, decision.redact)
        result = {
            "records": [r.to_json() for r in checked.records],
            "removed": {"withheld": checked.withheld, "unmapped": checked.unmapped},
        }
        return result, [dict(d) for d in disclosed(checked.records)]
