"""Every entry kind the log writes has a versioned JSON Schema in docs/schemas/, and every entry
validates against it; random personal strings placed in any request field never reach an entry."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import pipeline_for
from sanctuary.models import Kind
from sanctuary.recording import FAILURES, FORMAT, REFUSED, REFUSED_FORMAT, build, build_refusal
from strategies import requests

SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "schemas"
KEY = bytes(range(32))
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def schema_for(entry: dict) -> jsonschema_rs.Validator:
    kind = "refused" if entry["kind"] == REFUSED else "decision"
    return jsonschema_rs.validator_for(json.loads((SCHEMAS / f"entry-{kind}.v{entry['v']}.schema.json").read_text()))


def entry_of(raw: dict | str) -> bytes:
    """The public entry the log writes for a request as received (decided, or refused unread)."""
    text = raw if isinstance(raw, str) else json.dumps(raw)
    request, decision = pipeline_for("chicago-2021").decide_raw(text)
    if request is None:
        return build_refusal(text.encode(), decision, KEY, NOW)[0]
    disclosed = [{"record_id": "P0000001", "fields": ["first_name"]}] if decision.decision == "permit" else None
    return build(request, decision, disclosed, KEY, NOW)[0]


def test_every_kind_has_a_schema_and_its_entries_validate() -> None:
    examples = Path(__file__).resolve().parents[1] / "examples" / "requests.jsonl"
    lines = [line for line in examples.read_text().splitlines() if line.strip()]
    lines += ['{"id": "x", "kind": "database_query"', '{"id": "y", "kind": "nope", "requester": {"agency": "FBI"}}']
    seen = set()
    for line in lines:
        entry = json.loads(entry_of(line))
        assert entry["v"] == (REFUSED_FORMAT if entry["kind"] == REFUSED else FORMAT)
        schema_for(entry).validate(entry)
        seen.add(entry["kind"])
    assert seen == {k.value for k in Kind} | {REFUSED}, "every entry kind is exercised"


def test_the_schemas_know_every_failure_code() -> None:
    for kind, version in (("decision", FORMAT), ("refused", REFUSED_FORMAT)):
        schema = json.loads((SCHEMAS / f"entry-{kind}.v{version}.schema.json").read_text())
        failure = schema["$defs"]["failure"] if "$defs" in schema else schema["properties"]["failure"]
        assert set(failure["enum"]) == set(FAILURES)


def test_the_schemas_refuse_what_an_entry_must_not_hold() -> None:
    entry = json.loads(
        entry_of({"id": "s-1", "kind": "database_query", "requester": {"agency": "FBI"}, "purpose": {"category": "criminal"}})
    )
    validator = schema_for(entry)
    assert validator.is_valid(entry)
    for bad in (
        {**entry, "subject": {"name": "Jane Roe"}},
        {**entry, "failure": "database or disk is full"},
        {**entry, "resource": {"fields": ["Jane Roe"], "search": None}},
        {**entry, "request_hmac": "0" * 64},
        {**entry, "not_copied": {"Jane Roe": 1}},
    ):
        assert not validator.is_valid(bad)


SECRETS = st.one_of(
    st.from_regex(r"\A[A-Z][a-z]{3,9} [A-Z][a-z]{3,11}\Z"),
    st.from_regex(r"\A\d{3}-\d{2}-\d{4}\Z"),
    st.from_regex(r"\A19\d\d-[01]\d-[0-3]\d\Z"),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=6, max_size=30).filter(
        lambda s: s.strip() == s
    ),
)
# Where a requester can put a string: every string field of the contract, a new list item, a new key.
PLACES = [
    ("id",),
    ("requester", "agency"),
    ("requester", "officer"),
    ("on_behalf_of",),
    ("purpose", "text"),
    ("purpose", "case_number"),
    ("resource", "system"),
    ("resource", "fields", "+"),
    ("resource", "search", "name"),
    ("resource", "search", "dob"),
    ("resource", "search", "plate"),
    ("resource", "search", "person_id"),
    ("subject", "name"),
    ("subject", "dob"),
    ("subject", "person_id"),
    ("documents", "+", "number"),
    ("documents", "+", "court"),
    ("documents", "+", "signed_by"),
    ("documents", "+", "signer_title"),
    ("documents", "+", "charge"),
    ("documents", "+", "compels"),
    ("documents", "+", "text"),
    ("key",),
    ("resource", "key"),
]


def place(raw: dict, where: tuple[str, ...], value: str) -> dict:
    """`raw` with `value` put at `where` ("+" appends a list item; "key" makes it a field name)."""
    out = copy.deepcopy(raw)
    if where[-1] == "key":
        (out if len(where) == 1 else out.setdefault("resource", {}))[value] = "x"
    elif where[0] == "documents":
        out["documents"] = [*out.get("documents", []), {"type": "judicial_warrant", where[2]: [value] if where[2] == "compels" else value}]
    elif where[-1] == "+":
        out.setdefault("resource", {}).setdefault("fields", []).append(value)
    elif where[:2] == ("resource", "search"):
        out.setdefault("resource", {}).setdefault("search", {"type": "person"})[where[2]] = value
    elif len(where) == 2:
        out.setdefault(where[0], {})[where[1]] = value
    else:
        out[where[0]] = value
    return out


@FAST
@given(raw=requests(), where=st.sampled_from(PLACES), secret=SECRETS)
def test_personal_strings_in_any_field_never_reach_the_public_entry(raw: dict, where: tuple[str, ...], secret: str) -> None:
    baseline = entry_of(place(raw, where, "placeholder-value")).decode()
    assume(secret not in baseline and json.dumps(secret)[1:-1] not in baseline)
    entry = entry_of(place(raw, where, secret))
    text = entry.decode()
    assert secret not in text and json.dumps(secret)[1:-1] not in text
    data = json.loads(entry)
    schema_for(data).validate(data)


@pytest.mark.parametrize("where", PLACES)
def test_a_name_in_each_field_stays_out(where: tuple[str, ...]) -> None:
    raw = {"id": "p-1", "kind": "custody_inquiry", "requester": {"agency": "ICE"}, "resource": {"fields": ["release_date"]}}
    assert b"Maria Lopez" not in entry_of(place(raw, where, "Maria Lopez"))
