"""The premise the proxy and the hook rest on when they skip the facts call (guard.Guard.prepare):
a carve-out fact only ever lifts a rule. With more facts met, a permit stays a permit and withholds
no more than before, under every profile and composition the project ships."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import PROFILES, pipeline_for
from proxy_harness import EXAMPLE_ROUTES, demo_rms
from sanctuary.models import Subject, parse_request
from sanctuary.proxy.guard import Guard
from sanctuary.proxy.routes import load
from sanctuary.proxy.upstream import Upstream
from strategies import requests

FACT_NAMES = [name for name, info in Subject.model_fields.items() if info.annotation is bool]
COMPOSITIONS = [(p,) for p in PROFILES] + [("chicago-2021", "illinois-trust"), ("chicago-2012", "illinois-trust")]


@settings(max_examples=300, deadline=None)
@given(raw=requests(), profiles=st.sampled_from(COMPOSITIONS), met=st.sets(st.sampled_from(FACT_NAMES), min_size=1))
def test_a_fact_met_never_takes_away_what_a_restrictive_reading_permits(raw: dict, profiles: tuple[str, ...], met: set[str]) -> None:
    pipeline = pipeline_for(*profiles)
    unknown = {**raw, "subject": {name: False for name in FACT_NAMES}}
    known = {**raw, "subject": {name: name in met for name in FACT_NAMES}}
    restrictive = pipeline.decide(parse_request(unknown))
    informed = pipeline.decide(parse_request(known))
    if restrictive.decision == "permit":
        assert informed.decision == "permit", (profiles, raw, met)
        assert set(informed.redact) <= set(restrictive.redact), (profiles, raw, met)


def test_the_facts_come_from_the_department_system_and_decide_a_carve_out() -> None:
    """Under the 2012 ordinance an active criminal warrant (James Carter) or a gang-database entry
    (Anh Nguyen) lifts 2-173-042(b)(1); the facts call of the demo RMS says so, the caller cannot."""
    rms = demo_rms()
    try:
        guard = Guard(load(EXAMPLE_ROUTES), pipeline_for("chicago-2012"), upstream=Upstream(rms.url))
        answers = {pid: guard.authorize("ICE-ERO", "GET", f"/persons/{pid}/custody", {}) for pid in ("P0000002", "P0000003", "P0000004")}
        assert answers["P0000002"].decision.decision == "permit" and answers["P0000003"].decision.decision == "permit"
        assert answers["P0000004"].decision.decision == "deny" and answers["P0000004"].decision.citations == ["MCC 2-173-042(b)(1) (2012)"]
        assert rms.hits["/persons/P0000004/facts"] == 1
        claimed = guard.authorize("ICE-ERO", "GET", "/persons/P0000004/custody?outstanding_criminal_warrant=true", {})
        assert claimed.status == 422 and claimed.decision.error  # not a parameter of the route: refused
    finally:
        rms.stop()


def test_a_hook_deny_for_a_withheld_category_cites_the_rule_that_withholds_it() -> None:
    guard = Guard(load(EXAMPLE_ROUTES), pipeline_for("chicago-2021"))
    verdict = guard.authorize("FBI", "GET", "/persons/P0000001", {"x-sanctuary-purpose": "armed robbery investigation"})
    assert verdict.status == 403 and verdict.withheld == ["citizenship", "immigration_status", "place_of_birth"]
    assert verdict.decision.citations == ["MCC 2-173-030(a)(1)"]
