"""The descriptive fact `criminal_immigration`: which federal criminal immigration offence a request
names, whatever its purpose category, for each jurisdiction's own definition to decide on."""

from __future__ import annotations

import pytest

from conftest import request
from sanctuary.models import parse_request
from sanctuary.pipeline import screen_request
from sanctuary.policy.facts import derive
from sanctuary.policy.immigration_crimes import criminal_immigration
from sanctuary.policy.stated_purposes import stated_purposes
from sanctuary.screening import classify


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("8 U.S.C. § 1326(a) illegal re-entry", {"reentry"}),
        ("re-entry after removal", {"reentry"}),
        ("8 U.S.C. 1325 improper entry", {"entry"}),
        ("alien smuggling, 8 U.S.C. 1324(a)(1)(A)(ii)", {"smuggling"}),
        ("8 U.S.C. §1324a unlawful employment of aliens", {"employment"}),
        ("8 USC 1306 failure to carry alien registration", {"presence"}),
        ("visa fraud, 18 U.S.C. 1546", {"documents"}),
        ("false statement in naturalization, 18 U.S.C. 1015", {"naturalization"}),
        ("18 U.S.C. 911 false claim to citizenship", {"citizenship"}),
        ("falsely represented himself to be a U.S. citizen", {"citizenship"}),
        ("18 U.S.C. 922(g)(5) unlawful alien in possession of a firearm", {"unlawful_status"}),
        ("18 U.S.C. 922(g)(1) felon in possession", set()),
        ("911 call records", set()),
        ("armed robbery, 18 U.S.C. 2113", set()),
        ("drug smuggling", set()),
    ],
)
def test_kinds_named_in_words(text, kinds):
    assert criminal_immigration([text]) == kinds


def test_the_fact_reads_free_text_and_document_text_and_the_forms_shown():
    raw = request(
        "database_query",
        "HSI",
        purpose={"text": "criminal case", "category": "criminal"},
        documents=[{"type": "judicial_warrant", "text": "for violation of 8 U.S.C. 1326"}, {"type": "I-205"}],
    )
    req = parse_request(raw)
    facts = derive(req, purpose=screen_request(req), acting=[], documents=[classify(d) for d in req.documents])
    assert facts.criminal_immigration == {"reentry"}
    assert facts.immigration_forms == {"I-205"}


def test_a_federal_court_order_finding_probable_cause_counts_and_a_state_one_does_not():
    def facts(court, signer):
        raw = request(
            "custody_transfer",
            "CBP-USBP",
            documents=[
                {
                    "type": "court_order",
                    "court": court,
                    "signed_by": signer,
                    "criminal": True,
                    "probable_cause": True,
                }
            ],
        )
        req = parse_request(raw)
        return derive(req, purpose=screen_request(req), acting=[], documents=[classify(d) for d in req.documents])

    assert facts(
        "United States District Court for the Southern District of California", "Hon. B. Roe, United States Magistrate Judge"
    ).federal_probable_cause
    assert not facts("Superior Court of California, County of Fresno", "Hon. B. Roe, Judge of the Superior Court").federal_probable_cause


def _charges(*documents: dict) -> frozenset[str]:
    req = parse_request(request("custody_transfer", "ICE-ERO", purpose={"text": "8 U.S.C. 1326"}, documents=list(documents)))
    return derive(
        req, purpose=screen_request(req), acting=[], documents=[classify(d) for d in req.documents]
    ).federal_probable_cause_charges


FEDERAL_WARRANT = {
    "type": "judicial_warrant",
    "court": "United States District Court for the Central District of California",
    "signed_by": "Hon. A. Lin, United States Magistrate Judge",
    "criminal": True,
    "probable_cause": True,
}


def test_the_charge_of_a_federal_probable_cause_document_is_what_it_was_issued_for():
    assert _charges({**FEDERAL_WARRANT, "charge": "8 U.S.C. 1326(a)"}) == {"reentry"}
    assert _charges({**FEDERAL_WARRANT, "charge": "21 U.S.C. 841"}) == set()  # the request's words lift nothing
    assert _charges(FEDERAL_WARRANT) == set()  # a warrant that names no offence is for none
    # read from the text when none is declared; the declared charge when both are given
    assert _charges({**FEDERAL_WARRANT, "text": TEXT_1325}) == {"entry"}
    assert _charges({**FEDERAL_WARRANT, "text": TEXT_1325, "charge": "8 U.S.C. 1326"}) == {"reentry"}


TEXT_1325 = (
    "United States District Court for the Southern District of California. Warrant for arrest. Probable cause having "
    "been found that the defendant violated 8 U.S.C. 1325(a) in a criminal complaint. /s/ Hon. B. Roe, U.S. Magistrate Judge"
)


def test_the_charge_counts_only_for_a_federal_criminal_document_showing_probable_cause():
    state = {**FEDERAL_WARRANT, "court": "Superior Court of California, County of Fresno", "signed_by": "Hon. C. Roe, Judge"}
    assert _charges({**state, "charge": "8 U.S.C. 1326"}) == set()
    assert _charges({**FEDERAL_WARRANT, "probable_cause": False, "charge": "8 U.S.C. 1326"}) == set()
    assert _charges({"type": "I-200", "charge": "8 U.S.C. 1326"}) == set()


def test_a_magistrate_judges_order_is_a_federal_court_order_but_not_an_article_iii_judges():
    raw = request(
        "database_query",
        "ICE-ERO",
        documents=[
            {
                "type": "court_order",
                "court": "United States District Court for the Western District of Washington",
                "signed_by": "Hon. R. Roe, United States Magistrate Judge",
            }
        ],
    )
    req = parse_request(raw)
    facts = derive(req, purpose=screen_request(req), acting=[], documents=[classify(d) for d in req.documents])
    assert facts.federal_court_order and not facts.article_iii_order


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Global Entry application vetting, applicant's own record", {"trusted_traveler"}),
        ("NEXUS application vetting", {"trusted_traveler"}),
        ("export clearance of a vehicle, 19 CFR 192 documents", {"vehicle_trade"}),
        ("REAL ID issuance check", {"real_id"}),
        ("permanent ICE office at the jail intake", {"office_space", "individual_matter"}),
        ("office space dedicated to CBP at the station", {"office_space"}),
        ("locate for removal", set()),
        ("joint fugitive operations task force: removable aliens", {"joint_task_force"}),
        ("LA JTTF lead", {"joint_task_force"}),
        ("287(g) task force model deputies", {"enforcement_agreement"}),
        # A Title 8 designation grants immigration powers (read beside 287(g)); a Title 19 one is a deputation only (its grant is
        # the requester's word); housing anyone's detainees is California's (a)(6), not immigration detention.
        ("Title 8 cross-designation of deputies for a reentry unit", {"immigration_designation", "deputation"}),
        ("deputize officers as immigration officers", {"immigration_designation", "deputation"}),
        ("Title 19 customs cross-designation for narcotics", {"deputation"}),
        ("special deputation for the fugitive unit", {"deputation"}),
        ("intergovernmental agreement to house federal pretrial criminal detainees", {"detainee_housing", "individual_matter"}),
        ("agreement to house ICE detainees", {"detention_agreement", "detainee_housing", "individual_matter"}),
        ("deputies to check the detainee list", {"individual_matter"}),
        ("ask place of birth and citizenship of every arrestee at booking", {"status_inquiry", "in_custody", "individual_matter"}),
        ("question drivers about their immigration status at the checkpoint", {"status_inquiry"}),
        ("place of birth of the suspect in the burglary", {"individual_matter"}),
        # Gov. Code §7284.6(a)(3): material for the public, and a person's matter beside it (reading ca-169)
        ("language services: translation of public-safety flyers", {"language_services", "public_materials"}),
        (
            "translation of the brochures and interpreting at detainee interviews",
            {"language_services", "public_materials", "individual_matter"},
        ),
    ],
)
def test_statutory_purposes_named_in_words(text, kinds):
    assert stated_purposes([text]) == kinds


def test_the_fact_reads_the_purpose_words():
    raw = request("database_query", "USMS", purpose={"text": "locate defendant charged with 8 U.S.C. 1326", "category": "criminal"})
    req = parse_request(raw)
    facts = derive(req, purpose=screen_request(req), acting=[], documents=[])
    assert facts.criminal_immigration == {"reentry"}
