"""The evasions and terms issue 26 found open: Greek look-alikes, a right-to-left override over
reversed text, words run together or in CamelCase, and terms the screen did not know. Each example
screened `other` before; a bidirectional control is evidence of an evasion in itself."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_bounded_on_hostile_input() -> None:
    # deeper than the bidirectional algorithm's 125 levels (a recursion per level), and one long
    # word of letters (taking it apart is quadratic): both answered, neither taken apart
    assert screen("\u202e" * 5000 + "lavomer").category == "needs_review"
    assert normalize("removal" * 3000).words == "removal" * 3000


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


# --- properties: a known immigration phrase, however it is disguised, is still flagged ---------------

# Phrases the screen knows (docs/screening.md's examples, not the frozen split, which is a measurement).
PHRASES = (
    "removal proceedings",
    "civil immigration enforcement",
    "locate for ICE",
    "assist ICE",
    "ICE detainer",
    "ICE hold",
    "deportation order",
    "pending deportation",
    "undocumented workers",
    "illegal alien",
    "immigration status check",
    "ERO pickup",
    "Border Patrol",
    "final order of removal",
    "locate for removal",
    "visa overstay",
    "worksite enforcement",
    "entered without inspection",
    "check if she is legal",
    "TPS verification",
    "ISAP check in",
    "ICE absconder",
    "foreign national",
    "HSI",
)
# Letters of other scripts drawn like a Latin letter (Cyrillic and Greek), in the case they are drawn.
LOOK_ALIKES: dict[str, str] = {
    "a": "\u0430\u03b1",
    "c": "\u0441",
    "d": "\u0501",
    "e": "\u0435\u03b5",
    "h": "\u04bb",
    "i": "\u0456\u03b9",
    "j": "\u0458",
    "k": "\u03ba",
    "o": "\u043e\u03bf",
    "p": "\u0440\u03c1",
    "s": "\u0455",
    "t": "\u03c4",
    "u": "\u03c5",
    "v": "\u03bd",
    "w": "\u051d",
    "x": "\u0445\u03c7",
    "y": "\u0443\u03b3",
    "A": "\u0410\u0391",
    "B": "\u0412\u0392",
    "C": "\u0421",
    "E": "\u0415\u0395",
    "H": "\u041d\u0397",
    "I": "\u0406\u0399",
    "J": "\u0408",
    "K": "\u041a\u039a",
    "M": "\u041c\u039c",
    "N": "\u039d",
    "O": "\u041e\u039f",
    "P": "\u0420\u03a1",
    "S": "\u0405",
    "T": "\u0422\u03a4",
    "X": "\u0425\u03a7",
    "Y": "\u03a5",
    "Z": "\u0396",
}


@st.composite
def look_alike(draw: st.DrawFn, phrase: str) -> str:
    """`phrase` with any of its letters (at least one) swapped for a look-alike of another script."""
    swappable = [i for i, c in enumerate(phrase) if c in LOOK_ALIKES]
    chosen = draw(st.sets(st.sampled_from(swappable), min_size=1))
    return "".join(draw(st.sampled_from(LOOK_ALIKES[c])) if i in chosen else c for i, c in enumerate(phrase))


def camel(phrase: str, acronyms_upper: bool) -> str:
    return "".join(w.upper() if acronyms_upper and w.isupper() else w[:1].upper() + w[1:].lower() for w in phrase.split())


def reversed_under_override(phrase: str, closed: bool) -> str:
    return "\u202e" + phrase[::-1] + ("\u202c" if closed else "")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PHRASES).flatmap(lambda p: st.tuples(st.just(p), look_alike(p))))
def test_look_alike_letters_never_change_the_call(pair: tuple[str, str]) -> None:
    phrase, disguised = pair
    assert screen(disguised).category == screen(phrase).category, disguised


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(PHRASES), st.booleans())
def test_camel_case_never_changes_the_call(phrase: str, acronyms_upper: bool) -> None:
    assert screen(camel(phrase, acronyms_upper)).category == screen(phrase).category


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(PHRASES), st.sampled_from(["", "lower", "upper"]))
def test_words_run_together_are_still_flagged(phrase: str, case: str) -> None:
    joined = "".join(phrase.split())
    joined = joined.lower() if case == "lower" else joined.upper() if case == "upper" else joined
    assert screen(joined).category in FLAGGED, joined


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(PHRASES).flatmap(lambda p: st.tuples(st.just(p), st.one_of(st.just(p), look_alike(p)))),
    st.booleans(),
    st.sampled_from(["", "armed robbery ", "case 2026-0380 "]),
)
def test_reversed_text_under_an_override_is_read_as_shown(pair: tuple[str, str], closed: bool, before: str) -> None:
    phrase, disguised = pair
    result = screen(before + reversed_under_override(disguised, closed))
    assert result.category in FLAGGED and "normalised:bidi" in {e.rule for e in result.evidence}
    if screen(phrase).category == "civil_immigration":
        assert result.category == "civil_immigration"
