"""The Chicago and Illinois profiles beyond their scenario tables (profiles/<name>/scenarios.toml, run by
`sanctuary policy test` and tests/test_pack_scenarios.py): redactions, refusals, parameters, and like
cases decided alike."""

from __future__ import annotations

import pytest

from conftest import decide, pipeline_for, request
from sanctuary.models import RequestError, parse_request

FED_WARRANT = {
    "type": "judicial_warrant",
    "court": "United States District Court for the Northern District of Illinois",
    "signed_by": "Hon. M. Reyes, U.S. Magistrate Judge",
    "criminal": True,
}
COURT_ORDER = {"type": "court_order", "court": "Circuit Court of Cook County", "signed_by": "Judge A. Novak"}
DETAINER = {"type": "I-247A"}
FELON = {"felony_conviction": True}


def db(agency, text=None, category=None, **kw):
    purpose = {k: v for k, v in (("text", text), ("category", category)) if v}
    return request("database_query", agency, purpose=purpose, resource={"system": "CLEAR"}, **kw)


def search(agency, type_, text=None, category="criminal", **kw):
    purpose = {k: v for k, v in (("text", text), ("category", category)) if v}
    return request("database_query", agency, purpose=purpose, resource={"search": {"type": type_, "person_id": "P0000001"}}, **kw)


def inquiry(agency, topics, **kw):
    return request("custody_inquiry", agency, resource={"fields": topics}, **kw)


def op(agency, type_, civil, text=None, **kw):
    return request(
        "operational_support", agency, operation={"type": type_, "civil_immigration": civil}, purpose={"text": text} if text else {}, **kw
    )


@pytest.mark.parametrize("profile", ["chicago-2012", "chicago-2021"])
def test_status_is_redacted_from_data_and_cited(profile):
    d = decide(profile, db("FBI", "bank robbery", "criminal"))
    assert d.decision == "permit"
    assert {"immigration_status", "citizenship"} <= set(d.redact)
    assert any("2-173-030" in c for c in d.citations)


def test_status_disclosed_on_court_order_under_2021_only_where_the_exception_exists():
    with_order = db("FBI", "bank robbery", "criminal", documents=[COURT_ORDER])
    assert decide("chicago-2021", with_order).redact == []
    assert "immigration_status" in decide("chicago-2012", with_order).redact


def test_no_redaction_outside_data_requests_or_under_trust():
    assert decide("chicago-2021", request("detainee_access", "FBI")).redact == []
    assert decide("illinois-trust", db("FBI", "bank robbery", "criminal")).redact == []


def test_unregistered_requester_is_denied_and_cited():
    d = decide("chicago-2021", db("Ministry of Truth", "robbery"))
    assert d.decision == "deny" and d.citations == ["unregistered requester"] and "requester.agency" in d.error


def test_unregistered_on_behalf_of_is_denied():
    d = decide("chicago-2021", db("FBI", "robbery", on_behalf_of="Agency of Nowhere"))
    assert d.decision == "deny" and d.error.startswith("on_behalf_of")


def test_non_law_enforcement_registered_agency_gets_default_deny():
    d = decide("chicago-2021", db("USCIS", "benefit fraud"))
    assert d.decision == "deny" and d.citations[0] == "No permitting rule (default deny)" and d.error is None
    # every clause that also forbids what was asked is cited with the default deny (issue 25, item 8)
    assert d.citations[1:] == ["MCC 2-173-030(a)(1)"] and d.rules == ["chicago-2021:030-a-status"]


def test_named_agency_is_judged_as_requester():
    d = decide("chicago-2019-mayoral", db("Evanston PD", "assist ICE+ERO"))
    assert d.on_behalf_of == ["ICE-ERO"]
    assert "Judged as a request by ICE Enforcement and Removal Operations" in d.explanation


def test_unknown_custody_topic_is_a_field_error():
    d = decide("chicago-2021", inquiry("USMS", ["shoe_size"]))
    assert d.decision == "deny" and d.error.startswith("resource.fields")


def test_mayoral_dropped_carveout_parameter():
    raw = request("detainee_access", "ICE-ERO", subject={"gang_database": True})
    assert decide("chicago-2019-mayoral", raw).decision == "permit"
    dropped = pipeline_for("chicago-2019-mayoral", params=(("chicago-2019-mayoral.dropped_carveouts", ("gang_member",)),))
    from sanctuary.models import parse_request

    d = dropped.decide(parse_request(raw))
    assert d.decision == "deny" and "chicago-2012:042-b1-ice-custody" in d.rules
    assert dropped.engine.policy_hash != pipeline_for("chicago-2019-mayoral").engine.policy_hash


def test_2012_law_had_no_database_rule():
    d = decide("chicago-2012", db("ICE-ERO", "fugitive operations", "civil_immigration"))
    assert d.decision == "permit" and "chicago-2012:030-status" in d.rules


def test_ero_presumption_is_the_registry_flag_not_the_name(reg):
    """Only units flagged civil_immigration_mission carry the presumption: HSI with no purpose does not."""
    assert reg.get("ICE-ERO").civil_immigration_mission and not reg.get("ICE-HSI").civil_immigration_mission
    assert decide("chicago-2021", db("HSI")).decision == "permit"
    assert decide("chicago-2021", db("FBI", on_behalf_of="ICE-ERO")).decision == "deny"


# The law in force in Chicago: the ordinance and the TRUST Act (issue 10's corrections: profiles/chicago-2021/scenarios.toml).
CHICAGO = ("chicago-2021", "illinois-trust")
I9 = {"text": "worksite I-9 audit of a restaurant", "category": "other"}


@pytest.mark.parametrize("profiles", [("chicago-2021",), CHICAGO])
@pytest.mark.parametrize("via", ["FBI", "DEA"])
def test_a_request_naming_hsi_is_decided_as_hsi_asking(profiles, via):
    """An FBI or DEA request naming HSI in a fentanyl case, and HSI asking directly: like cases alike."""
    purpose = {"text": "fentanyl trafficking", "category": "criminal"}
    direct = search("HSI", "warrant", **{"category": "criminal", "text": "fentanyl trafficking"})
    named = search(via, "warrant", "HSI fentanyl trafficking case")
    declared = search(via, "warrant", on_behalf_of="HSI", **{"text": purpose["text"]})
    decisions = [decide(profiles, r) for r in (direct, named, declared)]
    assert len({d.decision for d in decisions}) == 1, [d.explanation for d in decisions]
    assert decisions[0].decision == ("permit" if profiles == ("chicago-2021",) else "deny")
    assert all("ICE-HSI" in d.judged_as for d in decisions)


def test_a_worksite_i9_audit_is_civil_immigration_enforcement():
    # the requester does not call it civil; the purpose does
    assert decide(CHICAGO, op("Cook County Sheriff", "on_site_support", False, I9["text"])).decision == "deny"
    assert decide(CHICAGO, op("Cook County Sheriff", "on_site_support", False, "armed robbery at a restaurant")).decision == "permit"
    assert decide(CHICAGO, search("Evanston PD", "contact", I9["text"], category=None)).decision == "deny"
    assert decide(CHICAGO, search("Evanston PD", "contact", "wage theft by a restaurant owner", category=None)).decision == "permit"


@pytest.mark.parametrize("name", ["Immigration and Customs Enforcement", "ICE", "DHS", "Homeland Security"])
def test_a_parent_agency_is_judged_as_every_component_it_may_be(name):
    """'Immigration and Customs Enforcement' with purpose 'inv' was permitted where ICE-ERO was denied."""
    d = decide("chicago-2021", db(name, "inv"))
    assert d.decision == "deny" and "ICE-ERO" in d.judged_as
    assert "may be any of its components" in d.explanation
    release = decide("chicago-2021", inquiry(name, ["release_date"]))
    assert release.decision == "deny"


def test_doj_is_judged_as_each_of_its_components_and_a_permit_must_hold_for_all():
    assert decide("chicago-2021", db("DOJ", "bank robbery", "criminal")).decision == "permit"
    d = decide("chicago-2021", request("detention_hold", "DOJ", documents=[DETAINER]))
    assert d.decision == "deny" and {"FBI", "USMS", "DEA"} <= set(d.judged_as)


@pytest.mark.parametrize("field", ["case_number", "officer"])
def test_every_free_text_field_goes_through_the_screen(field):
    raw = db("Evanston PD", "burglary", "criminal")
    text = "locate for deportation"
    if field == "case_number":
        raw["purpose"] = {**raw["purpose"], "case_number": text}
    else:
        raw["requester"] = {**raw["requester"], "officer": f"Det. Smith ({text})"}
    d = decide("chicago-2021", raw)
    assert d.decision == "deny" and "chicago-2021:020-a" in d.rules
    assert decide("chicago-2021", db("Evanston PD", "burglary", "criminal")).decision == "permit"


def test_an_agency_named_in_a_case_number_is_judged_as_if_it_asked():
    raw = db("Evanston PD", "burglary", "criminal")
    raw["purpose"] = {**raw["purpose"], "case_number": "ERO-CHI-2025-0042"}
    d = decide(CHICAGO, raw)
    assert d.decision == "deny" and "ICE-ERO" in d.on_behalf_of and "illinois-trust:15-databases" in d.rules


def test_a_287g_agency_without_a_criminal_purpose_acts_for_ice():
    """Deputised under 287(g), a sheriff's officers act for ICE: with no criminal purpose shown its
    release-date inquiry is an immigration-purpose request. A criminal purpose it only states
    (declared or in words) is a claim and shows nothing in Chicago (the `stated_purpose` parameters'
    default); a verified judge's criminal warrant shows one."""
    assert decide(CHICAGO, inquiry("Polk County FL SO", ["release_date"])).decision == "deny"
    criminal = inquiry("Polk County FL SO", ["release_date"], purpose={"text": "homicide", "category": "criminal"})
    assert decide(CHICAGO, criminal).decision == "deny"
    assert decide(CHICAGO, {**criminal, "purpose": {"text": "homicide"}}).decision == "deny"
    assert decide(CHICAGO, {**criminal, "documents": [FED_WARRANT]}).decision == "permit"


def test_an_ice_inquiry_under_the_2012_text_is_refused_whole_unless_the_parameter_reads_it_narrowly():
    """MCC 2-173-042(b)(1) (2012): whether "regarding a person's custody status or release date"
    qualifies "responding to ICE inquiries" is open in the text (chicago-2012.inquiry_scope)."""
    asked = inquiry("ICE-ERO", ["custody_status", "contact_information"])
    whole = decide("chicago-2012", asked)
    assert whole.decision == "deny" and "chicago-2012:042-b1-ice-inquiry-whole" in whole.rules and not whole.redact
    narrow = pipeline_for("chicago-2012", params=(("chicago-2012.inquiry_scope", ("custody_topics",)),), trusted=True).decide(
        parse_request(asked)
    )
    assert narrow.decision == "permit" and "custody_status" in narrow.redact and "home_address" not in narrow.redact


def test_a_parent_agency_is_refused_only_by_what_a_rule_says_of_a_component():
    """Issue 25, item 7: a name that may be any of its components (ICE: ERO, HSI, OPLA) meets every
    forbid rule in each reading, but the baseline asks only of the agencies named: ICE OPLA, not a
    law-enforcement agency, refuses nothing by itself, and no explanation names it."""
    for asked in (db("DEA", "narcotics", "criminal", on_behalf_of="ICE"), db("ICE", "narcotics", "criminal")):
        d = decide("chicago-2012", asked)
        assert d.decision == "permit" and "ICE-OPLA" in d.judged_as and "OPLA" not in d.explanation
        assert {"custody_status", "release_date"} <= set(d.redact)  # 2-173-042(b)(1) still withholds custody from every ICE reading
    forbidden = decide("chicago-2012", request("custody_transfer", "DEA", on_behalf_of="ICE"))
    assert forbidden.decision == "deny" and "chicago-2012:042-b1-ice-custody" in forbidden.rules
    assert decide("chicago-2012", db("USCIS", "benefit fraud")).citations[0] == "No permitting rule (default deny)"  # named itself


def test_every_clause_that_applies_is_cited_with_the_baseline():
    """Issue 25, item 8: FEMA is refused by the baseline under the proposed order, and §3 (DHS and
    every agency under it) forbids it too: both are cited, so the policy diff shows what the order adds."""
    d = decide("chicago-2019-proposed-eo", db("FEMA", "disaster relief"))
    assert d.decision == "deny" and d.citations[0] == "No permitting rule (default deny)"
    assert "Proposed EO point 3 (2019 proposal; never signed)" in d.citations and "proposed-eo-2019:s3-dhs-databases" in d.rules
    before = decide("chicago-2012", db("FEMA", "disaster relief"))
    assert "Proposed EO point 3 (2019 proposal; never signed)" not in before.citations


@pytest.mark.parametrize(
    ("profile", "rule"),
    [("chicago-2019-mayoral", "chicago-2019-mayoral:ice-databases"), ("chicago-2019-proposed-eo", "proposed-eo-2019:s3-dhs-databases")],
)
def test_what_the_city_publishes_to_everyone_is_open_as_the_department_states_it(profile, rule):
    """The directive cut ICE off from the police databases, point 3 from any police data-sharing
    platform: an open-data portal is neither. Whether data is public is the department's statement;
    a requester's is a claim, recorded, and opens nothing."""
    public = {"system": "open data portal", "fields": ["charge"], "publicly_available_to_anyone": True}
    asked = request("database_query", "ICE-ERO", purpose={"category": "civil_immigration"}, resource=public)
    stated = decide(profile, asked)
    assert stated.decision == "permit" and rule not in stated.rules
    claimed = decide(profile, asked, trusted=False)
    assert claimed.decision == "deny" and rule in claimed.rules
    assert "resource.publicly_available_to_anyone" in claimed.claims
    closed = decide(profile, {**asked, "resource": {**public, "publicly_available_to_anyone": False}})
    assert closed.decision == "deny" and rule in closed.rules


def test_what_is_public_is_stated_field_by_field_by_the_department_and_claimed_by_a_requester():
    """RCW 10.93.160(5) bars only "nonpublicly available personal information": a public booking record
    asked with a non-public address goes, the address does not (readings wa-20), on the department's
    statement; a requester's is a claim, recorded, and opens nothing. A field it names must be asked."""
    asked = request(
        "database_query",
        "ICE-ERO",
        purpose={"category": "civil_immigration"},
        resource={"fields": ["arrest_record", "home_address"], "publicly_available_fields": ["arrest_record"]},
    )
    stated = decide("washington", asked)
    assert stated.decision == "permit" and "home_address" in stated.redact and "arrest_record" not in stated.redact
    claimed = decide("washington", asked, trusted=False)
    assert claimed.decision == "deny" and "resource.publicly_available_fields" in claimed.claims
    with pytest.raises(
        RequestError, match=r"resource\.publicly_available_fields: .*\['arrest_record'\], which resource\.fields does not ask"
    ):
        parse_request({**asked, "resource": {"fields": ["home_address"], "publicly_available_fields": ["arrest_record"]}})


def test_a_stated_criminal_purpose_lifts_the_b1_bars_only_where_the_parameter_counts_it():
    """MCC 2-173-042(b)(1) (2012) asks whether ICE "is acting pursuant to a legitimate law enforcement
    purpose that is unrelated to the enforcement of a civil immigration law". A purpose ICE states is a
    claim: by default only a judge's criminal warrant shows it; chicago-2012.stated_purpose counts it."""
    narcotics = {"category": "criminal", "text": "21 U.S.C. 841 conspiracy"}
    asked = [inquiry("ICE-HSI", ["release_date"], purpose=narcotics), request("detainee_access", "ICE-HSI", purpose=narcotics)]
    counted = pipeline_for("chicago-2012", params=(("chicago-2012.stated_purpose", ("lifts_presumption",)),), trusted=True)
    for raw in asked:
        assert decide("chicago-2012", raw).decision == "deny"
        assert counted.decide(parse_request(raw)).decision == "permit"
    civil = inquiry("ICE-ERO", ["release_date"], purpose={"category": "civil_immigration", "text": "locate for removal"})
    assert counted.decide(parse_request(civil)).decision == "deny"
    assert counted.decide(parse_request(inquiry("ICE-HSI", ["release_date"]))).decision == "deny"  # no purpose stated


# Readings of MCC 2-173-042(c) (2012) the words retrieved leave open (chicago-2012.dropped_carveouts):
# the fact short of a carve-out, and the carve-out beside it.
OPEN_CARVEOUTS = [
    ({"gang_admission": True}, {"gang_database": True}),  # (c)(4): its words were not retrieved
    ({"felony_conviction": True, "felony_conviction_foreign_court_only": True}, FELON),  # (c)(2) "any court of competent jurisdiction"
    ({"juvenile_felony_adjudication_only": True}, FELON),  # (c)(2) "convicted"
    ({"pending_misdemeanor_charge": True}, {"pending_felony_charge": True}),  # (c)(3), its end not retrieved
]


@pytest.mark.parametrize(
    ("short", "carveout"), OPEN_CARVEOUTS, ids=[next(iter(s)) if len(s) == 1 else "foreign_court" for s, _ in OPEN_CARVEOUTS]
)
@pytest.mark.parametrize("kind", ["detainee_access", "detention_hold"])
def test_an_open_reading_of_the_carve_outs_counts_only_where_the_parameter_counts_it(short, carveout, kind):
    """The protective reading is the default: no carve-out; the department may count it (twin)."""
    asked = request(kind, "ICE-ERO", subject=short, documents=[DETAINER] if kind == "detention_hold" else [])
    assert decide("chicago-2012", asked).decision == "deny"
    counted = pipeline_for("chicago-2012", params=(("chicago-2012.dropped_carveouts", ()),), trusted=True)
    assert counted.decide(parse_request(asked)).decision == "permit"
    assert decide("chicago-2012", {**asked, "subject": carveout}).decision == "permit"


def test_a_civil_warrant_is_never_the_criminal_warrant_carve_out():
    asked = request("detainee_access", "ICE-ERO", subject={"outstanding_civil_warrant_only": True})
    counted = pipeline_for("chicago-2012", params=(("chicago-2012.dropped_carveouts", ()),), trusted=True)
    assert decide("chicago-2012", asked).decision == counted.decide(parse_request(asked)).decision == "deny"
    assert decide("chicago-2012", {**asked, "subject": {"outstanding_criminal_warrant": True}}).decision == "permit"


@pytest.mark.parametrize(
    "subject",
    [
        {"outstanding_criminal_warrant": True, "outstanding_civil_warrant_only": True},
        {"felony_conviction_foreign_court_only": True},
        {"felony_conviction": True, "juvenile_felony_adjudication_only": True},
        {"pending_felony_charge": True, "pending_misdemeanor_charge": True},
    ],
)
def test_a_fact_short_of_a_carve_out_that_contradicts_its_neighbour_is_a_field_error(subject):
    field = next(k for k in subject if k.endswith("_only") or k == "pending_misdemeanor_charge")
    with pytest.raises(RequestError) as refused:
        parse_request(request("detainee_access", "ICE-ERO", subject=subject))
    assert refused.value.field == f"subject.{field}" and "but subject." in refused.value.reason
