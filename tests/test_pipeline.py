"""The decision pipeline (sanctuary.pipeline), the home of its tests: one request path, where every
failure is a typed kind set where it happens, the HTTP status is a function of the decision (one
table), a policy that did not load denies and records by itself, and the request desk records
exactly what the API records for the same request. Its duties: tests/test_duties.py; its facts and
holds: tests/test_facts_and_holds.py; its cache and composition: tests/test_policy_properties.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import pipeline_for, registry
from sanctuary.cli import app
from sanctuary.gateway.answers import STATUS, status_of
from sanctuary.models import Decision, Failure, Held, Request, parse_request
from sanctuary.pipeline import FAIL_CLOSED, UNREGISTERED, Pipeline, RequestPath, Unloaded, load_pipeline
from sanctuary.policy.engine import PolicyEngine
from sanctuary.policy.profiles import expand
from sanctuary.web import desk
from web_app import make_site  # noqa: F401 - fixture

EXAMPLES = Path(__file__).parent.parent / "examples" / "requests.jsonl"
WARRANT = {
    "id": "p-1",
    "kind": "database_query",
    "requester": {"agency": "FBI"},
    "purpose": {"text": "armed robbery investigation", "category": "criminal"},
    "resource": {"system": "CLEAR", "search": {"type": "warrant", "name": "James Carter", "dob": "1979-11-02"}},
}


class Memory:
    """A recorder that keeps what it is given (or fails, when told to)."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.entries: list[tuple[str, Any]] = []

    def record(self, request: Request, decision: Decision, disclosed: list[dict[str, Any]] | None = None, then: Any = None) -> int:
        if self.fail:
            raise OSError("disk full")
        self.entries.append(("decision", decision))
        return len(self.entries) - 1

    def record_refusal(self, raw: bytes, decision: Decision) -> int:
        if self.fail:
            raise OSError("disk full")
        self.entries.append(("refusal", raw))
        return len(self.entries) - 1


def with_log(log: Memory) -> Pipeline:
    return Pipeline(pipeline_for("chicago-2021").engine, log)


def test_every_failure_kind_has_a_status_and_permit_deny_held_too() -> None:
    assert set(Failure) <= set(STATUS)
    base = {"id": "x", "citations": ["c"], "explanation": "e", "profiles": ["p"], "policy_hash": "h"}
    assert status_of(Decision(decision="permit", **base)) == 200
    assert status_of(Decision(decision="deny", **base)) == 403
    held = Held(reason="verification_required", reference="ref-1")
    assert status_of(Decision(decision="deny", held=held, **base)) == 403
    # the status follows the kind, never the wording of the explanation or the error
    reworded = Decision(decision="deny", error="policy evaluation error: reworded", **base)
    assert status_of(reworded) == 403
    assert status_of(Decision(decision="deny", error="anything", failure=Failure.policy, **base)) == 503
    assert [STATUS[f] for f in (Failure.input, Failure.unreadable, Failure.unregistered, Failure.upstream, Failure.upstream_timeout)] == [
        422,
        400,
        422,
        502,
        504,
    ]


@pytest.mark.parametrize(
    ("raw", "agency", "failure", "field"),
    [
        (b"{not json", "FBI", Failure.unreadable, "body"),
        (b"[1, 2]", "FBI", Failure.input, "body"),
        (json.dumps({**WARRANT, "kind": "kidnap"}).encode(), None, Failure.input, "kind"),
        (json.dumps({**WARRANT, "requester": {"agency": "ICE-ERO"}}).encode(), "FBI", Failure.identity, "requester.agency"),
    ],
)
def test_a_request_refused_unread_is_typed_and_recorded_once(raw: bytes, agency: str | None, failure: Failure, field: str) -> None:
    log = Memory()
    outcome = with_log(log).handle_raw(raw, agency=agency)
    assert outcome.decision.decision == "deny" and outcome.decision.failure == failure
    assert outcome.refused is not None and outcome.refused.field == field
    assert log.entries == [("refusal", raw)] and outcome.decision.log_index == 0


def test_an_unregistered_agency_is_a_typed_failure_with_its_citation() -> None:
    log = Memory()
    outcome = with_log(log).handle_raw(json.dumps({**WARRANT, "requester": {"agency": "Acme Bounty Hunters"}}))
    decision = outcome.decision
    assert decision.failure == Failure.unregistered and decision.citations == [UNREGISTERED]
    assert outcome.refused is None and log.entries[0][0] == "decision"  # read, then decided: a decision entry
    declared = with_log(Memory()).decide(parse_request({**WARRANT, "on_behalf_of": "Nobody Agency"}))
    assert declared.failure == Failure.unregistered


def test_store_timeout_and_log_failures_are_typed() -> None:
    request = parse_request(WARRANT)

    def broken_store(_request: Request, _decision: Decision) -> tuple[Any, list[dict[str, Any]]]:
        raise ConnectionError("connection refused")

    def slow_store(_request: Request, _decision: Decision) -> tuple[Any, list[dict[str, Any]]]:
        raise TimeoutError("the store answered after the request's deadline")

    log = Memory()
    store = with_log(log).handle(request, broken_store).decision
    assert store.failure == Failure.store and store.citations == [FAIL_CLOSED] and store.log_index == 0
    slow = with_log(log).handle(request, slow_store).decision
    assert slow.failure == Failure.timeout and slow.decision == "deny"
    unlogged = with_log(Memory(fail=True)).handle(request).decision
    assert unlogged.failure == Failure.log and unlogged.decision == "deny" and unlogged.log_index is None
    refused = with_log(Memory(fail=True)).handle_raw(b"{not json", agency="FBI").decision
    assert refused.failure == Failure.log and "not JSON" in (refused.error or "")


def test_a_rule_that_errors_is_a_policy_failure() -> None:
    broken_rule = (
        '@id("test:overflow") @citation("test") @explain("errors at evaluation") @explain_es("errores")\n'
        "forbid (principal, action, resource) when { 9223372036854775807 + 1 > 0 };\n"
    )
    engine = PolicyEngine(expand(["chicago-2021"]), registry(), validate=False, extra_policies=broken_rule)
    decision = Pipeline(engine).decide(parse_request(WARRANT))
    assert decision.failure == Failure.policy and status_of(decision) == 503


def test_a_policy_that_does_not_load_denies_and_records_by_itself() -> None:
    log = Memory()
    path: RequestPath = load_pipeline(["no-such-profile"], registry(), {}, log)
    assert isinstance(path, Unloaded)
    decision = path.handle_raw(json.dumps(WARRANT)).decision
    assert decision.decision == "deny" and decision.failure == Failure.policy and decision.error.startswith("policy:")
    assert log.entries[0] == ("decision", decision) and decision.log_index == 0


def test_decide_with_a_log_under_a_broken_policy_records_every_decision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    log = tmp_path / "log.db"
    result = CliRunner().invoke(app, ["decide", "--profile", "no-such-profile", "--log", str(log), str(EXAMPLES)])
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert out and all(d["failure"] == "policy" and d["decision"] == "deny" for d in out)
    assert [d["log_index"] for d in out] == list(range(len(out)))


def test_the_desk_and_the_api_record_the_same_entry(make_site) -> None:  # noqa: F811 - fixture
    from test_web_pages import ICE_RELEASE_DATE, desk_post

    site = make_site()
    answer = desk_post(site.client("desk"), ICE_RELEASE_DATE)
    assert answer.status_code == 200
    # the same form, as the request the API receives with a desk key (its own id)
    form = {k: v for k, v in ICE_RELEASE_DATE.items() if k != "topics"}
    body = {**desk.build_request(form, ICE_RELEASE_DATE["topics"], {}), "id": "api-phone-1"}
    api = site.api(body)
    assert api.status_code == 403 and api.json()["log_index"] == 1
    entries = site.app.state.gateway.log.get()
    by_desk, by_api = (json.loads(entries.entry(i)) for i in (0, 1))
    # only what the request id (which names the channel) and the clock change may differ
    for entry in (by_desk, by_api):
        del entry["time"], entry["request_hmac"], entry["sealed"]
    assert by_desk == by_api
    protected = [entries.reveal(i) for i in (0, 1)]
    for record in protected:
        del record["id"], record["nonce"]
    assert protected[0] == protected[1] and protected[0]  # the officer and the subject, protected, in both


def test_a_server_builds_the_law_once_and_serves_it_through_each_door() -> None:
    """gateway.services.load_policy builds the pipeline once: each door's path (the gateway, the
    hook, the proxy) shares its engine, duties and compiled disclosure, with its own log, facts and
    decision cache; a policy that did not load is served as the path that denies."""
    from sanctuary.gateway.services import load_policy

    policy = load_policy([], {}, [], jurisdiction="california")
    built = policy.built
    assert isinstance(built, Pipeline) and policy.engine is built.engine
    log, facts = Memory(), object()
    door = policy.pipeline(log, facts)  # type: ignore[arg-type]
    assert isinstance(door, Pipeline) and door is not built
    assert (door.engine, door.duties, door.disclosure) == (built.engine, built.duties, built.disclosure)
    assert door.log is log and door.fact_source is facts and built.log is None and built.fact_source is None
    other = policy.pipeline(log)
    other.decide(parse_request(WARRANT))
    assert isinstance(other, Pipeline) and other._cache and not built._cache and not door._cache
    assert other._read and not built._read and not door._read
    broken = load_policy(["no-such-profile"], {}, [])
    assert broken.engine is None and broken.error and isinstance(broken.pipeline(log), Unloaded)


def test_a_request_repeated_under_a_new_id_is_read_once_and_decided_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cached path: what the content alone decides is not read again (the screen is not run),
    and the decision is the same but for what is copied in per request (the id)."""
    import sanctuary.pipeline as pipeline_module

    screened: list[str] = []
    screen = pipeline_module.screen_request
    monkeypatch.setattr(pipeline_module, "screen_request", lambda r, attested=(): screened.append(r.id) or screen(r, attested))
    p = Pipeline(PolicyEngine.load(["chicago-2021"], registry()))
    raw = {"kind": "database_query", "requester": {"agency": "FBI"}, "purpose": {"text": "bank robbery"}, "resource": {"system": "CLEAR"}}
    first = p.decide_raw(json.dumps({**raw, "id": "r-1"}))[1]
    again = p.decide_raw(json.dumps({**raw, "id": "r-2"}))[1]
    other = p.decide_raw(json.dumps({**raw, "id": "r-3", "purpose": {"text": "civil immigration removal"}}))[1]
    assert screened == ["r-1", "r-3"]
    assert again.id == "r-2" and again.model_copy(update={"id": "r-1"}) == first
    assert other.decision != first.decision
