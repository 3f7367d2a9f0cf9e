"""Field projection and the disclosure manifest: what leaves the store, field by field.

``redact`` removes fields by name, either plainly (``immigration_status``: from every record) or
qualified by record kind (``person.place_of_birth``: from person records only); the gateway uses it
to show only the custody topics asked. What a decision withholds is data categories, removed by the
egress check (``sanctuary.egress.check``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from sanctuary.records.store import Record


class Disclosed(TypedDict):
    record_id: str
    fields: list[str]


def redact(records: Iterable[Record], fields: Iterable[str]) -> list[Record]:
    """Copies of ``records`` without the named fields."""
    names = set(fields)
    return [
        Record(
            record_id=record.record_id,
            kind=record.kind,
            fields={key: value for key, value in record.fields.items() if key not in names and f"{record.kind}.{key}" not in names},
        )
        for record in records
    ]


def disclosed(records: Iterable[Record]) -> list[Disclosed]:
    """The manifest the decision log keeps: each record id handed out and its field names, sorted."""
    return [{"record_id": r.record_id, "fields": sorted(r.fields)} for r in records]
