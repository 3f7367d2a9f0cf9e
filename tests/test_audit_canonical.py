"""The fast canonical encoder writes the bytes rfc8785 writes, for every JSON value."""

from __future__ import annotations

import json

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctuary.audit.canonical import canonical, canonical_plain

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
