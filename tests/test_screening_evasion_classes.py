"""The evasions and terms issue 26 found open: Greek look-alikes, a right-to-left override over
reversed text, words run together or in CamelCase, and terms the screen did not know. Each example
screened `other` before; a bidirectional control is evidence of an evasion in itself."""

from __future__ import annotations

import pytest

from conftest import decide, request
from sanctuary.screening import screen
from sanctuary.screening.normalize import displayed, normalize

FLAGGED = ("civil_immigration", "needs_review")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("rem\u03bf\u03bd\u03b1l pr\u03bfceed\u03b9ngs", "civil_immigration"),  # Greek omicron, nu, alpha, iota
        ("\u202esgnideecorp lavomer", "civil_immigration"),  # shows "removal proceedings"
        ("\u202elavomer rof etacol\u202c burglary", "civil_immigration"),  # the override ends at its pop
        ("civilimmigrationenforcement", "civil_immigration"),
        ("removalproceedings", "civil_immigration"),
        ("finalorderofremoval", "civil_immigration"),
        ("visaoverstay", "civil_immigration"),
        ("CivilImmigrationEnforcement", "civil_immigration"),
        ("LocateForIce", "needs_review"),  # ICE named, as "locate for ICE" is: its beneficiary
        ("locateforice", "needs_review"),
        ("EROPickup", "civil_immigration"),
        ("CheckIfSheIsLegal", "civil_immigration"),
    ],
)
def test_each_evasion_class_is_caught(text: str, category: str) -> None:
    assert screen(text).category == category


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("rem\u03bf\u03bd\u03b1l", "removal"),  # lower-case Greek nu is drawn like v (its capital like N)
        ("\u039d\u039f", "no"),
        ("LocateForICE", "locate for ice"),
        ("ICEHold", "ice hold"),
        ("civilimmigrationenforcement", "civil immigration enforcement"),
        ("snowremoval", "snow removal"),
        # ordinary words stay whole: no acronym is looked for inside a word, a CamelCase word is cut
        # only into an immigration word or words the screen knows, a stem only before a known word
        ("McDonald", "mcdonald"),
        ("DeKalb", "dekalb"),
        ("notice justice office police service", "notice justice office police service"),
        ("deportes salient", "deportes salient"),
    ],
)
def test_normalisation_of_each_class(text: str, words: str) -> None:
    assert normalize(text).words == words


def test_the_displayed_order_reverses_only_under_a_right_to_left_override() -> None:
    def shown(text: str) -> str:
        return "".join(text[i] for i in displayed(text))

    assert shown("\u202esgnideecorp lavomer") == "removal proceedings"
    assert shown("a \u202ecba\u202c d") == "a abc d"
    assert shown("\u202ecba\nfed") == "abc\nfed"  # a line break ends it
    assert shown("\u202bremoval\u202c \u2067order\u2069") == "removal order"  # Latin text in an embedding reads as typed


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("A-number check", "civil_immigration"),
        ("verify Anumber of subject", "civil_immigration"),
        ("NTA", "needs_review"),
        ("serve Notice to Appear", "needs_review"),
        ("check if she is legal", "civil_immigration"),
        ("is the driver illegal", "civil_immigration"),
        ("absconder", "needs_review"),
        ("ICE absconder", "civil_immigration"),
        ("TPS verification", "civil_immigration"),
        ("ISAP check-in", "civil_immigration"),
        ("immig", "civil_immigration"),
        ("Immig.", "civil_immigration"),
    ],
)
def test_new_terms(text: str, category: str) -> None:
    assert screen(text).category == category


@pytest.mark.parametrize(
    "text",
    [
        "a number of cars broken into",
        "NTA cited for 12500 VC",
        "misdemeanor notice to appear issued",
        "parole absconder",
        "probation absconder warrant",
        "check if the gun is legal",
        "Immig. & Customs Enf.",  # the agency's name: ICE named, no purpose
    ],
)
def test_new_terms_keep_their_police_meaning(text: str) -> None:
    assert screen(text).category != "civil_immigration"
    if text != "Immig. & Customs Enf.":
        assert screen(text).category != "needs_review"


@pytest.mark.parametrize("control", ["\u202e", "\u202d", "\u202b", "\u2067", "\u2066", "\u200e", "\u200f", "\u061c"])
def test_a_bidirectional_control_holds_any_reason_for_review(control: str) -> None:
    result = screen(f"armed robbery{control} suspect")
    assert result.category == "needs_review"
    assert [(e.text, e.rule) for e in result.evidence] == [(control, "normalised:bidi")]
    assert "evasion" in result.why


def test_a_request_with_a_bidirectional_control_is_held_with_that_evidence() -> None:
    raw = request(
        "custody_inquiry", "FBI", resource={"fields": ["release_date"]}, purpose={"text": "armed robbery", "category": "criminal"}
    )
    assert decide("chicago-2021", raw, trusted=False).decision == "permit"
    raw["purpose"]["text"] = "armed robbery \u202eyrebbor demra"
    decision = decide("chicago-2021", raw, trusted=False)
    assert decision.decision == "deny" and decision.held is not None and decision.held.reason == "needs_review"
    assert "normalised:bidi" in decision.held.evidence
    assert "bidirectional control characters in purpose.text" in decision.explanation
    # reversed immigration words under the override are read as shown: denied outright, not held
    raw["purpose"]["text"] = "\u202esgnideecorp lavomer"
    decision = decide("chicago-2021", raw, trusted=False)
    assert decision.decision == "deny" and decision.held is None and decision.immigration_purpose
