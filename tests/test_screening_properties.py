"""Properties over arbitrary input: the screens never raise, stay within their contract, and point
their evidence at the input."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sanctuary.screening import classify, screen
from sanctuary.screening.documents import ELEMENTS
from sanctuary.screening.lexicon import DRUG_CONTEXT
from sanctuary.screening.normalize import CAMEL, normalize
from sanctuary.screening.purpose import CATEGORIES

# Text that mixes the lexicon's own pieces with noise, so the rules actually fire.
PIECES = st.sampled_from(
    [
        "ICE",
        "I.C.E.",
        "ero",
        "h5i",
        "removal",
        "vehicle",
        "cream",
        "1",
        "-",
        " ",
        "247A",
        "I-",
        "dhs",
        "é",
        "Ｉ",
        "probable cause",
        "Judge",
        "/s/",
        "\n",
        "court",
        "criminal",
        "alien",
        "warrant",
        "Circuit Court of Cook County",
    ]
)
TEXT = st.one_of(st.text(max_size=80), st.lists(PIECES, max_size=12).map("".join))


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_screen_never_raises_and_keeps_the_contract(text: str) -> None:
    result = screen(text)
    assert result.category in CATEGORIES
    assert 0.0 <= result.score <= 1.0
    for item in result.evidence:
        assert 0 <= item.start <= item.end <= len(text)
        assert text[item.start : item.end] == item.text
    if result.category == "civil_immigration":
        assert result.evidence


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_normalized_words_map_back_into_the_input(text: str) -> None:
    norm = normalize(text)
    assert len(norm.tokens) == len(norm.spans) == len(norm.starts)
    for start, end in norm.spans:
        assert 0 <= start < end <= len(text)


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_classify_never_raises_and_judicial_means_nothing_required_is_missing(text: str) -> None:
    result = classify(text)
    assert set(result.missing) <= set(ELEMENTS)
    assert not (result.judicial and result.administrative)
    if result.judicial:
        assert "court" not in result.missing and "judge_signature" not in result.missing
    if result.federal:
        assert result.judicial


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_case_does_not_change_the_call(text: str) -> None:
    # Normalisation folds case before any rule runs; the rules that read the typed case are "ICE"
    # in capitals beside drug words (the agency, not the drug) and CamelCase words cut at their
    # capitals ("LocateForIce"), so only there may the call differ; and a Greek or Cyrillic letter
    # whose two cases are drawn like two Latin letters (Greek nu: "v", capital "N") reads as drawn.
    assume(not DRUG_CONTEXT.search(normalize(text).words))
    assume(not any(s.kind == CAMEL for variant in (text, text.upper(), text.lower()) for s in normalize(variant).signals))
    assume(all(normalize(c.lower()).words == normalize(c.upper()).words for c in set(text) if c.isalpha() and not c.isascii()))
    categories = {screen(variant).category for variant in (text, text.upper(), text.lower())}
    assert len(categories) == 1, text


def test_case_changes_the_call_only_where_it_changes_the_meaning() -> None:
    assert screen("assist ICE narcotics").agencies == ("ICE",)
    assert screen("assist ice narcotics").agencies == ()
    assert screen("ICE detainer").category == screen("ice detainer").category == "civil_immigration"
