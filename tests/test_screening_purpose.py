"""Purpose screening: every rule of issue 5, in both directions, and the evidence it leaves."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctuary.screening import Evidence, PurposeScreen, screen, screen_many
from sanctuary.screening.purpose import MAX_LENGTH

# (reason, the agencies it must name); every one states an immigration purpose: civil_immigration.
IMMIGRATION = [
    # reasons documented in real audit logs (docs/evidence.md, "Reasons found in real audit logs")
    ("immigration", ()),
    ("ICE+ERO", ("ICE-ERO",)),
    ("deportee", ()),
    ("ICE FUGOPS", ("ICE-ERO",)),
    ("criminal alien", ()),
    ("ICE pick up", ("ICE",)),
    ("ice administrative warrant", ("ICE",)),
    ("immigration inv", ()),
    ("removal order", ()),
    ("Immigration (civil/administrative)", ()),
    ("Border Patrol", ("CBP-USBP",)),
    ("USBP", ("CBP-USBP",)),
    ("ERO", ("ICE-ERO",)),
    # full names
    ("Enforcement and Removal Operations", ("ICE-ERO",)),
    ("ICE OPLA", ("ICE-OPLA",)),
    ("DHS ICE ERO", ("ICE-ERO",)),
    # programmes, forms, NCIC, statutes
    ("287(g)", ()),
    ("287g task force", ()),
    ("I-247A", ()),
    ("I-247 detainer", ()),
    ("i247d", ()),
    ("I-200 warrant", ()),
    ("I-203", ()),
    ("I-205 warrant of removal", ()),
    ("I-286", ()),
    ("form I-862", ()),
    ("NCIC IVF hit", ()),
    ("immigration violator file", ()),
    ("8 U.S.C. 1326", ()),
    # stems
    ("immigrant", ()),
    ("deported felon", ()),
    ("deportation flight", ()),
    ("illegal aliens", ()),
    ("undocumented", ()),
    ("visa overstay", ()),
    ("removal proceedings", ()),
    ("expedited removal", ()),
    ("locate for removal", ()),
    ("subject pending removal", ()),
    ("hold him for removal", ()),
    ("awaiting removal", ()),
    # spacing and punctuation tricks
    ("ICE/ERO", ("ICE-ERO",)),
    ("E R O", ("ICE-ERO",)),
    # what is said of the person (California under immigration_authority=function: the words decide HSI)
    ("narcotics investigation; subject may be removable", ()),
    ("the target is removable", ()),
    ("narcotics investigation; subject lacks lawful status", ()),
    ("person without legal immigration status", ()),
    ("narcotics case; subject is inadmissible", ()),
    ("facilitate vehicle export; owner may be removable", ()),
    ("narcotics case; subject is amenable to removal", ()),
    ("narcotics case; subject not lawfully admitted", ()),
    ("narcotics case; subject is in the country illegally", ()),
    ("narcotics case; subject is here illegally", ()),
    ("narcotics case; subject entered the country illegally", ()),
    ("narcotics case; subject crossed the border illegally", ()),
    ("narcotics case; subject's visa expired", ()),
    ("narcotics case; subject has an expired visa", ()),
    # digit-for-letter swaps
    ("imm1gration", ()),
    ("d3p0rtation", ()),
    # misspellings
    ("imigration", ()),
    ("immigraton", ()),
    ("imagration", ()),
    ("deportaton", ()),
    ("deprotation", ()),
    ("undocumnted", ()),
    ("boarder patrol", ("CBP-USBP",)),
    ("immagrant", ()),
    # Spanish
    ("inmigración", ()),
    ("la migra", ()),
    ("deportación", ()),
    ("indocumentado", ()),
    ("patrulla fronteriza", ("CBP-USBP",)),
    ("sin papeles", ()),
]

# An immigration agency named, or an adjacent word, with no purpose and no offence: needs_review,
# with the agency named (the decision judges the request as that agency's).
AGENCY_ONLY = [
    ("ICE", ("ICE",)),
    ("ICE WARRANT", ("ICE",)),
    ("HSI", ("ICE-HSI",)),
    ("DHS", ("DHS",)),
    ("CBP", ("CBP",)),
    ("assist ICE with locate", ("ICE",)),
    ("USCIS", ("USCIS",)),
    ("Immigration and Customs Enforcement", ("ICE",)),
    ("Homeland Security Investigations", ("ICE-HSI",)),
    ("Customs and Border Protection", ("CBP",)),
    ("Department of Homeland Security", ("DHS",)),
    ("Citizenship and Immigration Services", ("USCIS",)),
    ("CBP OFO", ("CBP-OFO",)),
    ("Air and Marine Operations", ("CBP-AMO",)),
    ("ICE HSI and CBP", ("CBP", "ICE-HSI")),
    ("I.C.E.", ("ICE",)),
    ("i c e", ("ICE",)),
    ("I-C-E agent", ("ICE",)),
    ("i_c_e", ("ICE",)),
    ("H.S.I.", ("ICE-HSI",)),
    ("*ICE*", ("ICE",)),
    ("Ｉ Ｃ Ｅ", ("ICE",)),
    ("1CE", ("ICE",)),
    ("1C3 inv", ("ICE",)),
    ("h5i", ("ICE-HSI",)),
    ("c8p", ("CBP",)),
    ("ciizenship check", ()),
    ("asistir a ICE", ("ICE",)),
]

# Look-alikes that must not be screened as immigration nor name an immigration agency.
NOT_IMMIGRATION = [
    "ice cream truck theft",
    "stolen ice cream truck",
    "black ice crash",
    "vehicle slid on ice",
    "ICAC",
    "ICAC investigation",
    "notice to appear traffic court",
    "traffic notice to appear",
    "vehicle removal",
    "tow removal",
    "snow removal",
    "tow vehicle for removal",
    "car pending removal from lot",
    "abandoned vehicle removal order",
    "ice possession",
    "meth ice sales",
    "assault with ice pick",
    "ice rink burglary",
    "stolen ice machine",
    "ice storm damage",
    "ice age",
    "department store theft",
    "vehicle departed scene",
    "bank deposit fraud",
    "irrigation equipment theft",
    "decoration theft",
    "Alienware laptop theft",
    "police service call",
    "office burglary",
    "vice unit",
    "justice center",
    "notice of violation",
    "IDHS welfare check",
    "DHS child welfare",
    "NB I-205 pursuit",
    "I-94 crash",
    "deserted vehicle",
    "deportment class",
    "FBI assist",
    "US Marshals warrant",
    "Secret Service",
    "1-200 block",
    "3rd district",
    "price gouging",
    "ins status check",
    "no ins hold on vehicle",
    "serve final order of protection",
    "parking overstay",
    "vehicle overstayed time limit",
    "removable hard drive theft",
    "the seized drive is removable media",
    "motion: the statement is inadmissible",
    "defendant statement is inadmissible at trial",
    "vehicle parked here illegally",
    "suspect entered illegally through a rear window",
    "expired visa card used at gas station",
    "lawful status of the permit holder's business licence",
    "I-94 NB crash check",
    "operation safeguard retail theft",
    "village of Broadview burglary",
    "Broadview PD assist",
    "Broadview Ave shooting",
    "Krome Ave traffic crash",
    "patrol check",
    "US Marshals fugitive task force",
    "special deputation for the regional fugitive task force",
    "found visa card",
]


@pytest.mark.parametrize(("text", "agencies"), AGENCY_ONLY)
def test_an_agency_alone_is_held_for_review_and_named(text: str, agencies: tuple[str, ...]) -> None:
    result = screen(text)
    assert result.category == "needs_review", result
    assert result.agencies == agencies
    assert result.evidence and result.why


@pytest.mark.parametrize(
    ("text", "agencies"),
    [
        ("assist HSI fentanyl case", ("ICE-HSI",)),
        ("HSI human trafficking", ("ICE-HSI",)),
        ("assist ICE narcotics", ("ICE",)),
        ("ICE NARCOTICS", ("ICE",)),
        ("CBP cargo theft", ("CBP",)),
    ],
)
def test_an_agency_beside_an_offence_is_the_beneficiary_not_the_purpose(text: str, agencies: tuple[str, ...]) -> None:
    result = screen(text)
    assert result.category == "criminal", result
    assert result.agencies == agencies
    assert "judged as if it had asked" in result.why


@pytest.mark.parametrize("text", ["ice possession", "meth ice sales", "Ice narcotics"])
def test_lower_case_ice_beside_drug_words_is_the_drug(text: str) -> None:
    result = screen(text)
    assert result.category == "criminal"
    assert result.agencies == ()


@pytest.mark.parametrize(
    "text",
    [
        "patrol",
        "Patrol",
        "PATROL",
        "inv",
        "investigation",
        "BOLO",
        "traffic",
        "warrant",
        "follow-up",
        "suspicious vehicle",
        "stolen vehicle",
        "welfare check",
        "missing person",
        "theft",
        "burglary",
        "narcotics",
        "LPR hit",
        "area check",
    ],
)
def test_a_single_generic_word_is_never_immigration(text: str) -> None:
    result = screen(text)
    assert result.category not in ("civil_immigration", "needs_review"), result
    assert result.agencies == ()


@pytest.mark.parametrize("text", NOT_IMMIGRATION)
def test_look_alikes_are_not_immigration(text: str) -> None:
    result = screen(text)
    assert result.category not in ("civil_immigration", "needs_review"), result
    assert not {"ICE", "ICE-ERO", "ICE-HSI", "CBP", "CBP-USBP", "DHS", "USCIS"} & set(result.agencies)


@pytest.mark.parametrize(("text", "agencies"), IMMIGRATION)
def test_evidence_points_at_the_input(text: str, agencies: tuple[str, ...]) -> None:
    for item in screen(text).evidence:
        assert isinstance(item, Evidence)
        assert text[item.start : item.end] == item.text
        assert item.text.strip() and item.rule


def test_evidence_names_the_rule_and_span() -> None:
    result = screen("plate run for I.C.E. re case 25-1234")
    assert [(e.text, e.rule) for e in result.evidence] == [("I.C.E", "agency:ICE")]
    assert result.evidence[0].start == 14
    forms = screen("I-247A served").evidence
    assert [(e.text, e.rule) for e in forms] == [("I-247A", "form:I-247A")]


def test_agencies_are_the_most_specific_named() -> None:
    assert screen("DHS/ICE/ERO").agencies == ("ICE-ERO",)
    assert screen("HSI").agencies == ("ICE-HSI",)
    assert screen("ICE").agencies == ("ICE",)
    assert screen("DHS").agencies == ("DHS",)
    assert screen("Border Patrol").agencies == ("CBP-USBP",)
    assert screen("HSI with FBI and DEA").agencies == ("ICE-HSI",)


@pytest.mark.parametrize("text", ["assist FBI bank robbery", "Secret Service counterfeit", "TSA assist", "Coast Guard assist"])
def test_other_agencies_are_evidence_but_not_named_as_parties(text: str) -> None:
    # Callers treat a named agency as the party the request is for, and the retro audit flags any
    # DHS component (USSS, TSA, USCG): only immigration agencies are returned in `agencies`.
    result = screen(text)
    assert result.category != "civil_immigration"
    assert result.agencies == ()
    assert any(e.rule.startswith("agency:") for e in result.evidence)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("", "vague:empty"),
        ("   ", "vague:empty"),
        ("...", "vague:punctuation"),
        ("d", "vague:one_character"),
        (".", "vague:punctuation"),
        ("inv", "vague:term"),
        ("Investigation", "vague:term"),
        ("BOL", "vague:term"),
        ("locate", "vague:term"),
        ("25-136102", "vague:case_number"),
        ("20260332", "vague:case_number"),
        ("case #2026-0380", "vague:case_number"),
        ("RD JH123456", "vague:case_number"),
        ("inv 25-1234", "vague:term+case_number"),
        ("daytime search for best result", "vague:term"),
    ],
)
def test_reasons_that_hide_the_purpose_are_vague(text: str, rule: str) -> None:
    result = screen(text)
    assert result.category == "vague"
    assert [e.rule for e in result.evidence] == [rule]


def test_none_is_vague() -> None:
    assert screen(None).category == "vague"
    assert screen(None).score == 1.0


def test_vagueness_ranks_how_little_a_reason_says() -> None:
    scores = [screen(t).score for t in ("", "25-136102", "investigation", "suspicious vehicle")]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > scores[-1]


@pytest.mark.parametrize("text", ["stolen vehicle", "10851 VC INV", "auto burg investigation", "armed robbery suspect", "ICAC", "459 PC"])
def test_named_crimes_are_criminal(text: str) -> None:
    result = screen(text)
    assert result.category == "criminal"
    assert any(e.rule.startswith("criminal:") for e in result.evidence)
    assert result.score < 0.5


@pytest.mark.parametrize("text", ["welfare check please", "parking complaint", "found property", "lost plate"])
def test_plain_reasons_are_other(text: str) -> None:
    assert screen(text).category == "other"


def test_an_immigration_purpose_wins_over_a_named_crime() -> None:
    result = screen("deportation officer robbery")
    assert result.category == "civil_immigration"
    assert {e.rule for e in result.evidence} == {"term:deport"}


def test_acronyms_run_together_are_split() -> None:
    assert screen("iceero").category == "civil_immigration"
    assert screen("ICEHSI").agencies == ("ICE-HSI",)
    assert screen("assistICE").agencies == ("ICE",)
    for word in ("notice", "police", "justice", "office", "service"):
        assert screen(word).agencies == ()


def test_the_model_only_ever_asks_for_review_and_says_so() -> None:
    # A word the lexicon does not know, that the character n-grams recognise.
    result = screen("alienz")
    assert result.category == "needs_review", result
    assert [e.rule.split(" ")[0] for e in result.evidence] == ["model:char-ngram"]
    from sanctuary.screening import purpose

    assert purpose.MODEL_THRESHOLD >= 0.9


def test_an_adjacent_word_beside_a_service_purpose_is_not_held() -> None:
    result = screen("migrant shelter welfare check")
    assert result.category == "other"
    assert [e.rule for e in result.evidence] == ["adjacent:status"]
    assert screen("migrant shelter").category == "needs_review"


@pytest.mark.parametrize("text", ["Cicero", "Romero", "per Det Romero", "Orland Park", "Guerrero", "Ortega", "Borden"])
def test_the_model_never_judges_place_names_or_surnames(text: str) -> None:
    assert screen(text).category not in ("civil_immigration", "needs_review")


def test_the_model_does_not_override_a_declined_look_alike() -> None:
    # "ice" is declined by the lexicon in "ice age"; the model alone must not bring it back.
    assert screen("ice age").category == "other"


def test_screen_is_cached_and_batch_keeps_order() -> None:
    assert screen("ICE warrant") is screen("ICE warrant")
    texts = ["ICE", "inv", "ICE", None, "stolen vehicle"]
    results = screen_many(texts)
    assert [r.category for r in results] == ["needs_review", "vague", "needs_review", "vague", "criminal"]
    assert results[0] is results[2]


def test_long_input_is_bounded() -> None:
    result = screen("stolen vehicle " * 1000 + " ICE")
    assert result.category == "criminal"  # only the first MAX_LENGTH characters are read
    assert all(e.end <= MAX_LENGTH for e in result.evidence)


def test_to_dict_shape() -> None:
    data = screen("ICE+ERO").to_dict()
    assert data == {
        "category": "civil_immigration",
        "agencies": ["ICE-ERO"],
        "evidence": [
            {"start": 0, "end": 3, "text": "ICE", "rule": "agency:ICE"},
            {"start": 4, "end": 7, "text": "ERO", "rule": "unit:ICE-ERO"},
        ],
        "score": data["score"],
    }
    assert isinstance(screen("x"), PurposeScreen)
    assert 0.9 < data["score"] <= 1.0


def test_every_agency_the_lexicon_names_is_in_the_registry() -> None:
    # The decision core resolves each named agency in the registry and denies on an unknown one.
    from sanctuary.agencies import load_registry
    from sanctuary.screening import lexicon

    registry = load_registry()
    for term in lexicon.TERMS:
        if term.agency is None:
            continue
        agency = registry.resolve(term.agency)
        assert agency is not None and agency.id == term.agency, term.rule
        if term.weight > 0:  # an immigration term names an immigration agency (or DHS, their parent)
            assert agency.immigration_enforcement or agency.id == "DHS", term.rule


@pytest.mark.parametrize(
    ("text", "agencies"),
    [
        ("assist w/ e.r.o. pickup", ("ICE-ERO",)),
        ("a e.r.o. pickup", ("ICE-ERO",)),
        ("ride along w/ h.s.i. for e.r.o.", ("ICE-ERO", "ICE-HSI")),
        ("e,r,o pickup", ("ICE-ERO",)),
        ("theft|ICE|ERO", ("ICE-ERO",)),
    ],
)
def test_a_letter_padded_before_a_spelled_out_unit_does_not_hide_it(text: str, agencies: tuple[str, ...]) -> None:
    # "w/ e.r.o." was read "we ro": a permit for an FBI request "assist w/ e.r.o. pickup"; a comma
    # or a bar between the letters or the words hid them too.
    result = screen(text)
    assert result.category == "civil_immigration" and set(result.agencies) == set(agencies), text


@pytest.mark.parametrize("text", ["Imm. & Customs Enf.", "Immig. and Customs Enf.", "U.S. Imm & Customs Enforcement"])
def test_the_agency_name_cut_short_names_ice(text: str) -> None:
    assert screen(text).agencies == ("ICE",), text


def test_every_term_of_the_lexicon_compiles() -> None:
    # Terms compile on first use (a reason with one of their trigger words): a broken expression
    # must fail here, not on the first request that wakes it.
    from sanctuary.screening import lexicon

    for term in lexicon.TERMS:
        assert term.pattern.pattern == term.regex, term.rule
        assert (term.unless.pattern if term.unless is not None else None) == term.unless_regex, term.rule


def test_categories_are_the_five_of_the_contract() -> None:
    from sanctuary.screening.purpose import CATEGORIES

    texts = [t for t, _ in IMMIGRATION + AGENCY_ONLY] + NOT_IMMIGRATION + ["", "inv", "stolen", "lost plate"]
    assert {screen(t).category for t in texts} == set(CATEGORIES)


@pytest.mark.parametrize(("text", "agencies"), IMMIGRATION)
def test_padding_with_case_numbers_and_vague_words_hides_nothing(text: str, agencies: tuple[str, ...]) -> None:
    for padded in (f"25-136102 {text}", f"inv {text}", f"{text} per agent request", f"{text.upper()}!!"):
        result = screen(padded)
        assert result.category == "civil_immigration", padded
        assert result.agencies == agencies, padded


def test_trigger_words_never_change_a_result(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each term runs only on reasons holding one of its trigger words; running every term on every
    # reason of the training corpus, and on their evasions, must give exactly the same results.
    import csv
    from pathlib import Path

    from sanctuary.screening import evasion, lexicon, purpose

    corpus = Path(__file__).resolve().parent.parent / "docs/data/reasons.csv"
    with corpus.open(newline="", encoding="utf-8") as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    texts += [variant for text in texts[::7] for _, variant in evasion.variants(text)]
    fast = [purpose._screen(t) for t in texts]
    monkeypatch.setattr(lexicon, "candidate_terms", lambda tokens: list(lexicon.TERMS))
    slow = [purpose._screen(t) for t in texts]
    assert [t for t, a, b in zip(texts, fast, slow, strict=True) if a != b] == []


def test_every_text_field_is_screened_and_evidence_names_its_field() -> None:
    from sanctuary.screening import screen_fields

    result = screen_fields({"purpose.text": "stolen vehicle", "purpose.case_number": "ERO-2025-0113"})
    assert result.category == "civil_immigration" and result.agencies == ("ICE-ERO",)
    assert [(e.field, e.text, e.start) for e in result.evidence] == [("purpose.case_number", "ERO", 0)]
    beneficiary = screen_fields({"purpose.text": "fentanyl case", "requester.officer": "HSI SA Smith"})
    assert beneficiary.category == "criminal" and beneficiary.agencies == ("ICE-HSI",)
    assert {e.field for e in beneficiary.evidence} == {"purpose.text", "requester.officer"}
    assert screen_fields({"purpose.text": "inv", "purpose.case_number": "25-136102"}).category == "vague"
    assert screen_fields({"purpose.text": None, "purpose.case_number": " "}).category == "vague"
    # fields are not run together: "I" ending one field and "CE" starting the next is not ICE
    assert screen_fields({"purpose.text": "check I", "purpose.case_number": "CE 25-1"}).agencies == ()
    assert screen("ICE").to_dict()["evidence"][0].keys() == {"start", "end", "text", "rule"}


# --- issue 25: the words a hostile requester writes instead of "immigration" ------------------------

# Each screened `other`, `vague` or `needs_review` before (review of issue 25): an immigration purpose
# said in the words of a jail, an ICE form or the street. (reason, the agencies it must name)
HOSTILE = [
    ("no papers", ()),
    ("subject has no papers", ()),
    ("driver without papers, locate", ()),
    ("ICE interest", ("ICE",)),
    ("subject of ICE interest", ("ICE",)),
    ("I.C.E. has an interest in subject", ("ICE",)),
    ("ICEinterest", ("ICE",)),
    ("previously removed", ()),
    ("subject previously removed from the US", ()),
    ("prior removal", ()),
    ("reentry after removal", ()),
    ("removed alien", ()),
    ("final order", ()),
    ("subject has a final order", ()),
    ("fnl ordr", ()),
    ("final ord of removal", ()),
    ("criminal noncitizen", ()),
    ("undocumented non-citizen", ()),
    ("illegally present", ()),
    ("undoc", ()),
    ("alien reg", ()),
    ("A#", ()),
    ("verify A# of driver", ()),
    ("pull A-file", ()),
    ("ankle monitor from ICE", ("ICE",)),
    ("ICE ankle monitor", ("ICE",)),
    ("ankle monitor ICE", ("ICE",)),
    ("ICE ATD", ("ICE",)),
    ("removel proceedings", ()),
    ("removal proceedngs", ()),
    # siblings already read before, kept here so a change to the new rules cannot lose them
    ("E.R.O.", ("ICE-ERO",)),
    ("deportable", ()),
    ("alien registration", ()),
    ("A-number", ()),
    ("A# 123456789", ()),
    ("visa overstay", ()),
    ("overstayed visa", ()),
    ("self-deport", ()),
    ("illegal alien", ()),
    ("out of status", ()),
    ("removal proceedings", ()),
    ("final order of removal", ()),
]

# Their ordinary police meaning: neither immigration nor held, and no immigration agency named.
POLICE_MEANING = [
    "final order of protection",
    "order of protection",
    "serve final order",
    "FOP served, final order",
    "final order of custody",
    "removal of vehicle",
    "order of removal of vehicle",
    "papers",
    "no license",
    "no license no papers",
    "vehicle no papers",
    "dog has no papers",
    "no papers for the trailer",
    "deported vehicle",
    "vehicle previously removed",
    "subject previously removed from the store",
    "trespasser previously removed by security",
    "prior removal of debris",
    "parolee ankle monitor",
    "ankle monitor violation",
    "A file",
    "Apt A#5",
    "Plan A",
    "person of interest",
]


@pytest.mark.parametrize(("text", "agencies"), IMMIGRATION + HOSTILE)
def test_immigration_reasons_are_caught_with_their_agencies(text: str, agencies: tuple[str, ...]) -> None:
    """The reasons a requester writes, hostile ones (HOSTILE: abbreviated, misspelt, run together) too."""
    result = screen(text)
    assert result.category == "civil_immigration", result
    assert result.agencies == agencies
    assert result.score >= 0.8
    assert result.evidence, "every flag carries its evidence"
    for item in result.evidence:
        assert text[item.start : item.end] == item.text


@pytest.mark.parametrize("text", POLICE_MEANING)
def test_the_same_words_in_their_police_meaning_are_not(text: str) -> None:
    result = screen(text)
    assert result.category not in ("civil_immigration", "needs_review"), result
    assert result.agencies == ()


@pytest.mark.parametrize(
    ("text", "agencies"), [("noncitizen", ()), ("non-citizen locate", ()), ("I.C.E.", ("ICE",)), ("HSI interest", ("ICE-HSI",))]
)
def test_a_status_or_an_agency_with_no_purpose_is_still_only_held(text: str, agencies: tuple[str, ...]) -> None:
    # "noncitizen" says what a person is, as "alien" and "foreign national" do, not what is wanted;
    # HSI's "interest" may be a criminal case's: held for the desk, not called immigration.
    result = screen(text)
    assert result.category == "needs_review", result
    assert result.agencies == agencies


def test_a_deported_vehicles_owner_is_a_person() -> None:
    assert screen("deported vehicle owner").category == "civil_immigration"
    assert screen("deported vehicle").category == "other"


# Disguises the normaliser undoes for every word (digit swaps are undone only into an immigration word,
# so "1n73r357" stays a number; a spaced "A #" is an apartment's as often as an A-number's).
_DISGUISES = ("homoglyph_one", "homoglyph_all", "fullwidth", "invisible", "soft_hyphens", "accents", "combining", "upper", "alternating")
_PADDING = ("", "25-136102 ", "inv ", "per Det Romero: ", "assist other agency ")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(HOSTILE), st.sampled_from(_DISGUISES), st.sampled_from(_PADDING), st.sampled_from(["", " asap", " 2026-0380"]))
def test_hostile_words_disguised_and_padded_are_still_immigration(
    case: tuple[str, tuple[str, ...]], disguise: str, before: str, after: str
) -> None:
    from sanctuary.screening import evasion

    text = before + evasion.TRANSFORMS[disguise](case[0]) + after
    assert screen(text).category == "civil_immigration", text


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(POLICE_MEANING), st.sampled_from(_PADDING), st.sampled_from(["", " asap", " 2026-0380", " upper"]))
def test_police_meanings_padded_stay_police(text: str, before: str, after: str) -> None:
    if after == " upper":
        text, after = text.upper(), ""
    result = screen(before + text + after)
    assert result.category not in ("civil_immigration", "needs_review"), before + text + after
