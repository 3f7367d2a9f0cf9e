"""One immigration predicate (sanctuary.policy.immigration): the decision's fact, the public report,
the duties report and the retro audit answer "is this for civil immigration enforcement?" alike.

The same requests are decided through the pipeline and logged; the public record and the TRUST Act
report then count the log, and a vendor export of the same searches is scanned. Each count must be
the number of decisions whose fact is immigration, and each retro flag the decision's fact."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import registry
from sanctuary.audit import open_log
from sanctuary.duties.book import DutyBook, Period
from sanctuary.duties.report import write
from sanctuary.models import Failure
from sanctuary.pipeline import Pipeline, load_pipeline
from sanctuary.policy.engine import PolicyEngine
from sanctuary.policy.immigration import BEFORE_FACTS, ENTRY_KEY, GATE, STATED_CRIME, Ground, immigration_purpose, recorded
from sanctuary.policy.profiles import available
from sanctuary.retro import ScanOptions, scan
from sanctuary.retro.flags import classify_purpose
from sanctuary.web.record import PublicRecord

FEDERAL_CRIMINAL_WARRANT = {
    "type": "judicial_warrant",
    "court": "United States District Court for the Northern District of Illinois",
    "signed_by": "Magistrate Judge Ann Lee",
    "criminal": True,
}
# (requester, purpose, documents, the fact the definition gives: docs/profiles.md, "Shared definitions")
CASES = [
    ("ICE-HSI", {"text": "fentanyl trafficking"}, [FEDERAL_CRIMINAL_WARRANT], False),  # an immigration agency, a criminal case
    ("ICE-HSI", {}, [], False),  # HSI's work is not civil enforcement: who asked, not why
    ("ICE-ERO", {}, [], True),  # ERO's work is civil immigration enforcement; no criminal purpose shown
    ("ICE-ERO", {"category": "criminal", "text": "bank robbery"}, [], True),  # a declared purpose is a claim: in Chicago it lifts nothing
    ("ICE-ERO", {"category": "criminal", "text": "bank robbery"}, [FEDERAL_CRIMINAL_WARRANT], False),  # a verified warrant shows it
    ("FL-POLK-SO", {}, [], True),  # a 287(g) sheriff: its officers act for ICE
    ("CBP", {"text": "assist ICE with locate"}, [], True),  # ICE named: judged as ICE, which may be ERO
    ("CBP", {"text": "port of entry smuggling case"}, [], False),  # CBP's own components do not include ERO
    ("FBI", {"category": "criminal", "text": "bank robbery"}, [], False),
    ("EPD", {"text": "locate for removal"}, [], True),  # the words state it, whoever asks
    ("EPD", {"category": "civil_immigration"}, [], True),  # declared
    ("NO-SUCH-AGENCY", {"category": "civil_immigration"}, [], None),  # refused before its facts were derived
]
TODAY = datetime.now(UTC).date()


@pytest.fixture
def logged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The cases decided as the department's own tool decides them (a document counts as verified)
    under the chicago jurisdiction, each recorded in a fresh log."""
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    log = open_log(str(tmp_path / "log.db"), tmp_path / "keys")
    pipeline = load_pipeline([], registry(), log=log, jurisdiction="chicago", trusted=True)
    decisions = []
    for i, (agency, purpose, documents, _) in enumerate(CASES):
        raw = {"id": f"c{i}", "kind": "database_query", "requester": {"agency": agency}, "purpose": purpose, "documents": documents}
        decisions.append(pipeline.handle_raw(json.dumps(raw)).decision)
    yield log, decisions
    log.close()


def test_the_failures_before_the_facts_are_failure_codes() -> None:
    assert BEFORE_FACTS < {f.value for f in Failure}


def test_the_decisions_fact_follows_the_definition(logged) -> None:
    _, decisions = logged
    assert [d.immigration_purpose for d in decisions] == [expected for *_, expected in CASES]
    assert all(d.log_index is not None for d in decisions)


def test_the_public_report_counts_the_decisions_fact(logged, tmp_path: Path) -> None:
    log, decisions = logged
    public = PublicRecord(tmp_path / "record.db", registry())
    public.catch_up(log)
    counts = public.counts()
    immigration = [d for d in decisions if d.immigration_purpose]
    assert counts.n("immigration_purpose") == len(immigration) == 6
    for outcome in ("permit", "deny"):
        assert counts.n("immigration_purpose", "all", outcome) == sum(d.decision == outcome and not d.held for d in immigration)
    # who asked is its own number: HSI, ERO and CBP twice each (CBP asking for ICE counts once)
    assert counts.n("immigration_agency") == sum(d.requester in ("ICE-HSI", "ICE-ERO", "CBP") for d in decisions) == 7


def test_the_trust_act_report_marks_and_lists_the_decisions_fact(logged) -> None:
    log, decisions = logged
    book = DutyBook.for_profiles(available())
    report = write(book.reports["trust-act-annual"], Period.containing(TODAY, "year"), log, registry())
    marked = {int(r["entry"]) for r in report.rows if r["immigration_purpose"] == "yes"}
    assert marked == {d.log_index for d in decisions if d.immigration_purpose}  # every one listed, and marked
    assert {r["immigration_purpose"] for r in report.rows} == {"yes", "no"}  # requests from immigration agents too


def test_an_entry_without_the_fact_is_read_with_the_same_predicate(logged) -> None:
    """Entries older than format 3 do not record the fact: where what the entry holds is all the
    decision had (no words, no documents), the fallback gives the decision's answer."""
    log, decisions = logged
    for (_, purpose, documents, _), d in zip(CASES, decisions, strict=True):
        entry = json.loads(log.entry(d.log_index))
        assert recorded(entry, registry()) is bool(d.immigration_purpose)
        if not documents and "text" not in purpose:
            old = {k: v for k, v in entry.items() if k != ENTRY_KEY}
            assert recorded(old, registry()) is bool(d.immigration_purpose), (d.requester, purpose)


def test_the_retro_audit_flags_what_the_pipeline_decides(logged, tmp_path: Path) -> None:
    """An export row has no documents and no declared category: for the requests that had none
    either, the decision's fact is the scan's IMMIGRATION_PURPOSE or PRESUMED_IMMIGRATION, the one
    predicate read on its grounds apart: evidence in the row (its words) or a presumption (who asked)."""
    _, decisions = logged
    export = tmp_path / "audit.csv"
    comparable = []
    with export.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ID", "Org Name", "Reason", "Search Time"])
        for (agency, purpose, documents, _), d in zip(CASES, decisions, strict=True):
            if documents or "category" in purpose:
                continue
            comparable.append(d)
            writer.writerow([d.id, registry().get(agency).name, purpose.get("text", ""), "11/14/2025, 09:53:36 AM UTC"])
    scan([export], tmp_path / "out", ScanOptions(home_state="IL"))
    with (tmp_path / "out" / "orgs.csv").open(newline="", encoding="utf-8") as fh:
        resolved = {r["organization"]: r["resolved_id"] for r in csv.DictReader(fh)}
    assert sorted(set(resolved.values())) == sorted({d.requester for d in comparable})  # each organisation is the requester
    with (tmp_path / "out" / "flags.csv").open(newline="", encoding="utf-8") as fh:
        flags = {r["source_id"]: set(r["flags"].split(";")) for r in csv.DictReader(fh)}
    evidence = {i for i, f in flags.items() if "IMMIGRATION_PURPOSE" in f}
    presumed = {i for i, f in flags.items() if "PRESUMED_IMMIGRATION" in f}
    assert len(comparable) == 6
    assert evidence | presumed == {d.id for d in comparable if d.immigration_purpose} and not evidence & presumed
    # ERO and the 287(g) sheriff asking with no purpose: a presumption; the words: evidence, whoever asked
    assert {d.requester for d in comparable if d.id in presumed} == {"ICE-ERO", "FL-POLK-SO"}
    assert {d.requester for d in comparable if d.id in evidence} == {"CBP", "EPD"}


@pytest.mark.parametrize(
    ("text", "purpose", "agency"),
    [
        ("assist HSI fentanyl case", False, True),  # HSI's criminal case: who asked, not why
        ("per HSI request", False, True),
        ("assist ICE", True, True),  # ICE may be ERO
        ("ERO-2025-0113", True, True),
        ("locate for removal", True, False),
        ("stolen vehicle", False, False),
    ],
)
def test_a_retro_text_is_judged_as_the_pipeline_judges_its_words_and_the_agencies_it_names(text: str, purpose: bool, agency: bool) -> None:
    flags = classify_purpose(text, registry())
    assert (flags.immigration, flags.agency) == (purpose, agency)


def _judged(*ids: str) -> list:
    return [reading for agency_id in ids for reading in registry().readings(agency_id)]


@pytest.mark.parametrize(
    ("declared", "screened", "acting", "warrant", "ground"),
    [
        ("civil_immigration", None, [], False, Ground.DECLARED),
        (None, "civil_immigration", [], False, Ground.WORDS),
        (None, "civil_immigration", [], True, None),  # a verified criminal warrant: a criminal case
        (None, None, ["ICE-ERO"], False, Ground.MISSION),
        (None, None, ["ICE"], False, Ground.MISSION),  # ICE may be ERO
        (None, None, ["FL-POLK-SO"], False, Ground.AGREEMENT),
        (None, "vague", ["FL-POLK-SO"], False, Ground.AGREEMENT),  # a vague reason shows no purpose
        (None, "criminal", ["FL-POLK-SO"], False, Ground.AGREEMENT),  # words naming a crime are a claim (the default)
        ("criminal", None, ["ICE-ERO"], False, Ground.MISSION),  # so is a declared category
        ("criminal", None, ["ICE-ERO"], True, None),
        (None, None, ["ICE-ERO"], True, None),
        (None, None, ["ICE-HSI"], False, None),  # who asked, not why
    ],
)
def test_the_predicate_says_which_ground_it_rests_on(declared, screened, acting, warrant, ground) -> None:
    verdict = immigration_purpose(declared=declared, screened=screened, acting=_judged(*acting), criminal_case=warrant)
    assert (verdict.immigration, verdict.ground) == (ground is not None, ground)
    assert verdict.on(GATE) is verdict.immigration
    assert verdict.on({Ground.WORDS}) is (ground == Ground.WORDS)


def test_a_stated_criminal_purpose_counts_only_where_the_parameter_says_so_declared_or_in_words_alike() -> None:
    polk = _judged("FL-POLK-SO")
    assert STATED_CRIME is False  # the default, restrictive: a claim lifts no presumption
    for declared, screened in (("criminal", None), (None, "criminal"), ("criminal", "criminal")):
        assert immigration_purpose(declared=declared, screened=screened, acting=polk).ground == Ground.AGREEMENT
        assert not immigration_purpose(declared=declared, screened=screened, acting=polk, stated_crime=True).immigration
    # whatever the parameter, a verified criminal warrant shows a criminal purpose, and words stating immigration are evidence
    assert not immigration_purpose(declared=None, screened=None, acting=polk, criminal_case=True).immigration
    assert immigration_purpose(declared=None, screened="civil_immigration", acting=polk, stated_crime=True).ground == Ground.WORDS


@pytest.mark.parametrize("lifts", [True, False])
def test_the_gate_keeps_its_presumption_and_a_stated_crime_counts_where_the_jurisdiction_says(lifts: bool) -> None:
    """The pipeline, both ways, through the jurisdiction's own parameters: a 287(g) sheriff showing
    no purpose is treated as immigration enforcement (restrictive when in doubt); a criminal purpose
    it states, declared or in words, shows a criminal purpose only where every profile in force that
    speaks to it (`stated_purpose`) turns it on."""
    turned_on = {f"{p}.stated_purpose": ["lifts_presumption"] for p in ("illinois-trust", "chicago-2021")} if lifts else {}
    engine = PolicyEngine.for_jurisdiction("chicago", registry(), turned_on)
    assert engine.stated_crime is lifts
    pipeline = Pipeline(engine)

    def fact(purpose: dict) -> bool | None:
        raw = {"id": "g", "kind": "database_query", "requester": {"agency": "FL-POLK-SO"}, "purpose": purpose}
        return pipeline.handle_raw(json.dumps(raw)).decision.immigration_purpose

    assert fact({}) is True
    assert fact({"text": "Investigation"}) is True
    assert fact({"text": "stolen vehicle"}) is (not lifts)
    assert fact({"text": "crash hit and run"}) is (not lifts)
    assert fact({"category": "criminal", "text": "stolen vehicle"}) is (not lifts)
    assert fact({"category": "criminal"}) is (not lifts)
    assert fact({"text": "locate for removal"}) is True


def test_one_profile_keeping_the_presumption_keeps_it_for_the_jurisdiction() -> None:
    half = PolicyEngine.for_jurisdiction("chicago", registry(), {"chicago-2021.stated_purpose": ["lifts_presumption"]})
    assert half.stated_crime is False
    assert PolicyEngine.for_jurisdiction("new-york-dmv", registry()).stated_crime is False  # no profile speaks to it
