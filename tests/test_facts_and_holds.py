"""Facts carry their source (the department's records; a requester's statement is a claim) and
documents are verified, not declared (a request only a described document could open is held)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import registry, request
from gateway_harness import Running, start
from sanctuary.audit.entry import mac
from sanctuary.models import Document, Failure, RequestError, parse_request
from sanctuary.pipeline import OFFICER_REFUSAL, Pipeline, held_reference
from sanctuary.policy.engine import PolicyEngine
from sanctuary.records import open_store
from sanctuary.records.demo import fill
from sanctuary.records.facts import StoreFacts

MARIA, JAMES, ANH = "P0000001", "P0000002", "P0000003"  # no carve-out; an active warrant; a gang entry
COURT_ORDER = {"type": "court_order", "court": "Circuit Court of Cook County", "signed_by": "Judge A. Novak"}
FED_WARRANT = {
    "type": "judicial_warrant",
    "court": "United States District Court for the Northern District of Illinois",
    "signed_by": "Hon. M. Reyes, U.S. Magistrate Judge",
    "criminal": True,
}
I200_CRIMINAL = {"type": "I-200", "signed_by": "Immigration Officer", "criminal": True}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    opened = open_store(str(tmp_path_factory.mktemp("facts") / "records.db"))
    fill(opened, persons=10, seed=3)
    yield opened
    opened.close()


def pipeline(profiles: list[str], store=None, *, trusted: bool = False) -> Pipeline:
    facts = StoreFacts(lambda: store) if store is not None else None
    return Pipeline(PolicyEngine.load(profiles, registry()), facts=facts, trusted=trusted)


def access(person_id: str, **subject) -> dict:
    return request("detainee_access", "ICE-ERO", subject={"person_id": person_id, **subject})


def test_the_store_says_which_carveouts_a_subject_meets(store) -> None:
    facts = StoreFacts(lambda: store)
    assert facts.lookup(JAMES, None, None).carveouts == {"outstanding_criminal_warrant"}
    assert facts.lookup(ANH, None, None).carveouts == {"gang_member"}
    maria = facts.lookup(None, "Lopez, Maria", "1988-03-14")
    assert maria.found and maria.carveouts == frozenset() and maria.in_custody is True
    assert not facts.lookup("P9999999", None, None).found
    assert not facts.lookup(None, "Maria Lopez", None).found  # a name alone identifies nobody


def test_a_claimed_carveout_is_recorded_and_never_decides(store) -> None:
    """Under the 2012 law ICE opened 042(b)(1) by asserting the subject was in the gang database."""
    d = pipeline(["chicago-2012"], store).decide(parse_request(access(MARIA, gang_database=True)))
    assert d.decision == "deny" and "chicago-2012:042-b1-ice-custody" in d.rules
    assert d.claims == ["subject.gang_database"]
    assert d.facts_source.startswith("records store: subject found") and d.facts_source.endswith("; in custody")


def test_the_records_open_a_carveout_no_one_claimed(store) -> None:
    assert pipeline(["chicago-2012"], store).decide(parse_request(access(ANH))).decision == "permit"
    assert pipeline(["chicago-2012"], store).decide(parse_request(access(JAMES))).decision == "permit"


def test_an_unknown_subject_is_read_restrictively(store) -> None:
    d = pipeline(["chicago-2012"], store).decide(parse_request(access("P9999999", felony_conviction=True)))
    assert d.decision == "deny" and "not found" in d.facts_source and "not met" in d.facts_source
    without_records = pipeline(["chicago-2012"]).decide(parse_request(access(ANH, gang_database=True)))
    assert without_records.decision == "deny" and without_records.facts_source.startswith("none")


def test_at_the_department_the_statement_counts_unless_the_records_disagree(store) -> None:
    stated = pipeline(["chicago-2012"], trusted=True).decide(parse_request(access(MARIA, gang_database=True)))
    assert stated.decision == "permit" and stated.facts_source.startswith("department statement") and stated.claims == []
    checked = pipeline(["chicago-2012"], store, trusted=True).decide(parse_request(access(MARIA, gang_database=True)))
    assert checked.decision == "deny" and "the records decide" in checked.facts_source


def test_a_california_record_fact_is_no_2012_carveout() -> None:
    """§7282.5's circumstances are facts of the records too, but only the 2012 carve-outs lift 2-173-042."""
    d = pipeline(["chicago-2012"], trusted=True).decide(parse_request(access(MARIA, conviction_serious_or_violent_felony=True)))
    assert d.decision == "deny" and "chicago-2012:042-b1-ice-custody" in d.rules


def test_a_claimed_7282_5_circumstance_is_recorded_and_never_decides(store) -> None:
    """Over the gateway ICE cannot open a release date by saying the person is a serious felon: the
    records decide (the demo store holds no §7282.5 fact, so none is met)."""
    raw = request(
        "custody_inquiry",
        "ICE-ERO",
        resource={"fields": ["release_date"]},
        subject={"person_id": MARIA, "conviction_serious_or_violent_felony": True},
    )
    d = pipeline(["california"], store).decide(parse_request(raw))
    assert d.decision == "deny" and "california:7284-6-a1c-release" in d.rules
    assert d.claims == ["subject.conviction_serious_or_violent_felony"]
    stated = pipeline(["california"], trusted=True).decide(parse_request(raw))
    assert stated.decision == "permit" and stated.facts_source.startswith("department statement")


def test_facts_the_rules_in_force_do_not_read_are_not_looked_up() -> None:
    class Exploding:
        name = "exploding"

        def lookup(self, *_):
            raise AssertionError("looked up")

    p = Pipeline(PolicyEngine.load(["chicago-2021"], registry()), facts=Exploding())
    assert p.decide(parse_request(access(MARIA))).facts_source.startswith("not consulted")


def test_a_records_failure_fails_closed() -> None:
    class Down:
        name = "records store"

        def lookup(self, *_):
            raise ConnectionError("no route to host")

    d = Pipeline(PolicyEngine.load(["chicago-2012"], registry()), facts=Down()).decide(parse_request(access(ANH)))
    assert d.decision == "deny" and d.failure == Failure.store and "no route to host" in d.error


def person_query(agency: str, documents: list[dict], category: str = "criminal") -> dict:
    return request(
        "database_query",
        agency,
        purpose={"text": "retail theft ring", "category": category},
        resource={"search": {"type": "person", "person_id": MARIA}},
        documents=documents,
    )


def test_a_described_court_order_holds_the_request_until_verified() -> None:
    """ICE-ERO posted a court order in JSON and got status unredacted (issue #10). Asked here by HSI:
    ERO's civil mission is presumed and its own statement of a criminal purpose lifts nothing."""
    p = pipeline(["chicago-2021"])
    raw = person_query("ICE-HSI", [COURT_ORDER])
    held = p.decide(parse_request(raw))
    assert held.decision == "deny" and held.held is not None
    # a verified court order lifts 030(a) and, since 020(a) yields to it, 020(a)(3) (custody and contact)
    assert held.held.reason == "verification_required"
    assert held.held.lifts == ["chicago-2021:020-a3-custody-contact", "chicago-2021:030-a-status"]
    assert held.held.reference == held_reference(parse_request(raw)) == p.decide(parse_request(raw)).held.reference
    assert held.claims == ["documents[0]: court_order"] and held.redact == []
    # an officer verifies the real order: a new decision that names the held one
    resolved = p.resolve_held(parse_request(raw), held, [Document(**COURT_ORDER)], "Sgt. R. Diaz").decision
    assert resolved.decision == "permit" and resolved.resolves == held.held.reference
    assert not {"immigration_status", "citizenship", "place_of_birth"} & set(resolved.redact)
    assert "Sgt. R. Diaz" in resolved.explanation
    scan = p.resolve_held(parse_request(raw), held, [Document(**COURT_ORDER)], "Sgt. R. Diaz", unreadable=True).decision
    assert "could not read" in scan.explanation and scan.decision == "permit"


def test_a_verified_administrative_form_still_lifts_nothing() -> None:
    p = pipeline(["chicago-2021", "illinois-trust"])
    raw = request("custody_transfer", "USMS", documents=[{"type": "I-247A"}, FED_WARRANT])
    held = p.decide(parse_request(raw))
    assert held.held is not None and "chicago-2021:020-a1-no-basis" in held.held.lifts
    only_form = p.resolve_held(parse_request(raw), held, [Document(**I200_CRIMINAL)], "Sgt. R. Diaz").decision
    assert only_form.decision == "deny" and only_form.held is None and "chicago-2021:020-a1-no-basis" in only_form.rules
    with_warrant = p.resolve_held(parse_request(raw), held, [Document(**FED_WARRANT)], "Sgt. R. Diaz").decision
    assert with_warrant.decision == "permit"


@pytest.mark.parametrize("trusted", [False, True])
def test_an_i200_labelled_criminal_counts_for_nothing(trusted) -> None:
    raw = request("custody_transfer", "ICE-ERO", documents=[I200_CRIMINAL])
    d = pipeline(["chicago-2021"], trusted=trusted).decide(parse_request(raw))
    assert d.decision == "deny" and d.held is None


def test_nothing_to_lift_nothing_held() -> None:
    d = pipeline(["chicago-2021"]).decide(parse_request(request("detainee_access", "HSI", documents=[FED_WARRANT])))
    assert d.decision == "deny" and d.held is None  # 2-173-020(a)(2) has no exception a document could meet


def test_resolving_needs_the_held_request_and_an_officer() -> None:
    p = pipeline(["chicago-2021"])
    raw = parse_request(person_query("ICE-HSI", [COURT_ORDER]))
    held = p.decide(raw)
    other = parse_request({**person_query("ICE-HSI", [COURT_ORDER]), "id": "t-other"})
    for args in (
        (other, held, [], "Sgt"),
        (raw, held, [], " "),
        (raw, p.decide(parse_request(request("detainee_access", "FBI"))), [], "Sgt"),
    ):
        with pytest.raises(ValueError):
            p.resolve_held(*args)


def test_an_officer_refuses_a_held_request_on_the_rules_that_still_decide() -> None:
    p = pipeline(["chicago-2021"])
    raw = parse_request(person_query("ICE-HSI", [COURT_ORDER]))
    held = p.decide(raw)
    assert held.held is not None and held.held.reason == "verification_required" and held.rules
    refused = p.refuse_held(raw, held, "Sgt. R. Diaz", "the clerk has no such order").decision
    assert refused.decision == "deny" and refused.held is None and refused.resolves == held.held.reference
    assert refused.citations == held.citations and refused.rules == held.rules  # the forbids still decide
    assert "Sgt. R. Diaz closed held request" in refused.explanation and "the clerk has no such order" in refused.explanation
    with pytest.raises(RequestError, match="say why"):
        p.refuse_held(raw, held, "Sgt. R. Diaz", "  ")
    with pytest.raises(RequestError, match="officer"):
        p.refuse_held(raw, held, " ", "no such order")
    with pytest.raises(RequestError, match="not held"):
        p.refuse_held(raw, refused, "Sgt. R. Diaz", "no such order")


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    home = tmp_path_factory.mktemp("held")
    patch = pytest.MonkeyPatch()
    patch.setenv("SANCTUARY_HOME", str(home))
    running = start(home, str(home / "records.db"), str(home / "log.db"), profiles=["illinois-trust", "chicago-2021"])
    yield running
    running.stop()
    patch.undo()


def test_over_http_a_held_request_is_403_discloses_nothing_and_is_logged(gateway: Running) -> None:
    body = {**person_query("FBI", [COURT_ORDER]), "id": "t-held"}
    response = gateway.post("FBI", body)
    answer = response.json()
    assert response.status_code == 403 and "result" not in answer
    assert answer["decision"]["held"]["reason"] == "verification_required"
    entry = json.loads(gateway.get(f"/v1/audit/entries/{answer['log_index']}").content)
    decision_log = gateway.gateway.log.get()
    reference = answer["decision"]["held"]["reference"]
    assert entry["held"]["ref"] == mac(decision_log.hmac_key(), "held", reference.encode()) and reference not in json.dumps(entry)
    protected = decision_log.reveal(answer["log_index"])
    assert protected["held.reference"] == reference and protected["claims"] == ["documents[0]: court_order"]
    assert entry["not_copied"]["decision.claims"] == 1 and "claims" not in entry
    assert "disclosed" not in entry


def test_over_http_custody_by_database_search_is_refused_like_an_inquiry(gateway: Running) -> None:
    purpose = {"text": "robbery", "category": "criminal"}
    search = {"id": "t-s", "kind": "database_query", "purpose": purpose, "resource": {"search": {"type": "custody", "person_id": MARIA}}}
    inquiry = {"id": "t-i", "kind": "custody_inquiry", "purpose": purpose, "subject": {"person_id": MARIA}}
    for body in (search, inquiry):
        response = gateway.post("ICE-ERO", body)
        assert response.status_code == 403, response.text
        assert "2-173-020(a)(3)" in " ".join(response.json()["decision"]["citations"])
    contact = {**search, "id": "t-c", "resource": {"search": {"type": "contact", "person_id": MARIA}}}
    assert gateway.post("ICE-HSI", contact).status_code == 403


def test_over_http_the_facts_come_from_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    running = start(tmp_path, str(tmp_path / "records.db"), str(tmp_path / "log.db"), profiles=["chicago-2012"])
    try:
        claimed = running.post(
            "ICE-ERO", {"id": "t-gang", "kind": "detainee_access", "subject": {"person_id": MARIA, "gang_database": True}}
        )
        assert claimed.status_code == 403 and claimed.json()["decision"]["claims"] == ["subject.gang_database"]
        recorded = running.post("ICE-ERO", {"id": "t-anh", "kind": "detainee_access", "subject": {"person_id": ANH}})
        assert recorded.status_code == 200, recorded.text
        assert recorded.json()["decision"]["facts_source"].startswith("records store: subject found")
    finally:
        running.stop()


def test_a_text_the_screen_wants_reviewed_holds_a_permit_but_never_a_deny(monkeypatch: pytest.MonkeyPatch) -> None:
    """The screen may answer needs_review (an immigration-adjacent word): a permit then waits for an officer."""
    import sanctuary.pipeline as enforce
    from sanctuary.screening import screen_fields
    from sanctuary.screening.purpose import Evidence, PurposeScreen

    def screen(fields):
        if any(text and "foreign national" in text for text in fields.values()):
            return PurposeScreen("needs_review", (), (Evidence(0, 16, "foreign national", "adjacent:foreign national"),), 0.5)
        return screen_fields(fields)

    monkeypatch.setattr(enforce, "screen_fields", screen)
    p = pipeline(["chicago-2021"])
    permit = request("database_query", "FBI", purpose={"text": "robbery", "category": "criminal", "case_number": "foreign national 7"})
    held = p.decide(parse_request(permit))
    assert held.decision == "deny" and held.held is not None and held.held.reason == "needs_review"
    reviewed = p.resolve_held(parse_request(permit), held, [], "Sgt. R. Diaz").decision  # resolving it is the review
    assert reviewed.decision == "permit" and reviewed.held is None and "Sgt. R. Diaz reviewed the request" in reviewed.explanation
    # a described court order, and words to review: verifying the order leaves the review to do (held again)
    both = parse_request({**person_query("ICE-HSI", [COURT_ORDER]), "purpose": {"text": "foreign national", "category": "criminal"}})
    first = p.decide(both)
    assert first.held is not None and first.held.reason == "verification_required"
    again = p.resolve_held(both, first, [Document(**COURT_ORDER)], "Sgt. R. Diaz").decision
    assert again.decision == "deny" and again.held is not None and again.held.reason == "needs_review"
    assert again.held.reference == first.held.reference and again.resolves == first.held.reference
    assert p.resolve_held(both, again, [Document(**COURT_ORDER)], "Lt. K. Osei").decision.decision == "permit"
    closed = p.refuse_held(parse_request(permit), held, "Sgt. R. Diaz", "the caller wants an address for an immigration arrest")
    assert closed.decision.decision == "deny" and closed.decision.citations == [OFFICER_REFUSAL] and closed.result is None
    deny = request("detainee_access", "ICE-ERO", purpose={"text": "foreign national"})
    d = p.decide(parse_request(deny))
    assert d.decision == "deny" and d.held is None
    vague = p.decide(parse_request(request("database_query", "FBI", purpose={"text": "inv"})))
    assert vague.held is None and vague.decision == "permit"


@pytest.mark.parametrize(
    ("text", "field", "health_care"),
    [
        ("abortion investigation for Texas authorities", "text", True),
        ("locate woman who travelled for reproductive care", "text", True),
        ("TX-ABORTION-2025-7", "case_number", True),
        ("ab0rtion travel inquiry from Texas", "text", True),
        ("investigación de aborción, Texas", "text", True),
        ("pregnancy termination investigation", "text", True),
        ("vehicle at Planned  Parenthood lot", "text", True),
        ("Indiana ban on gender-transition procedures for minors", "text", True),  # reading chi-111
        ("investigación por transición de género de un menor", "text", True),
        ("puberty blockers prescribed in Illinois", "text", True),
        ("assault on a transgender woman", "text", False),
        ("assault on a pregnant woman", "text", False),
        ("aborted traffic stop", "text", False),
        ("armed robbery", "text", False),
    ],
)
def test_a_health_care_purpose_is_a_fact_from_any_free_text_field(text, field, health_care) -> None:
    from sanctuary.pipeline import screen_request

    raw = request("database_query", "ISP", purpose={field: text})
    r = parse_request(raw)
    p = pipeline(["chicago-2021"])
    facts = p.facts(r, p.resolve(r, screen_request(r)), screen_request(r))
    assert facts.health_care_purpose is health_care


def test_decide_with_the_records_store_lets_the_records_win(store, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sanctuary.cli import app

    url = store.url.removeprefix("sqlite:///")
    line = json.dumps(access(MARIA, gang_database=True))
    result = CliRunner().invoke(app, ["decide", "-p", "chicago-2012", "--store", url, "-"], input=line + "\n")
    decision = json.loads(result.stdout.splitlines()[-1])
    assert decision["decision"] == "deny" and "the records decide" in decision["facts_source"]
    bad = CliRunner().invoke(app, ["decide", "-p", "chicago-2012", "--store", "ftp://nowhere", "-"], input=line + "\n")
    assert bad.exit_code == 2


CONSENT = {"type": "written_consent", "signed_by": "Maria Lopez", "text": "I authorize the police to share my immigration status."}
DECLARATION = {
    "type": "alpr_written_declaration",
    "signed_by": "Sheriff, Johnson County, Texas",
    "text": "ALPR information obtained will not be used to investigate or enforce a law that interferes with "
    "reproductive health care or permits detention or investigation based on immigration status.",
}


def test_a_described_written_consent_holds_the_request_and_counts_once_verified_for_one_person_only() -> None:
    """MCC 2-173-030(a)(1): sharing status "authorized in writing by the individual to whom such
    information pertains". From outside the consent is a claim: held; verified, status goes to the
    FBI. A request about no one person cannot rest on it; and it never lifts 020(a)."""
    p = pipeline(["chicago-2021"])
    asked = {"fields": ["immigration_status", "person_name"], "search": {"type": "person", "person_id": MARIA}}
    raw = request("database_query", "FBI", purpose={"text": "bank robbery", "category": "criminal"}, resource=asked, documents=[CONSENT])
    held = p.decide(parse_request(raw))
    assert held.decision == "deny" and held.held is not None and held.held.reason == "verification_required"
    # unverified, the consent's words ("my immigration status") are the request's too: what they forbid waits with 030(a)(1)
    lifts = ["chicago-2021:020-a", "chicago-2021:030-b-federal-databases", "chicago-2021:030-a-status"]
    assert held.held.lifts == lifts and held.claims == ["documents[0]: written_consent"]
    resolved = p.resolve_held(parse_request(raw), held, [Document(**CONSENT)], "Sgt. R. Diaz").decision
    assert resolved.decision == "permit" and "immigration_status" not in resolved.redact
    # verified, but about no one person (no search, no subject): status stays withheld
    sweep = parse_request({**raw, "resource": {"system": "CLEAR"}})
    assert "immigration_status" in p.decide(sweep, verified=[Document(**CONSENT)]).redact
    # with no consent there is nothing to verify: status withheld, not held
    bare = p.decide(parse_request({**raw, "documents": []}))
    assert bare.held is None and "immigration_status" in bare.redact
    # ICE for removal, consent verified: 020(a) still refuses
    ice = request("database_query", "ICE-ERO", purpose={"text": "locate for removal"}, resource=asked, documents=[CONSENT])
    refused = p.decide(parse_request(ice), verified=[Document(**CONSENT)])
    assert refused.decision == "deny" and "chicago-2021:020-a" in refused.rules


def test_an_attached_alpr_declaration_counts_once_verified_for_the_requester_only_and_never_lifts_b() -> None:
    """625 ILCS 5/2-130(c): no sharing with an out-of-state agency without its executed written
    declaration. Attached and verified it is the requester's declaration (not a beneficiary's); its
    text, which names (b)'s purposes, is not read as the request's purpose once verified; (b) stands."""
    p = pipeline(["illinois-alpr"])
    plate = {"fields": ["alpr_read", "alpr_location"], "search": {"type": "plate", "plate": "TXH1010"}}
    homicide = {"text": "Homicide, Tex. Penal Code 19.02", "category": "criminal"}
    raw = request("database_query", "TX-JOHNSON-SO", purpose=homicide, resource=plate, documents=[DECLARATION])
    held = p.decide(parse_request(raw))
    # unverified, the declaration's words are the request's too: what its health-care and immigration words forbid waits with (c)
    lifts = ["illinois-alpr:declaration", "illinois-alpr:immigration-purpose", "illinois-alpr:health-care-purpose"]
    assert held.held is not None and held.held.reason == "verification_required" and held.held.lifts == lifts
    resolved = p.resolve_held(parse_request(raw), held, [Document(**DECLARATION)], "Sgt. R. Diaz").decision
    assert resolved.decision == "permit" and resolved.redact == []
    # Evanston's own declaration, asking for the Texas sheriff: the beneficiary has none
    relay = request("database_query", "EPD", on_behalf_of="TX-JOHNSON-SO", purpose=homicide, resource=plate, documents=[DECLARATION])
    relayed = p.decide(parse_request(relay), verified=[Document(**DECLARATION)])
    assert relayed.decision == "deny" and "illinois-alpr:declaration" in relayed.rules
    # a barred purpose stated in the request: the verified declaration does not lift (b)
    barred = {**raw, "purpose": {"text": "travel to an Illinois abortion provider", "category": "criminal"}}
    assert p.decide(parse_request(barred), verified=[Document(**DECLARATION)]).rules == ["illinois-alpr:health-care-purpose"]


def test_what_a_warrant_compels_counts_once_verified_and_only_what_it_names() -> None:
    """MCC 2-173-030(a) yields where "a lawfully issued judicial warrant" requires the disclosure:
    `documents[].compels` names what it requires. From outside it is a claim: held; verified, what it
    names goes and nothing else of the status group; a verified warrant naming nothing requires nothing."""
    p = pipeline(["chicago-2021"])
    asked = {"fields": ["immigration_status", "place_of_birth"], "search": {"type": "person", "person_id": MARIA}}
    warrant = {**FED_WARRANT, "compels": ["immigration_status"]}
    raw = request("database_query", "FBI", purpose={"text": "bank robbery", "category": "criminal"}, resource=asked, documents=[warrant])
    held = p.decide(parse_request(raw))
    assert held.decision == "deny" and held.held is not None and held.held.reason == "verification_required"
    assert held.claims == ["documents[0]: judicial_warrant"]
    resolved = p.resolve_held(parse_request(raw), held, [Document(**warrant)], "Sgt. R. Diaz").decision
    assert resolved.decision == "permit" and "immigration_status" not in resolved.redact and "place_of_birth" in resolved.redact
    naming_nothing = p.decide(parse_request(raw), verified=[Document(**FED_WARRANT)])
    assert naming_nothing.decision == "deny" and "chicago-2021:030-a-status" in naming_nothing.rules
    unknown = p.decide(parse_request({**raw, "documents": [{**FED_WARRANT, "compels": ["immigration_papers"]}]}))
    assert unknown.decision == "deny" and unknown.failure is Failure.input and "documents[0].compels" in (unknown.error or "")


@pytest.mark.parametrize(
    ("signed_by", "text", "dob", "counts"),
    [
        ("the person the information is about", "I authorize the department to share my immigration status.", "1990-05-14", True),
        ("M. Example, mother of the person", "I, his mother, authorize sharing my son's status", "1990-05-14", False),
        ("M. Example, mother of the person", "I, his mother, authorize sharing my son's status", "2011-05-14", True),
        ("M. Example", "I authorize sharing my daughter's immigration status", "1990-05-14", False),
        ("R. Example, husband of the person", "I authorize sharing my wife's status", "1985-01-20", False),
        ("J. Example, legal guardian", "I authorize sharing the status of my ward", "14 May 2011", False),  # no date read: adult
    ],
)
def test_a_written_consent_counts_only_as_030a1_names_its_signer(signed_by, text, dob, counts) -> None:
    """MCC 2-173-030(a)(1): the person's own authorization, or a parent's or guardian's for a minor (readings chi-123, chi-124)."""
    from datetime import date

    from sanctuary.policy import facts

    raw = request(
        "database_query", "FBI", resource={"fields": ["immigration_status"], "search": {"type": "person", "person_id": "P0000323"}}
    )
    raw["subject"] = {"person_id": "P0000323", "dob": dob}
    raw["documents"] = [{"type": "written_consent", "signed_by": signed_by, "text": text}]
    r = parse_request(raw)
    signers = facts._consent_signers(r)
    minor = facts._minor(r, today=date(2026, 12, 8))
    assert ("other" not in signers and ("parent" not in signers or minor)) is counts


def test_a_judges_paper_the_department_verified_holds_nothing_for_review(monkeypatch: pytest.MonkeyPatch) -> None:
    """At the department's own tool its papers are verified, and verifying a judge's paper is reading
    it: words there the screen would want reviewed hold nothing. The same words in the purpose, or in a
    paper that is no judge's, still hold a permit; from outside the paper is a claim, verified first, and its
    words are reviewed apart."""
    import sanctuary.pipeline as enforce
    from sanctuary.screening import screen_fields
    from sanctuary.screening.purpose import Evidence, PurposeScreen

    def screen(fields):
        for where, text in fields.items():
            if text and "foreign national" in text:
                found = Evidence(
                    text.index("foreign national"),
                    text.index("foreign national") + 16,
                    "foreign national",
                    "adjacent:foreign national",
                    where,
                )
                return PurposeScreen("needs_review", (), (found,), 0.5)
        return screen_fields(fields)

    monkeypatch.setattr(enforce, "screen_fields", screen)
    department = pipeline(["chicago-2021"], trusted=True)
    robbery = {"text": "robbery", "category": "criminal"}
    order = {**COURT_ORDER, "text": "Order: produce the arrest record of the foreign national named"}
    read = department.decide(parse_request(request("database_query", "FBI", purpose=robbery, documents=[order])))
    assert read.decision == "permit" and read.held is None
    other = {"type": "other", "signed_by": "A. Clerk", "text": order["text"]}
    unread = department.decide(parse_request(request("database_query", "FBI", purpose=robbery, documents=[other])))
    assert unread.held is not None and unread.held.reason == "needs_review"
    words = department.decide(
        parse_request(request("database_query", "FBI", purpose={**robbery, "case_number": "foreign national 7"}, documents=[order]))
    )
    assert words.held is not None and words.held.reason == "needs_review"
    gateway = pipeline(["chicago-2021"])
    described = parse_request(request("database_query", "FBI", purpose=robbery, documents=[order]))
    outside = gateway.decide(described)
    assert outside.held is not None and outside.held.reason == "verification_required"
    verified = gateway.resolve_held(described, outside, [Document(**order)], "Sgt. R. Diaz").decision
    assert verified.held is not None and verified.held.reason == "needs_review"  # the words are read apart
