"""The records store as the pipeline's source of facts about a request's subject.

The 2012 carve-outs are read from what the department holds, never from the request: an active
criminal warrant, a gang-database entry; custody from the bookings. The store does not hold
convictions or the class of pending charges, so those carve-outs are never shown met here (the
restrictive reading). A subject the store cannot find is unknown: no carve-out is met.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from sanctuary.policy.facts import SubjectFacts
from sanctuary.records.searches import parse_search
from sanctuary.records.store import RecordStore


class StoreFacts:
    """A `FactSource` over a records store (opened on demand: `store` is called per lookup)."""

    name = "records store"

    def __init__(self, store: Callable[[], RecordStore]) -> None:
        self.store = store

    def lookup(self, person_id: str | None, name: str | None, dob: str | None) -> SubjectFacts:
        who = {k: v for k, v in (("person_id", person_id), ("name", name), ("dob", dob)) if v}
        try:
            parse_search({"search": "person", **who})
        except ValidationError:
            return SubjectFacts(source=f"{self.name}: no subject identified (person_id, or name and dob)")
        store = self.store()
        people = store.search(parse_search({"search": "person", **who, "limit": 2}))
        if len(people) != 1:  # nobody, or more than one person: unknown, the restrictive reading
            found = "more than one person matches" if people else "subject not found"
            return SubjectFacts(source=f"{self.name}: {found}", several=len(people) > 1)
        key = {"person_id": people[0].record_id}
        warrants = store.search(parse_search({"search": "warrant", **key, "limit": 1}))
        gang = store.search(parse_search({"search": "gang", **key, "limit": 1}))
        bookings = store.search(parse_search({"search": "custody", **key}))
        carveouts = {name for name, hit in (("outstanding_criminal_warrant", warrants), ("gang_member", gang)) if hit}
        return SubjectFacts(
            source=f"{self.name}: subject found (warrants, gang entries, bookings)",
            found=True,
            carveouts=frozenset(carveouts),
            in_custody=any(b.fields.get("in_custody") for b in bookings),
        )
