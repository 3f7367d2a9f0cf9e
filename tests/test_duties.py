"""Duties as output: triggered by decisions, recorded in the log, owed until fulfilled, reported."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import rfc8785
from typer.testing import CliRunner

from conftest import registry
from sanctuary.audit import open_log
from sanctuary.audit.storage.sql import SqlStore
from sanctuary.cli import app
from sanctuary.duties.book import DutyBook, Period
from sanctuary.duties.ledger import DUTY, DutyError, entries, fulfil, owed
from sanctuary.duties.report import write
from sanctuary.models import Document, Failure, parse_request
from sanctuary.pipeline import Pipeline
from sanctuary.policy.engine import PolicyEngine
from sanctuary.policy.errors import PolicyError
from sanctuary.policy.profiles import available

runner = CliRunner()
TODAY = datetime.now(UTC).date()


@pytest.fixture
def decision_log(tmp_path, monkeypatch):
    monkeypatch.setenv("SANCTUARY_KEYS", str(tmp_path / "keys"))
    log = open_log(str(tmp_path / "log.db"), tmp_path / "keys")
    yield log
    log.close()


def pipeline(decision_log, *profiles: str, trusted: bool = True) -> Pipeline:
    engine = PolicyEngine.load(list(profiles), registry())
    return Pipeline(engine, decision_log, trusted=trusted, duties=DutyBook.for_engine(engine))


def dmv(rid: str, agency: str, **kw) -> str:
    return json.dumps({"id": rid, "kind": "database_query", "requester": {"agency": agency}, "resource": {"system": "DMV"}, **kw})


def test_new_york_dmv_request_from_ice_triggers_a_notice_due_in_three_days(decision_log):
    p = pipeline(decision_log, "new-york-dmv")
    decision = p.handle_raw(dmv("ny-1", "ICE-ERO")).decision
    assert decision.decision == "deny"
    [item] = owed(decision_log, DutyBook.for_profiles(available()))
    assert item.duty == "new-york-dmv:notify-subject"
    assert item.due == (TODAY + timedelta(days=3)).isoformat()
    assert item.decision_index == decision.log_index and item.requester == "ICE-ERO" and not item.overdue
    # owed whatever the decision: an Article III order opens the records, the notice is still owed
    opened = dmv(
        "ny-2",
        "HSI",
        documents=[
            {
                "type": "court_order",
                "court": "United States District Court for the Southern District of New York",
                "signed_by": "Hon. J. Park, United States District Judge",
            }
        ],
    )
    assert p.handle_raw(opened).decision.decision == "permit"
    assert len(owed(decision_log, DutyBook.for_profiles(available()))) == 2
    # and not for an agency that does not primarily enforce immigration law
    p.handle_raw(dmv("ny-3", "FBI", purpose={"text": "bank robbery", "category": "criminal"}))
    assert len(owed(decision_log, DutyBook.for_profiles(available()))) == 2
    assert (
        not owed(decision_log, DutyBook.for_profiles(available()), TODAY + timedelta(days=4))[0].due
        > (TODAY + timedelta(days=3)).isoformat()
    )
    assert owed(decision_log, DutyBook.for_profiles(available()), TODAY + timedelta(days=4))[0].overdue


def test_fulfilling_a_duty_clears_it_from_due(decision_log, tmp_path):
    p = pipeline(decision_log, "new-york-dmv")
    p.handle_raw(dmv("ny-1", "ICE-ERO"))
    p.handle_raw(dmv("ny-2", "CBP"))
    book = DutyBook.for_profiles(available())
    first, second = owed(decision_log, book)
    url = str(tmp_path / "log.db")
    done = runner.invoke(app, ["duties", "fulfil", str(first.index), "--method", "letter", "--log", url, "--json"])
    assert done.exit_code == 0, done.output
    assert [o.index for o in owed(decision_log, book)] == [second.index]
    listed = runner.invoke(app, ["duties", "due", "--log", url, "--json"])
    assert [o["index"] for o in json.loads(listed.stdout)] == [second.index]
    # a duty is fulfilled once; an entry that is not a duty is refused, naming the index
    with pytest.raises(DutyError, match="already"):
        fulfil(decision_log, first.index, "letter")
    with pytest.raises(DutyError, match="not a duty"):
        fulfil(decision_log, first.decision_index, "letter")
    assert runner.invoke(app, ["duties", "fulfil", "9999", "--log", url]).exit_code == 2


def test_duty_entries_hold_no_personal_value(decision_log):
    p = pipeline(decision_log, "new-york-dmv")
    p.handle_raw(dmv("Jane-Doe-1990", "ICE-ERO", subject={"name": "Jane Doe", "dob": "1990-01-01"}))
    duty = [e for _, e in entries(decision_log) if e.get("kind") == DUTY]
    assert duty and "Jane" not in json.dumps(duty) and "1990" not in json.dumps(duty)


ADMIN = [{"type": "I-247A"}, {"type": "I-200", "signed_by": "Immigration Officer"}, {"type": "ncic_ivf"}]
REQUESTS = [
    ("detention_hold", "ICE-ERO", [ADMIN[0]]),
    ("detention_hold", "CCSO", [ADMIN[2]]),
    ("custody_transfer", "ICE-ERO", [ADMIN[1]]),
    (
        "custody_transfer",
        "USMS",
        [{"type": "judicial_warrant", "court": "United States District Court", "signed_by": "Magistrate Judge Lee", "criminal": True}],
    ),
    ("detainee_access", "FBI", []),
    ("custody_transfer", "CCSO", [ADMIN[0], ADMIN[2]]),
    ("database_query", "HSI", []),
    ("custody_inquiry", "ICE-ERO", []),
]


def test_report_counts_equal_counts_computed_from_a_log_of_known_contents(decision_log, tmp_path):
    p = pipeline(decision_log, "illinois-trust", "chicago-2021")
    decided = []
    for i, (kind, agency, docs) in enumerate(REQUESTS):
        raw = {"id": f"r{i}", "kind": kind, "requester": {"agency": agency}, "documents": docs}
        decided.append((kind, agency, docs, p.handle_raw(json.dumps(raw)).decision))
    # an entry of another quarter must not be counted
    old = {
        "v": 2,
        "time": "2019-02-01T00:00:00.000Z",
        "kind": "detention_hold",
        "requester": "ICE-ERO",
        "on_behalf_of": [],
        "documents": ["I-247A"],
        "decision": "deny",
        "citations": [],
        "rules": [],
        "profiles": ["chicago-2021"],
    }
    decision_log.append(rfc8785.dumps(old))
    book = DutyBook.for_profiles(available())
    period = Period.containing(TODAY, "quarter")
    written = write(book.reports["mcc-2-173-069"], period, decision_log, registry(), tmp_path / "out")
    expected = [(k, d) for k, _, docs, d in decided if docs and any(x["type"] != "judicial_warrant" for x in docs)]
    assert len(written.rows) == len(expected) == 4
    assert written.counts["decision"] == dict(Counter(d.decision for _, d in expected))
    assert written.counts["request_kind"] == dict(Counter(k for k, _ in expected))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / f"mcc-2-173-069-{period.name}.csv").read_text())))
    assert len(rows) == 4 and all(r["transfer_carried_out"] == "[staff to fill]" for r in rows)
    assert {r["transfer_permitted_to"] for r in rows if r["request_kind"] == "custody_transfer"} <= {"", "ICE-ERO", "CCSO"}
    html = (tmp_path / "out" / f"mcc-2-173-069-{period.name}.html").read_text()
    assert "oemc_notifications" in html and "staff to fill" in html.lower()
    # the TRUST Act's yearly report counts requests by or for immigration agents, and administrative papers
    year = write(book.reports["trust-act-annual"], Period.containing(TODAY, "year"), decision_log, registry())
    flagged = [d for k, a, docs, d in decided if a in ("ICE-ERO", "HSI") or any(x["type"] != "judicial_warrant" for x in docs)]
    assert len(year.rows) == len(flagged)


def test_periodic_report_is_owed_until_filed(decision_log, tmp_path):
    p = pipeline(decision_log, "illinois-trust", "chicago-2021")
    p.handle_raw(json.dumps({"id": "x", "kind": "detainee_access", "requester": {"agency": "FBI"}}))
    book = DutyBook.for_profiles(available())
    quarter = Period.containing(TODAY, "quarter")
    after = quarter.end + timedelta(days=1)
    due = [o for o in owed(decision_log, book, after) if o.period]
    assert ("mcc-2-173-069", quarter.name) in {(o.duty, o.period) for o in due}
    assert not [o for o in owed(decision_log, book, quarter.end) if o.period]  # not before the quarter ends
    url = str(tmp_path / "log.db")
    filed = runner.invoke(
        app, ["duties", "report", "mcc-2-173-069", "--period", quarter.name, "--log", url, "--out", str(tmp_path), "--record", "--json"]
    )
    assert filed.exit_code == 0, filed.output
    assert "mcc-2-173-069" not in {o.duty for o in owed(decision_log, book, after)}
    year_end = date(TODAY.year + 1, 1, 1)
    assert ("trust-act-annual", str(TODAY.year)) in {(o.duty, o.period) for o in owed(decision_log, book, year_end)}


def test_bad_period_and_kind_are_clear_errors(decision_log, tmp_path):
    url = str(tmp_path / "log.db")
    bad = runner.invoke(app, ["duties", "report", "mcc-2-173-069", "--period", "2026-13", "--log", url])
    assert bad.exit_code == 2 and "period" in bad.output
    unknown = runner.invoke(app, ["duties", "report", "nope", "--period", "2026", "--log", url])
    assert unknown.exit_code == 2 and "unknown kind" in unknown.output
    wrong = runner.invoke(app, ["duties", "report", "mcc-2-173-069", "--period", "2026", "--log", url])
    assert wrong.exit_code == 2 and "quarter" in wrong.output


def test_policy_show_lists_the_duties_a_pack_imposes():
    shown = runner.invoke(app, ["policy", "show", "new-york-dmv", "--json"])
    data = json.loads(shown.stdout)
    [duty] = data["duties"]
    assert duty["id"] == "new-york-dmv:notify-subject" and duty["within_days"] == 3
    assert {
        r["kind"] for r in json.loads(runner.invoke(app, ["policy", "show", "chicago-2021+illinois-trust", "--json"]).stdout)["reports"]
    } == {
        "mcc-2-173-069",
        "trust-act-annual",
    }


def test_a_duty_condition_that_does_not_validate_does_not_load(tmp_path):
    pack = tmp_path / "x-city"
    pack.mkdir()
    (pack / "duties.toml").write_text(
        '[duty."x-city:notify"]\ncitation = "x"\ntitle = "x"\nto = "x"\nwithin_days = 1\nwhen = "principal.no_such_flag"\n'
    )
    with pytest.raises(PolicyError, match="does not validate"):
        DutyBook.for_profiles(["x-city"], tmp_path)
    (pack / "duties.toml").write_text('[duty."other:notify"]\ncitation = "x"\ntitle = "x"\nto = "x"\nwithin_days = 1\nwhen = "true"\n')
    with pytest.raises(PolicyError, match="must start with"):
        DutyBook.for_profiles(["x-city"], tmp_path)


SDNY_ORDER = {
    "type": "court_order",
    "court": "United States District Court for the Southern District of New York",
    "signed_by": "Hon. J. Park, United States District Judge",
}


def test_a_decision_and_its_duties_are_one_commit_a_fault_between_them_leaves_neither(decision_log, monkeypatch):
    p = pipeline(decision_log, "new-york-dmv")
    insert = SqlStore._insert_entries

    def fails_at_the_duties(self, cur, rows):  # the decision's row goes in; the disk fills before the duty's
        insert(self, cur, [row for row in rows if b'"kind":"duty"' not in row[1]])
        if any(b'"kind":"duty"' in data for _, data in rows):
            raise OSError("disk full")

    monkeypatch.setattr(SqlStore, "_insert_entries", fails_at_the_duties)
    outcome = p.handle_raw(dmv("ny-9", "HSI", documents=[SDNY_ORDER]))
    assert outcome.decision.decision == "deny" and outcome.decision.failure == Failure.log and "disk full" in outcome.decision.error
    assert outcome.result is None and decision_log.size() == 0  # neither the decision nor its duty
    monkeypatch.undo()
    recorded = p.handle_raw(dmv("ny-9", "HSI", documents=[SDNY_ORDER])).decision
    assert recorded.decision == "permit" and recorded.duties == ["new-york-dmv:notify-subject"]
    assert [e["kind"] for _, e in entries(decision_log)] == ["database_query", "duty"]


def test_resolving_or_refusing_a_held_request_does_not_log_its_duties_again(decision_log):
    p = pipeline(decision_log, "new-york-dmv", trusted=False)  # an outside body: the order it describes is a claim
    for rid in ("ny-held-1", "ny-held-2"):
        outcome = p.handle_raw(dmv(rid, "HSI", documents=[SDNY_ORDER]))
        assert outcome.decision.held is not None and outcome.decision.duties == ["new-york-dmv:notify-subject"]
        request = outcome.request
        if rid == "ny-held-1":
            closed = p.resolve_held(request, outcome.decision, [Document(**SDNY_ORDER)], "Sgt. R. Diaz").decision
            assert closed.decision == "permit"
        else:
            closed = p.refuse_held(request, outcome.decision, "Sgt. R. Diaz", "no such order on the docket").decision
            assert closed.decision == "deny"
        assert closed.resolves and closed.log_index is not None and not closed.duties
    kinds = [e["kind"] for _, e in entries(decision_log)]
    assert kinds == ["database_query", "duty", "database_query", "database_query", "duty", "database_query"]
    assert len(owed(decision_log, DutyBook.for_profiles(available()))) == 2


def test_duties_are_judged_with_the_decision_and_cached_with_it():
    engine = PolicyEngine.load(["new-york-dmv"], registry())
    p = Pipeline(engine, trusted=True, duties=DutyBook.for_engine(engine))
    calls = []
    authorize = engine.authorize
    engine.authorize = lambda *args: calls.append(args) or authorize(*args)  # type: ignore[method-assign]
    first = p.decide(parse_request(dmv("c-1", "ICE-ERO")))
    again = p.decide(parse_request(dmv("c-2", "ICE-ERO")))
    assert first.duties == again.duties == ["new-york-dmv:notify-subject"]
    assert len(calls) == 1  # the rules and the duties in one batch, once: the second request is the cached decision
    assert p.decide(parse_request(dmv("c-3", "FBI", purpose={"text": "bank robbery", "category": "criminal"}))).duties is None


def test_oregon_declines_and_the_monthly_cjc_report_lists_each_request(decision_log):
    p = pipeline(decision_log, "oregon")
    asked = [("HSI", "narcotics trafficking investigation", "criminal"), ("ICE-ERO", None, None), ("FBI", "bank robbery", "criminal")]
    for i, (agency, text, category) in enumerate(asked):
        purpose = {k: v for k, v in (("text", text), ("category", category)) if v}
        p.handle_raw(json.dumps({"id": f"or-{i}", "kind": "database_query", "requester": {"agency": agency}, "purpose": purpose}))
    book = DutyBook.for_profiles(available())
    owed_now = owed(decision_log, book)
    assert [o.requester for o in owed_now] == ["ICE-HSI", "ICE-ERO"]
    fulfil(decision_log, owed_now[0].index, "filed")
    month = write(book.reports["oregon-cjc-monthly"], Period.containing(TODAY, "month"), decision_log, registry())
    assert [(r["requester"], r["fulfilled"]) for r in month.rows] == [("ICE-HSI", "yes"), ("ICE-ERO", "no")]
    assert month.counts["decision"] == {"deny": 2}


def test_california_annual_task_force_report_lists_each_task_force_request_and_no_other(decision_log):
    p = pipeline(decision_log, "california")
    asked = [
        ("CA-JTTF-LA", "counterterrorism investigation, material support"),
        ("CA-JTTF-LA", "locate subject suspected of illegal reentry, 8 U.S.C. 1326"),
        ("FBI", "bank robbery"),
    ]
    for i, (agency, text) in enumerate(asked):
        raw = {
            "id": f"ca-{i}",
            "kind": "database_query",
            "requester": {"agency": agency},
            "purpose": {"text": text, "category": "criminal"},
        }
        raw["resource"] = {"fields": ["address"], "search": {"type": "person", "person_id": "P0000056"}}
        p.handle_raw(json.dumps(raw))
    book = DutyBook.for_profiles(available())
    year = write(book.reports["california-7284-6-c1"], Period.containing(TODAY, "year"), decision_log, registry())
    assert [(r["requester"], r["decision"]) for r in year.rows] == [("CA-JTTF-LA", "permit"), ("CA-JTTF-LA", "deny")]
    assert any(m.startswith("arrests_immigration") for m in year.missing)


def test_every_entry_point_records_duties_the_public_api_and_the_gateway(decision_log, tmp_path):
    import sanctuary
    from sanctuary.gateway.services import load_policy

    decider = sanctuary.open_pipeline(jurisdiction="new-york-dmv", log=decision_log)
    decision = decider.decide({"id": "api-1", "kind": "database_query", "requester": {"agency": "CBP"}, "resource": {"system": "DMV"}})
    [item] = owed(decision_log, DutyBook.for_profiles(available()))
    assert item.decision_index == decision.log_index and item.requester == "CBP"
    path = load_policy([], {}, [], jurisdiction="new-york-dmv").pipeline(decision_log)
    path.handle_raw(dmv("gw-1", "ICE-ERO"))
    assert [o.requester for o in owed(decision_log, DutyBook.for_profiles(available()))] == ["CBP", "ICE-ERO"]


def test_duty_entries_match_their_published_schemas(decision_log, tmp_path):
    import jsonschema_rs

    schemas = Path(__file__).parents[1] / "docs" / "schemas"
    p = pipeline(decision_log, "new-york-dmv")
    p.handle_raw(dmv("s-1", "ICE-ERO"))
    [item] = owed(decision_log, DutyBook.for_profiles(available()))
    fulfil(decision_log, item.index, "email")
    url = str(tmp_path / "log.db")
    assert (
        runner.invoke(
            app, ["duties", "report", "trust-act-annual", "--period", str(TODAY.year), "--log", url, "--out", str(tmp_path), "--record"]
        ).exit_code
        == 0
    )
    seen = set()
    for _, e in entries(decision_log):
        if e["kind"] in ("duty", "duty_fulfilled", "report_filed"):
            schema = json.loads((schemas / f"entry-{e['kind']}.v{e['v']}.schema.json").read_text())
            jsonschema_rs.validator_for(schema).validate(e)
            seen.add(e["kind"])
    assert seen == {"duty", "duty_fulfilled", "report_filed"}


def test_the_pages_count_decisions_and_skip_duty_entries(decision_log, tmp_path):
    from sanctuary.web.entries import read_range
    from sanctuary.web.record import PublicRecord

    p = pipeline(decision_log, "new-york-dmv")
    p.handle_raw(dmv("w-1", "ICE-ERO"))
    p.handle_raw(dmv("w-2", "FBI", purpose={"text": "bank robbery", "category": "criminal"}))
    [item] = owed(decision_log, DutyBook.for_profiles(available()))
    fulfil(decision_log, item.index, "letter")
    p.handle_raw(dmv("w-3", "CBP"))
    kinds = [e["kind"] for _, e in entries(decision_log)]
    assert kinds == ["database_query", "duty", "database_query", "duty_fulfilled", "database_query", "duty"]
    rows = read_range(decision_log, registry(), 0, decision_log.size())
    assert [r.index for r in rows] == [0, 2, 4]
    public = PublicRecord(tmp_path / "record.db", registry())
    assert public.catch_up(decision_log) == 6 and public.upto() == 6
    assert public.counts().n("requests") == 3
