"""The split of a request into what a public entry copies and what it only counts, as a property:
every string the request carries is either a code or vocabulary name, or kept in clear at its full
path and counted under its field (list indices dropped); nothing else is kept or counted."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sanctuary.models import parse_request
from sanctuary.recording import CODES, VOCABULARY_PATHS, split_request, vocabulary_names
from strategies import requests

# Free text of every kind the contract allows: non-ASCII, digits only, dots, empty.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12) | st.sampled_from(["0", "12", "a.b", "ICE", "Ñandú"])


def _walk(value: Any, path: list[str]) -> list[tuple[list[str], str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _walk(v, [*path, k])]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _walk(v, [*path, str(i)])]
    return []


@settings(max_examples=300, deadline=None)
@given(raw=requests(), officer=TEXT, case=TEXT, fields=st.lists(TEXT | st.sampled_from(["first_name", "custody_status"]), max_size=3))
def test_every_string_is_copied_as_a_code_or_kept_and_counted(raw: dict, officer: str, case: str, fields: list[str]) -> None:
    raw["requester"]["officer"] = officer
    raw["purpose"]["case_number"] = case
    raw["resource"]["fields"] = fields
    request = parse_request(raw)
    clear, counted = split_request(request)
    names = vocabulary_names()
    expected: dict[str, str] = {}
    expected_counts: Counter[str] = Counter()
    for path, value in _walk(request.model_dump(mode="json"), []):
        field = ".".join(p for p in path if not p.isdigit())
        if field in CODES or (field in VOCABULARY_PATHS and value in names):
            continue
        expected[".".join(path)] = value
        expected_counts[field] += 1
    assert clear == expected
    assert counted == expected_counts
