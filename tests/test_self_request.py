"""New York VTL §201(9)-(10) as enacted (issue 25): a person's request for her own records, bound to
the subject by the department (docs/requests.md), and a subpoena properly issued under the CPL
(a prosecutor's, no judge signed: fact prosecutor_subpoenas), each only where New York's text says so."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import pipeline_for
from sanctuary.models import SELF, Document, ForeignRequester
from sanctuary.pipeline import FAIL_CLOSED
from sanctuary.policy.courts import prosecutor_subpoenas
from sanctuary.policy.profiles import available
from sanctuary.screening import classify

NY = "new-york-dmv"
ASKED = ["application_documents", "license_federal_standard"]


def own(person: str | None = "P0000301", subject: dict[str, str] | None = None, **requester: Any) -> dict[str, Any]:
    checked = {"person_id": person} if person else {}
    return {
        "id": "self-1",
        "kind": "database_query",
        "requester": {"agency": SELF, **checked, **requester},
        "purpose": {"text": "her own records", "category": "other"},
        "resource": {"system": "DMV", "fields": ASKED},
        "subject": subject if subject is not None else {"person_id": "P0000301"},
    }


def test_a_self_request_bound_at_the_desk_gets_her_own_records_under_new_york() -> None:
    _, d = pipeline_for(NY).decide_raw(own())
    assert d.decision == "permit" and d.redact == [] and d.error is None
    assert "new-york-dmv:201-9-10-subject" in d.rules and "N.Y. Veh. & Traf. Law §201(9)(a), (10)(a)" in d.citations


@pytest.mark.parametrize("profile", [p for p in available() if p != NY])
def test_every_other_profile_refuses_a_bound_self_request(profile: str) -> None:
    """Their text is silent on a person asking for her own records: the baseline refuses her."""
    _, d = pipeline_for(profile).decide_raw(own())
    assert d.decision == "deny" and d.error is None, (profile, d.explanation)
    assert "not a registered law-enforcement agency" in d.explanation


def test_a_profile_silent_on_her_refuses_her_in_any_composition() -> None:
    """New York's permit opens only where every profile in force speaks to a self-request: adding a
    profile never turns a deny into a permit (tests/test_policy_properties.py)."""
    assert pipeline_for(NY).engine.self_requests
    for other in ("chicago-2021", "california", "illinois-trust"):
        both = pipeline_for(other, NY)
        assert not both.engine.self_requests
        assert both.decide_raw(own())[1].decision == "deny"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (own(person=None), "requester.person_id"),  # unbound: the department's identity check is missing
        (own(person="P0000302"), "requester.person_id, subject.person_id"),  # checked to be someone else
        (own(subject={"name": "Jane Example", "dob": "1990-01-01"}), "subject.person_id"),  # no record named
        ({**own(), "requester": {"agency": "NY-LOCAL-PD", "person_id": "P0000301"}}, "requester.person_id"),  # binds no agency
        # a plate, or a name, searched beside her bound subject: it may find another person's records
        ({**own(), "resource": {"system": "DMV", "fields": ASKED, "search": {"type": "plate", "plate": "ABC1234"}}}, "resource.search"),
        (
            {**own(), "resource": {"system": "DMV", "fields": ASKED, "search": {"type": "person", "name": "Jane Example"}}},
            "subject, resource.search",
        ),
    ],
)
def test_an_unbound_or_mismatched_self_request_is_refused_naming_the_field(raw: dict[str, Any], field: str) -> None:
    _, d = pipeline_for(NY).decide_raw(raw)
    assert d.decision == "deny" and d.citations == [FAIL_CLOSED] and d.error is not None
    assert d.error.startswith(f"{field}: "), d.error
    assert not d.rules and not d.redact


def test_at_the_departments_own_tool_the_self_request_is_its_statement_and_a_mismatch_still_refused() -> None:
    trusted = pipeline_for(NY, trusted=True)
    assert trusted.decide_raw(own(person=None))[1].decision == "permit"
    refused = trusted.decide_raw(own(person="P0000302"))[1]
    assert refused.decision == "deny" and refused.error and refused.error.startswith("requester.person_id, subject.person_id")
    for search in ({"type": "plate", "plate": "ABC1234"}, {"type": "person", "name": "Jane Example"}):  # not her identity
        raw = {**own(person=None), "resource": {"system": "DMV", "fields": ASKED, "search": search}}
        by_other = trusted.decide_raw(raw)[1]
        assert by_other.decision == "deny" and by_other.error and by_other.error.startswith("resource.search: "), by_other.error


def test_no_key_speaks_for_the_subject() -> None:
    path = pipeline_for(NY)
    with pytest.raises(ForeignRequester, match=r"requester\.agency: no key speaks for SUBJECT-SELF"):
        path.read(b'{"id": "k", "kind": "database_query", "requester": {"agency": "SUBJECT-SELF"}}', agency=SELF)
    outcome = path.handle_raw(b'{"id": "k", "kind": "database_query", "requester": {"agency": "SUBJECT-SELF"}}', agency=SELF)
    assert outcome.decision.decision == "deny" and outcome.refused is not None and outcome.refused.field == "requester.agency"


def subpoena(court: str, signer: str, **more: Any) -> dict[str, Any]:
    return {"type": "judicial_subpoena", "court": court, "signed_by": signer, "criminal": True, **more}


ADA = subpoena("Supreme Court of the State of New York, Queens County", "Assistant District Attorney J. Example")


@pytest.mark.parametrize(
    ("document", "states"),
    [
        (ADA, {"NY"}),
        ({**ADA, "text": "Subpoena duces tecum for individual records, CPL article 610"}, {"NY"}),
        (subpoena("County Court, Erie County, State of New York", "District Attorney J. Example"), {"NY"}),
        (subpoena("United States District Court for the Eastern District of New York", "Assistant United States Attorney"), set()),
        (subpoena("Superior Court of New Jersey, Bergen County", "Assistant Prosecutor J. Example"), {"NJ"}),
        (subpoena("Supreme Court of the State of New York, Queens County", "Attorney for the defendant"), set()),
        ({**ADA, "criminal": False}, set()),
        ({**ADA, "type": "administrative_subpoena"}, set()),
        ({**ADA, "court": ""}, set()),
    ],
)
def test_a_prosecutors_subpoena_is_read_by_the_state_of_its_court(document: dict[str, Any], states: set[str]) -> None:
    assert prosecutor_subpoenas([classify(Document.model_validate(document))]) == states


def cpl(agency: str = "NY-COUNTY-DA", document: dict[str, Any] = ADA) -> dict[str, Any]:
    return {
        "id": "cpl-1",
        "kind": "database_query",
        "requester": {"agency": agency},
        "purpose": {"text": "identity fraud prosecution", "category": "criminal"},
        "resource": {"system": "DMV", "fields": ASKED},
        "subject": {"person_id": "P0000301"},
        "documents": [document],
    }


def test_a_cpl_subpoena_opens_9_and_10_once_verified_and_is_held_until_then() -> None:
    assert pipeline_for(NY, trusted=True).decide_raw(cpl())[1].decision == "permit"
    gateway = pipeline_for(NY)
    request, held = gateway.decide_raw(cpl())
    assert held.decision == "deny" and held.held is not None and held.held.reason == "verification_required"
    assert set(held.held.lifts) == {"new-york-dmv:201-9-application-documents", "new-york-dmv:201-10-federal-standards"}
    assert request is not None
    resolved = gateway.resolve_held(request, held, [Document.model_validate(ADA)], "Officer A. Clerk").decision
    assert resolved.decision == "permit" and resolved.redact == []


def test_a_cpl_subpoena_does_not_open_12_a_nor_a_rule_elsewhere_that_needs_a_judge() -> None:
    hsi = pipeline_for(NY, trusted=True).decide_raw(cpl("HSI"))[1]
    assert hsi.decision == "deny" and "new-york-dmv:201-12-a" in hsi.rules
    chicago = {**cpl("FBI"), "resource": {"system": "CLEAR", "fields": ["place_of_birth", "home_address"]}}
    chicago["documents"] = [subpoena("Circuit Court of Cook County", "Assistant State's Attorney J. Example")]
    d = pipeline_for("chicago-2021", trusted=True).decide_raw(chicago)[1]
    assert d.decision == "permit" and "place_of_birth" in d.redact and "home_address" not in d.redact
