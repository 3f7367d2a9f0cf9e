"""No requester-controlled field turns a deny into a permit (issue 10), except the ones the law names.

The requests the law refuses by who asks or on what basis — ICE, CBP and DHS under every spelling, a
detainer or an administrative warrant, ALPR data to an agency without a declaration — are mutated in
every field a requester controls: claimed facts about the subject, claimed documents with any label,
the declared purpose category and the fields it says it wants, the agency's spelling (an alias, or a parent: read restrictively), the
kind and search type that reach the same information, the case number and the officer. None of it may
let a forbidden category out, or turn a refused transfer, hold or access into a permit.

The one requester field the law itself makes decisive is listed in `LIFTED_BY_LAW`, with its clause,
and tested both ways below: the purpose of a request by an agency the law does not name by identity
(MCC 2-173-030(b) is purpose-based).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adversarial.suite import AGENCIES, DECLARATIONS, Case, Leaks, known_gaps, load_cases, verdict
from gateway_harness import Running, start
from sanctuary.agencies import load_registry
from sanctuary.gateway.services import load_policy
from sanctuary.models import DOCUMENT_TYPES
from sanctuary.records import open_store
from sanctuary.records.demo import DEMO_PERSONS

# The requester fields the law makes decisive, and why. Everything else a requester writes is a claim.
LIFTED_BY_LAW = {
    "purpose": "MCC 2-173-030(b) bars database access for a purpose of civil immigration enforcement: for an agency "
    "the law does not name by identity, the purpose decides (docs/law/chicago-ordinance.md)",
}
CLAIMABLE_FACTS = ["outstanding_criminal_warrant", "felony_conviction", "pending_felony_charge", "gang_database", "gang_admission"]
COURTS = [
    None,
    "Circuit Court of Cook County",
    "United States District Court for the Northern District of Illinois",
    "Immigration Court",
    "Supreme Court",
]
SIGNERS = [None, "Hon. A. Novak", "Judge Y", "U.S. Magistrate Judge M. Reyes", "Immigration Officer", "Immigration Judge R. Hale"]
CASE_NUMBERS = [None, "24-CR-0113", "ERO-CHI-2026-0412", "HSI-CH-25-0113", "RD-JH-123456", "FUGOPS-0042", "X"]
OFFICERS = [None, "Det. A. Smith", "SA M. Diaz (I.C.E.)", "BPA K. Lee, U.S. Border Patrol", "Officer 4412"]
DATA_KINDS = ("database_query", "custody_inquiry")
# What a requester may declare it asks for: field names, category names, or nothing it could mean.
DECLARED_FIELDS = ["name", "address", "release_date", "custody_status", "immigration_status", "person_name", "identity", "arrests", "plate"]
REGISTRY = load_registry([AGENCIES])
HELP_GAP = known_gaps().get("property-help@chicago")


def routes(person_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every way the contract reaches one person's custody, contact and status information."""
    person = next(p for p in DEMO_PERSONS if p.person_id == person_id)
    by_name = {"name": person.name, "dob": person.dob.isoformat()}

    def db(kind: str, **who: str) -> dict[str, Any]:
        return {"kind": "database_query", "resource": {"system": "CLEAR", "search": {"type": kind, **who}}}

    def ask(fields: list[str], **extra: Any) -> dict[str, Any]:
        return {"kind": "custody_inquiry", "resource": {"fields": fields, **extra}, "subject": {"person_id": person_id}}

    return {
        "custody": [
            db("custody", person_id=person_id),
            db("custody", **by_name),
            ask(["custody_status"]),
            ask(["release_date"]),
            ask([]),
            {"kind": "custody_inquiry", "resource": {"search": {"type": "custody", "person_id": person_id}}},
        ],
        "contact": [db("contact", person_id=person_id), db("contact", **by_name), ask(["contact_information"])],
        "status": [db("person", person_id=person_id), db("person", **by_name)],
    }


def spellings(name: str) -> list[str]:
    """The names one agency answers to, and its ancestors' (a parent is read as every component)."""
    agency = REGISTRY.resolve(name)
    if agency is None:
        return [name]
    out = [agency.id, agency.name, *agency.aliases]
    for parent in agency.ancestors:
        p = REGISTRY.get(parent)
        out += [p.name, *p.aliases]
    return out


def named_by_identity(case: Case) -> bool:
    agency = REGISTRY.resolve(case.request["requester"]["agency"])
    return agency is not None and (agency.immigration_enforcement or agency.dhs)


def bases() -> list[Case]:
    """Cases the law refuses by who asks or on what basis (not by a purpose the requester could change)."""
    out = []
    for case in load_cases():
        if case.as_ != "requester" or case.expect.get("chicago") not in ("deny", "refused", "withheld") or case.request.get("on_behalf_of"):
            continue
        if case.attack in ("route_bypass", "detainer", "claimed_document", "claimed_fact") or (
            case.attack == "name" and named_by_identity(case)
        ):
            out.append(case)
        elif case.attack == "alpr" and case.request["requester"]["agency"] in ("FL-POLK-SO", "FBI", "CBP", "CBP-USBP", "ICE-HSI"):
            out.append(case)
    return out


BASES = bases()


DATA_BASES = [c for c in BASES if c.request["kind"] in DATA_KINDS]
HELP_BASES = [c for c in BASES if c.request["kind"] not in DATA_KINDS]


@st.composite
def mutations(draw: st.DrawFn, bases: list[Case]) -> tuple[Case, dict[str, Any]]:
    case = draw(st.sampled_from(bases))
    body = copy.deepcopy(case.body())
    agency = body["requester"]["agency"]
    body["requester"] = {"agency": draw(st.sampled_from(spellings(agency)))}
    officer = draw(st.sampled_from(OFFICERS))
    if officer:
        body["requester"]["officer"] = officer
    purpose = dict(body.get("purpose", {}))
    purpose["category"] = draw(st.sampled_from([None, "criminal", "other", "civil_immigration"]))
    purpose["case_number"] = draw(st.sampled_from(CASE_NUMBERS))
    body["purpose"] = {k: v for k, v in purpose.items() if v is not None}
    person_id = (body.get("subject") or {}).get("person_id") or ((body.get("resource") or {}).get("search") or {}).get("person_id")
    if body["kind"] in DATA_KINDS and person_id and (body.get("resource") or {}).get("system") != "ALPR":
        group = draw(st.sampled_from(sorted(routes(person_id))))
        route = copy.deepcopy(draw(st.sampled_from(routes(person_id)[group])))
        body.update(route)
    if body["kind"] == "database_query":
        fields = draw(st.lists(st.sampled_from(DECLARED_FIELDS), unique=True, max_size=3))
        if fields:
            body["resource"] = {**body.get("resource", {}), "fields": fields}
    elif body["kind"] not in DATA_KINDS:
        body["kind"] = draw(st.sampled_from(["custody_transfer", "detention_hold", "detainee_access", body["kind"]]))
    subject = dict(body.get("subject", {}))
    for fact in draw(st.lists(st.sampled_from(CLAIMABLE_FACTS), unique=True)):
        subject[fact] = True
    if subject:
        body["subject"] = subject
    docs = list(body.get("documents", []))
    for _ in range(draw(st.integers(0, 3))):
        doc = {"type": draw(st.sampled_from(DOCUMENT_TYPES))}
        for key, values in (("court", COURTS), ("signed_by", SIGNERS)):
            value = draw(st.sampled_from(values))
            if value:
                doc[key] = value
        for key in ("criminal", "probable_cause"):
            value = draw(st.sampled_from([None, True, False]))
            if value is not None:
                doc[key] = value
        docs.append(doc)
    if docs:
        body["documents"] = docs
    return case, body


@pytest.fixture(scope="module")
def chicago(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Running, Leaks]]:
    home = tmp_path_factory.mktemp("adversarial-property")
    policy = load_policy([], {}, [AGENCIES], jurisdiction="chicago", declarations=DECLARATIONS)
    assert policy.engine is not None, policy.error
    gw = start(home, str(home / "records.db"), str(home / "log.db"), policy=policy)
    records = open_store(gw.store_url)
    try:
        yield gw, Leaks(records)
    finally:
        records.close()
        gw.stop()


def ask(gw: Running, body: dict[str, Any]) -> tuple[int, dict[str, Any], str]:
    response = httpx.post(f"{gw.url}/v1/requests", json=body, headers={"Authorization": f"Bearer {gw.key('desk')}"}, timeout=30)
    return response.status_code, response.json(), response.text


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@SETTINGS
@given(mutations(DATA_BASES))
def test_no_requester_field_lets_a_forbidden_category_out(chicago: tuple[Running, Leaks], drawn: tuple[Case, dict[str, Any]]) -> None:
    gw, leaks = chicago
    case, body = drawn
    status, answer, text = ask(gw, body)
    assert status < 500, answer
    forbidden = case.forbidden_in("chicago") or ("custody_information", "contact_information", "status")
    leaked = leaks.found(text, answer, forbidden)
    assert not leaked, f"from {case.id}: {body} -> {leaked}"
    if (body.get("resource") or {}).get("system") == "ALPR":
        assert answer["decision"]["decision"] == "deny", f"from {case.id}: {body} -> {answer['decision']}"


@pytest.mark.xfail(bool(HELP_GAP), strict=True, reason=HELP_GAP or "")
@SETTINGS
@given(mutations(HELP_BASES))
def test_no_requester_field_turns_a_refused_transfer_hold_or_access_into_a_permit(
    chicago: tuple[Running, Leaks], drawn: tuple[Case, dict[str, Any]]
) -> None:
    gw, _ = chicago
    case, body = drawn
    status, answer, _ = ask(gw, body)
    assert status < 500, answer
    assert answer["decision"]["decision"] == "deny", f"from {case.id}: {body} -> {answer['decision']}"


def test_the_bases_cover_every_kind_of_refusal() -> None:
    assert {c.attack for c in DATA_BASES} >= {"route_bypass", "claimed_document", "claimed_fact", "name", "alpr"}
    assert {c.attack for c in HELP_BASES} >= {"detainer", "claimed_document", "claimed_fact"}
    assert len(DATA_BASES) >= 50 and len(HELP_BASES) >= 20


@pytest.mark.parametrize("law_named", sorted(LIFTED_BY_LAW))
def test_the_fields_the_law_names_do_decide(chicago: tuple[Running, Leaks], law_named: str) -> None:
    """The exception, both ways: the FBI's custody search for a civil immigration purpose is refused, the
    same search for a criminal one is granted (over-fbi-civil-declared / over-fbi-criminal-same-search)."""
    gw, _ = chicago
    cases = {c.id: c for c in load_cases()}
    civil, criminal = cases["over-fbi-civil-declared"], cases["over-fbi-criminal-same-search"]
    assert {k: v for k, v in civil.request.items() if k != law_named} == {k: v for k, v in criminal.request.items() if k != law_named}
    assert ask(gw, civil.body())[1]["decision"]["decision"] == "deny"
    assert verdict("permit", ask(gw, criminal.body())[1]["decision"])
