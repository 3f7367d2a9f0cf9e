"""Redaction removes exactly the fields a decision names, and the manifest lists what is left."""

from __future__ import annotations

from pathlib import Path

from sanctuary.records import PROTECTED_FIELDS, Record, disclosed, open_store, parse_search, redact
from sanctuary.records.demo import fill

PERSON = Record(
    "P1", "person", {"first_name": "Maria", "immigration_status": "undocumented", "citizenship": "Mexico", "place_of_birth": "Morelia"}
)
BOOKING = Record("B1", "booking", {"facility": "jail", "release_date": None, "place_of_birth": "x"})


def test_plain_field_names_leave_every_record() -> None:
    out = redact([PERSON, BOOKING], PROTECTED_FIELDS)
    assert [r.fields for r in out] == [{"first_name": "Maria"}, {"facility": "jail", "release_date": None}]
    assert PERSON.fields["immigration_status"] == "undocumented"  # the input is not changed


def test_qualified_field_names_leave_only_that_kind() -> None:
    out = redact([PERSON, BOOKING], ["person.place_of_birth", "booking.release_date"])
    assert "place_of_birth" not in out[0].fields and out[1].fields["place_of_birth"] == "x"
    assert "release_date" not in out[1].fields and out[0].fields["citizenship"] == "Mexico"


def test_nothing_named_nothing_removed() -> None:
    assert redact([PERSON], []) == [PERSON]


def test_manifest_lists_record_ids_and_remaining_fields() -> None:
    assert disclosed(redact([PERSON, BOOKING], ["immigration_status", "citizenship", "booking.facility"])) == [
        {"record_id": "P1", "fields": ["first_name", "place_of_birth"]},
        {"record_id": "B1", "fields": ["place_of_birth", "release_date"]},
    ]


def test_redacting_a_real_person_record(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "r.db"))
    fill(store, persons=0, seed=1)
    records = store.search(parse_search({"search": "person", "name": "Maria Lopez", "dob": "1988-03-14"}))
    assert PROTECTED_FIELDS <= set(records[0].fields)
    [clean] = redact(records, PROTECTED_FIELDS)
    assert not PROTECTED_FIELDS & set(clean.fields)
    assert clean.fields["last_name"] == "Lopez"
    store.close()
