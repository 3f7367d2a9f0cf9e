"""The proxy's egress filter: withheld categories removed wherever the map places them, values the
map does not place removed and counted, an answer of another shape withheld whole."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctuary.proxy import egress
from sanctuary.proxy.routes import parse

MAP = """
[[route]]
name = "person"
method = "GET"
path = "/persons/{id}"
kind = "database_query"
[route.response]
root = "object"
record_id = "$.id"
[route.response.categories]
"$.id" = "record_number"
"$.name" = "person_name"
"$.status.immigration_status" = "immigration_status"
"$.status.citizenship" = "citizenship"
"$.contacts[*].phone" = "phone"
"$.contacts[*].address" = "home_address"
"$.aliases[*]" = "person_name"
"$.addresses[*]" = "home_address"
"$.addresses[*].phone" = "phone"
"""
SHAPE = parse(MAP).routes[0].response
DOC = {
    "id": "P1",
    "name": "Maria Lopez",
    "status": {"immigration_status": "undocumented", "citizenship": "Mexico"},
    "contacts": [{"phone": "555", "address": "2418 S Kedzie"}, {"phone": "556", "address": "1 Main St", "ssn": "000-00-0000"}],
    "aliases": ["M. Lopez", "Maria L."],
    "addresses": [{"street": "X", "phone": "557"}],
}


def filtered(doc: Any, withheld: list[str]) -> egress.Filtered:
    return egress.apply(egress.parse(json.dumps(doc).encode(), SHAPE), SHAPE, withheld)


def test_withheld_leaves_are_removed_where_the_map_places_them() -> None:
    out = filtered(DOC, ["immigration_status", "citizenship", "place_of_birth"])
    assert out.body["status"] == {}
    assert out.body["name"] == "Maria Lopez" and out.record_id == "P1"
    assert out.removed == {"immigration_status", "citizenship"}
    assert "immigration_status" not in out.disclosed and "person_name" in out.disclosed


def test_a_group_withholds_all_its_leaves() -> None:
    out = filtered(DOC, ["contact_information"])
    assert out.body["contacts"] == [{}, {}]
    assert out.body["addresses"] == [{}]  # structure stays; every value in it is gone
    assert out.removed == {"phone", "home_address"}


def test_a_value_the_map_does_not_place_is_removed_and_counted() -> None:
    out = filtered(DOC, [])
    assert "ssn" not in out.body["contacts"][1]
    assert out.unmapped == ['$["contacts"][*]["ssn"]']
    assert out.body["aliases"] == ["M. Lopez", "Maria L."]


def test_a_placed_value_that_is_not_a_scalar_is_removed_counted_and_said() -> None:
    doc = {**DOC, "name": {"immigration_status": "hidden-1"}, "aliases": ["M. Lopez", ["Maria L.", "hidden-2"]]}
    out = filtered(doc, [])
    assert "name" not in out.body and out.body["aliases"] == ["M. Lopez"]
    assert out.nonscalar == ['$["name"]', '$["aliases"][*]'] and out.removed == {"person_name"}
    assert "hidden" not in json.dumps(out.body)


def test_a_more_precise_placement_wins_inside_a_placed_object() -> None:
    out = filtered(DOC, ["phone"])
    assert out.body["addresses"] == [{"street": "X"}]  # street inherits home_address; phone is withheld
    out = filtered(DOC, ["home_address"])
    assert out.body["addresses"] == [{"phone": "557"}]


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"<html>Person: Maria Lopez</html>", "not JSON"),
        (b'[{"id": "P1", "name": "Maria Lopez"}]', "not a JSON object"),
        (b'{"person": {"id": "P1", "name": "Maria Lopez"}}', "nothing at $.id"),
        (b"\xff\xfe", "not JSON"),
    ],
)
def test_an_answer_of_another_shape_is_withheld_whole(raw: bytes, reason: str) -> None:
    with pytest.raises(egress.ShapeError, match=reason.replace("$", r"\$").replace(".", r"\.")) as caught:
        egress.parse(raw, SHAPE)
    assert "Maria" not in str(caught.value)


LEAVES = ["record_number", "person_name", "immigration_status", "citizenship", "phone", "home_address"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["id", "name", "status", "x", "phone"]), inner, max_size=3),
    max_leaves=12,
)


def _paths(value: Any, loc: tuple = ()) -> list[tuple]:
    """Locations of the values in `value`; an empty object or array counts as one."""
    if isinstance(value, dict) and value:
        return [p for k, v in value.items() for p in _paths(v, (*loc, k))]
    if isinstance(value, list) and value:
        return [p for i, v in enumerate(value) for p in _paths(v, (*loc, i))]
    return [loc]


@settings(max_examples=200, deadline=None)
@given(
    extra=st.dictionaries(st.sampled_from(["id", "name", "status", "contacts", "ssn", "aliases"]), json_values, max_size=4),
    withheld=st.lists(st.sampled_from(LEAVES), max_size=4),
)
def test_nothing_withheld_or_unplaced_ever_leaves(extra: dict, withheld: list[str]) -> None:
    """Whatever the system sends in place of the expected values, every scalar that leaves sits where
    the map places a category that is not withheld."""
    doc = {**DOC, **extra, "id": "P1"}
    out = filtered(doc, withheld)
    allowed = []
    for where, leaf in SHAPE.categories:
        if leaf not in withheld:
            allowed += [n.location for n in where.query.finditer(doc)]
    withheld_at = [n.location for where, leaf in SHAPE.categories if leaf in withheld for n in where.query.finditer(doc)]
    # the output is the input minus whole values, so compare by walking the input: every scalar kept
    # in the output must lie under an allowed location and under no more precise withheld one
    # (an object or array emptied by a removal is left in place: it carries no value, so only scalars count)
    kept = [p for p in _paths(out.body) if not isinstance(_at(out.body, p), dict | list)]
    assert len(kept) + len(out.unmapped) <= len(_paths(doc))
    for path in _kept_source_paths(doc, out.body):
        assert any(path[: len(a)] == a for a in allowed), path
        under_withheld = [w for w in withheld_at if path[: len(w)] == w]
        under_allowed = [a for a in allowed if path[: len(a)] == a]
        assert not under_withheld or max(map(len, under_allowed)) > max(map(len, under_withheld)), path


def _at(value: Any, path: tuple) -> Any:
    for step in path:
        value = value[step]
    return value


def _kept_source_paths(doc: Any, body: Any, loc: tuple = ()) -> list[tuple]:
    """Source locations of the scalars in `body` (arrays filtered in order: match by value, greedily)."""
    if isinstance(doc, dict) and isinstance(body, dict):
        return [p for k, v in body.items() for p in _kept_source_paths(doc[k], v, (*loc, k))]
    if isinstance(doc, list) and isinstance(body, list):
        out, i = [], 0
        for v in body:
            while i < len(doc) and not _fits(doc[i], v):
                i += 1
            out += _kept_source_paths(doc[i], v, (*loc, i))
            i += 1
        return out
    return [loc]


def _fits(source: Any, kept: Any) -> bool:
    if isinstance(source, dict) and isinstance(kept, dict):
        return set(kept) <= set(source) and all(_fits(source[k], v) for k, v in kept.items())
    if isinstance(source, list) and isinstance(kept, list):
        return len(kept) <= len(source)
    return type(source) is type(kept) and source == kept
