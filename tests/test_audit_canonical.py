"""The fast canonical encoder writes the bytes rfc8785 writes, for every JSON value."""

from __future__ import annotations

import json

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctuary.audit.canonical import canonical, canonical_plain
from sanctuary.models import Decision, RequestError, parse_request
from sanctuary.recording import build
from strategies import requests

EXAMPLES = json.loads(
    '[{"b": 1, "a": [true, false, null], "\\u00e9": "caf\\u00e9\\n\\u0001\\u007f\\u2028 \\"q\\" \\\\", "z": -9007199254740991}]'
)
scalars = st.none() | st.booleans() | st.integers(min_value=-(2**60), max_value=2**60) | st.text() | st.floats(allow_nan=False)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8) | st.sampled_from(["a", "id", "B", "_"]), inner, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=500, deadline=None)
@given(value=values)
def test_canonical_agrees_with_rfc8785(value: object) -> None:
    try:
        expected = rfc8785.dumps(value)
    except Exception as exc:  # a value RFC 8785 refuses (an integer beyond 2^53): refused here too
        with pytest.raises(type(exc)):
            canonical(value)
        return
    assert canonical(value) == expected


def test_control_characters_unicode_and_limits() -> None:
    assert canonical(EXAMPLES) == rfc8785.dumps(EXAMPLES)
    with pytest.raises(Exception):  # noqa: B017 - whatever rfc8785 raises for a lone surrogate
        canonical({"a": "\ud800"})


def test_a_request_dump_holds_no_number_and_no_free_key() -> None:
    """What lets a request's dump skip the walk (`canonical_plain`): the request model has no number
    field and no object with keys of the sender's choosing, so its dump can hold neither a float, an
    integer out of range, nor a key that is not ASCII."""
    from sanctuary.models import Request

    found: list[str] = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("number", "integer"):
                found.append(f"{path}: a number")
            if node.get("additionalProperties") not in (None, False):
                found.append(f"{path}: free keys")
            for key, child in node.items():
                walk(child, f"{path}.{key}")
        elif isinstance(node, list):
            for i, child in enumerate(node):
                walk(child, f"{path}[{i}]")

    walk(Request.model_json_schema(), "Request")
    assert found == []


@settings(max_examples=200, deadline=None)
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["a", "id", "B", "_", "type"]), inner, max_size=4),
        max_leaves=20,
    )
)
def test_canonical_plain_agrees_on_plain_values(value: object) -> None:
    try:
        expected = rfc8785.dumps(value)
    except Exception as exc:  # a lone surrogate: refused here too
        with pytest.raises(type(exc)):
            canonical_plain(value)
        return
    assert canonical_plain(value) == expected


TEXT = st.text(max_size=12)  # any text, lone surrogates and non-ASCII among it


@settings(max_examples=200, deadline=None)
@given(
    raw=requests(), officer=TEXT, case=TEXT, fields=st.lists(TEXT, max_size=3), citation=TEXT, error=TEXT, claims=st.lists(TEXT, max_size=2)
)
def test_every_entry_is_written_as_rfc8785_writes_it(
    raw: dict, officer: str, case: str, fields: list[str], citation: str, error: str, claims: list[str]
) -> None:
    """What lets `build` write an entry without the walk (`canonical_plain`): whatever the request
    and the decision hold, the entry's keys are names of the format and its numbers small counts."""
    raw["requester"]["officer"] = officer
    raw["purpose"]["case_number"] = case
    raw["resource"]["fields"] = fields
    try:
        request = parse_request(raw)
    except RequestError:
        return  # e.g. a lone surrogate: refused before any entry is built
    decision = Decision(
        id=request.id,
        decision="deny",
        citations=[citation, "MCC 2-173-020(a)"],
        rules=["chicago-2021:020-a"],
        explanation="Denied.",
        profiles=["chicago-2021"],
        policy_hash="ab" * 32,
        requester=request.requester.agency,
        judged_as=[request.requester.agency, citation],
        error=error or None,
        facts_source=error,
        redact=fields,
        claims=claims,
    )
    try:
        data, _ = build(request, decision, [{"record_id": officer, "fields": fields}], b"k" * 32)
    except UnicodeEncodeError:
        return  # a lone surrogate in the decision: refused, as rfc8785 refuses it
    assert rfc8785.dumps(json.loads(data)) == data


def test_an_entry_time_is_utc_to_the_millisecond_truncated() -> None:
    """`timestamp` writes the clock's time as `datetime.isoformat` would, without its cost."""
    from datetime import UTC, datetime, timedelta

    from sanctuary.audit.entry import timestamp

    before = datetime.now(UTC)
    written = timestamp(None)
    after = datetime.now(UTC)
    assert len(written) == len("2026-11-30T09:31:17.042Z") and written.endswith("Z")
    assert before - timedelta(milliseconds=1) <= datetime.fromisoformat(written) <= after
    assert timestamp(datetime(1999, 1, 2, 3, 4, 5, 678999, tzinfo=UTC)) == "1999-01-02T03:04:05.678Z"
