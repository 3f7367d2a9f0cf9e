"""The egress check: what leaves the department is checked by data category, on every route.

Rules forbid the *disclosure* of a data category (policy/categories.toml); a decision's `redact`
lists the leaf categories the acting agencies may not receive. After the query and before the
answer, `check` removes every field whose category is withheld, and every field that maps to no
category at all (a field nobody classified does not leave). The gateway uses it; any other route
(a proxy in front of a department system) uses it with its own field map.

`asked_categories` says what a request asks for, before anything is fetched: the categories its
search or topics are about, beyond the identity the requester supplied. A request whose every asked
category is withheld is denied (the pipeline), so the same question gets the same answer whether
it comes as a custody inquiry or as a database search.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any

from sanctuary.models import Request
from sanctuary.policy.categories import SEARCHES, store_field_map, vocabulary
from sanctuary.policy.facts import WARRANT_TOPIC, custody_topics, direct_access

if TYPE_CHECKING:  # the records store (SQLAlchemy, Alembic) is not needed to decide
    from sanctuary.records.store import Record

# What each custody-inquiry topic may show of a booking; contact_information is a contact search.
CUSTODY_FIELDS = {
    "custody_status": frozenset({"person_id", "arrested_at", "in_custody", "facility"}),
    "release_date": frozenset({"person_id", "in_custody", "release_date"}),
}
# The identity a requester supplies in a person-keyed search, by the category it is.
SUPPLIED = {"person_id": "record_number", "name": "person_name", "dob": "date_of_birth"}

FieldMap = Mapping[tuple[str, str], str]


@dataclass(frozen=True)
class Egress:
    """What a check let out, and how many fields it removed: withheld, or of no category."""

    records: list[Record]
    withheld: int = 0
    unmapped: int = 0


def check(records: Iterable[Record], withheld: Iterable[str], field_map: FieldMap | None = None) -> Egress:
    """Copies of `records` without the fields whose category is withheld or unknown."""
    fmap = store_field_map() if field_map is None else field_map
    barred = frozenset(withheld)
    out: list[Record] = []
    removed = unmapped = 0
    for record in records:
        kept, gone, unknown = check_fields(record.kind, record.fields, barred, fmap)
        out.append(replace(record, fields=kept))
        removed += gone
        unmapped += unknown
    return Egress(out, removed, unmapped)


def check_fields(kind: str, fields: Mapping[str, Any], withheld: frozenset[str], field_map: FieldMap) -> tuple[dict[str, Any], int, int]:
    """One row of any route (a record kind and its fields): the fields that may leave, and how many
    were removed as withheld and as of no category."""
    kept: dict[str, Any] = {}
    removed = unmapped = 0
    for name, value in fields.items():
        category = field_map.get((kind, name))
        if category is None:
            unmapped += 1
        elif category in withheld:
            removed += 1
        else:
            kept[name] = value
    return kept, removed, unmapped


def _about(search: str, keep: frozenset[str] | None, fmap: FieldMap) -> set[str]:
    """The categories of what `search` returns (its `keep` fields only, if given) in its groups."""
    kind, topics, vocab = SEARCHES[search].record_kind, SEARCHES[search].about, vocabulary()
    return {
        category
        for (k, name), category in fmap.items()
        if k == kind and (keep is None or name in keep) and vocab.categories[category].group in topics
    }


def asked_categories(request: Request, field_map: FieldMap | None = None) -> frozenset[str]:
    """The leaf categories a data request asks for; every leaf when it names no search (a system
    may return anything), and for an agreement giving direct access (`policy.facts.direct_access`);
    none for a request that is not for data."""
    kind = request.kind.value
    search = request.resource.search
    shape: tuple[str, tuple[str, ...]] | None
    if kind == "database_query":
        shape = (search.type, tuple(k for k in SUPPLIED if getattr(search, k, None))) if search is not None else None
    elif kind == "custody_inquiry":
        shape = ("topics", tuple(sorted(custody_topics(request.resource.fields))))
    elif direct_access(request):  # a standing query of a system, which may return anything
        return frozenset(vocabulary().categories)
    else:
        return frozenset()
    if kind == "database_query" and request.resource.fields:
        # The record fields wanted (docs/requests.md): what the query asks is the categories they
        # name, beyond the identity the requester supplied, when every one names a category (a name
        # that names none leaves what it asks unknown: the query asks what its search returns).
        fields = tuple(request.resource.fields)
        named = _named_in_store(fields) if field_map is None else _named(fields, field_map)
        if named is not None:
            return named - {SUPPLIED[k] for k in (shape[1] if shape else ())}
    if field_map is None:
        return _asked_in_store(kind, shape)
    return _asked(kind, shape, field_map)


def public_categories(request: Request) -> frozenset[str]:
    """The leaf categories the fields named in `resource.publicly_available_fields` hold; none when a
    name names no category (what it holds is unknown: nothing is read as public)."""
    fields = tuple(request.resource.publicly_available_fields)
    return (_named_in_store(fields) or frozenset()) if fields else frozenset()


def _named(fields: Iterable[str], fmap: FieldMap) -> frozenset[str] | None:
    """The leaf categories field names name: a category or group of the vocabulary or a category's
    word, or a field of the field map (by its category); None when a name is none of these."""
    vocab = vocabulary()
    by_field: dict[str, set[str]] = {}
    for (_, name), category in fmap.items():
        by_field.setdefault(name, set()).add(category)
    named: set[str] = set()
    for name in fields:
        leaves = vocab.named(name) or by_field.get(name)
        if not leaves:
            return None
        named |= leaves
    return frozenset(named)


@cache
def _named_in_store(fields: tuple[str, ...]) -> frozenset[str] | None:
    return _named(fields, store_field_map())


@cache
def _asked_in_store(kind: str, shape: tuple[str, tuple[str, ...]] | None) -> frozenset[str]:
    return _asked(kind, shape, store_field_map())


def _asked(kind: str, shape: tuple[str, tuple[str, ...]] | None, fmap: FieldMap) -> frozenset[str]:
    if shape is None:
        return frozenset(vocabulary().categories)
    if kind == "database_query":
        search_type, supplied = shape
        return frozenset(_about(search_type, None, fmap) - {SUPPLIED[k] for k in supplied})
    topics = set(shape[1])
    asked: set[str] = set()
    for topic in topics & CUSTODY_FIELDS.keys():
        asked |= _about("custody", CUSTODY_FIELDS[topic], fmap)
    if "contact_information" in topics:
        asked |= _about("contact", None, fmap)
    if WARRANT_TOPIC in topics:  # answered in words, from no record of the store
        asked.add("warrant_nature")
    return frozenset(asked)
