"""The screens inside decisions: an obfuscated immigration purpose denies and names its agency as the
party the request is made for; a look-alike does not; an administrative form never opens custody."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import decide, request

SAMPLES = Path(__file__).resolve().parent.parent / "src/sanctuary/screening/samples"


def lookup(text: str) -> dict:
    return request("database_query", "Evanston PD", purpose={"text": text}, resource={"system": "ALPR"})


@pytest.mark.parametrize(
    ("text", "on_behalf_of"),
    [
        ("assist I.C.E. with locate", ["ICE"]),
        ("h5i target", ["ICE-HSI"]),
        ("ICE+ERO", ["ICE-ERO"]),
        ("patrulla fronteriza", ["CBP-USBP"]),
        ("imigration", []),
        ("ICEHSI", ["ICE-HSI"]),
    ],
)
def test_immigration_purpose_is_denied_and_names_who_it_is_for(text: str, on_behalf_of: list[str]) -> None:
    # A named agency is judged as if it had asked: HSI or Border Patrol asking directly with no
    # purpose is refused by the TRUST Act, in force in Chicago with the ordinance.
    decision = decide(("chicago-2021", "illinois-trust"), lookup(text))
    assert decision.decision == "deny", decision.explanation
    assert decision.on_behalf_of == on_behalf_of


@pytest.mark.parametrize("text", ["ice cream truck theft", "black ice crash", "ICAC investigation", "vehicle removal"])
def test_look_alikes_are_not_denied_as_immigration(text: str) -> None:
    decision = decide("chicago-2021", lookup(text))
    assert decision.decision == "permit", decision.explanation
    assert decision.on_behalf_of == []


def test_an_i200_text_titled_warrant_does_not_open_custody() -> None:
    i200 = {"type": "judicial_warrant", "text": (SAMPLES / "i200_warrant_for_arrest.txt").read_text(encoding="utf-8")}
    warrant = {"type": "judicial_warrant", "text": (SAMPLES / "circuit_court_arrest_warrant.txt").read_text(encoding="utf-8")}
    assert decide("chicago-2012", request("custody_transfer", "ICE-ERO", documents=[i200])).decision == "deny"
    assert decide("chicago-2012", request("custody_transfer", "ICE-ERO", documents=[warrant])).decision == "permit"
