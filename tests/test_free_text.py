"""Every free-text field of the request contract goes through the purpose screen, by construction:
`policy.facts.FREE_TEXT` is derived from the models, and a string field is either screened or marked
`models.NotText` with the reason it is not free text."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from conftest import decide, request
from sanctuary.models import NotText, Request, parse_request, string_fields
from sanctuary.pipeline import screen_request
from sanctuary.policy.facts import FREE_TEXT

PHRASE = "for ICE ERO removal of this alien"


def _string_leaves(schema: dict[str, Any], node: dict[str, Any], path: str) -> set[str]:
    """Every string leaf of a JSON schema (enumerated and constant values left out), read from the
    schema pydantic publishes, not from the models' annotations that FREE_TEXT is derived from."""
    if "$ref" in node:
        return _string_leaves(schema, schema["$defs"][node["$ref"].rsplit("/", 1)[-1]], path)
    if "anyOf" in node:
        return set().union(*(_string_leaves(schema, option, path) for option in node["anyOf"]))
    if node.get("type") == "object":
        return set().union(*(_string_leaves(schema, sub, f"{path}.{name}" if path else name) for name, sub in node["properties"].items()))
    if node.get("type") == "array":
        return _string_leaves(schema, node["items"], path + "[]")
    if node.get("type") == "string" and "enum" not in node and "const" not in node:
        return {path}
    return set()


def test_every_string_field_of_the_contract_is_screened_or_marked_not_text():
    schema = Request.model_json_schema()
    leaves = _string_leaves(schema, schema, "")
    marked = {path for path, mark in string_fields(Request) if mark is not None}
    assert leaves - set(FREE_TEXT) - marked == set(), "a string field neither screened nor marked NotText"
    assert set(FREE_TEXT) | marked == leaves
    assert {"documents[].text", "documents[].court", "documents[].signed_by", "resource.system"} <= set(FREE_TEXT)
    assert all(mark.why for path, mark in string_fields(Request) if mark is not None)


def test_a_new_string_field_is_free_text_unless_marked():
    from typing import Annotated

    class Inner(BaseModel):
        note: str | None = None
        code: Annotated[str, NotText("a code")] = ""

    class Outer(BaseModel):
        items: list[Inner] = []
        remark: str = ""
        count: int = 0

    assert string_fields(Outer) == (("items[].note", None), ("items[].code", NotText("a code")), ("remark", None))


def _with(path: str, text: str) -> dict[str, Any]:
    raw = request("database_query", "Evanston PD", purpose={"text": "burglary", "category": "criminal"})
    head, _, rest = path.partition(".")
    if head == "documents[]":
        raw["documents"] = [{"type": "other", rest: text}]
    elif rest:
        raw[head] = {**raw.get(head, {}), rest: text}
    else:
        raw[head] = text
    return raw


@pytest.mark.parametrize("path", FREE_TEXT)
def test_each_free_text_field_alone_is_screened(path):
    screened = screen_request(parse_request(_with(path, PHRASE)))
    assert screened.category == "civil_immigration"
    where = path.replace("[]", "[0]")
    assert any(e.field == where for e in screened.evidence)
    assert screen_request(parse_request(_with(path, "Det. Smith"))).category != "civil_immigration"


def _custody(**fields: Any) -> dict[str, Any]:
    resource = {"fields": ["release_date"], **fields.pop("resource", {})}
    return request("custody_inquiry", "FBI", resource=resource, purpose={"text": "armed robbery", "category": "criminal"}, **fields)


@pytest.mark.parametrize(
    "fields",
    [
        {"documents": [{"type": "other", "text": PHRASE}]},
        {"resource": {"system": "ICE EARM removal"}},
        {"documents": [{"type": "court_order", "court": "Immigration Court, removal proceedings"}]},
        {"documents": [{"type": "other", "signed_by": "ICE ERO deportation officer"}]},
        # words padded past the first 2,000 characters are read too
        {"documents": [{"type": "other", "text": "x " * 3000 + PHRASE}]},
    ],
    ids=["document text", "system", "court", "signed_by", "padded text"],
)
@pytest.mark.parametrize("trusted", [False, True], ids=["gateway", "department"])
def test_an_fbi_custody_search_with_immigration_words_in_any_field_gets_no_release_date(fields, trusted):
    assert decide("chicago-2021", _custody(), trusted=trusted).decision == "permit"
    decision = decide("chicago-2021", _custody(**fields), trusted=trusted)
    assert decision.decision == "deny" and decision.immigration_purpose
