"""Facts about a subject come from the department's own system (the route map's `[facts]` call),
never from the caller; unknown, they read restrictively; a system that fails, fails closed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conftest import pipeline_for
from proxy_harness import EXAMPLE_ROUTES, Served, demo_rms, free_port
from sanctuary.gateway.services import load_policy
from sanctuary.proxy.facts import SystemFacts
from sanctuary.proxy.guard import Guard
from sanctuary.proxy.routes import load
from sanctuary.proxy.upstream import Upstream

ROUTES = load(EXAMPLE_ROUTES)
assert ROUTES.facts is not None


@pytest.fixture(scope="module")
def rms() -> Iterator[Served]:
    served = demo_rms()
    yield served
    served.stop()


def guard_2012(upstream: str) -> Guard:
    """The 2012 ordinance, whose 2-173-042(c) carve-outs read facts about the subject."""
    system = Upstream(upstream, timeout=1)
    assert ROUTES.facts is not None
    path = load_policy(["chicago-2012"], {}, []).pipeline(None, SystemFacts(ROUTES.facts, system))
    return Guard(ROUTES, path, upstream=system)


def test_the_system_s_facts_decide_a_carve_out_and_the_caller_s_do_not(rms: Served) -> None:
    """An active criminal warrant (James Carter) or a gang-database entry (Anh Nguyen) lifts
    2-173-042(b)(1) in 2012; the demo RMS's facts call says so. Nothing the caller sends can."""
    guard = guard_2012(rms.url)
    answers = {pid: guard.authorize("ICE-ERO", "GET", f"/persons/{pid}/custody", []) for pid in ("P0000002", "P0000003", "P0000004")}
    assert answers["P0000002"].decision.decision == "permit" and answers["P0000003"].decision.decision == "permit"
    assert answers["P0000004"].decision.decision == "deny" and answers["P0000004"].decision.citations == ["MCC 2-173-042(b)(1) (2012)"]
    assert rms.hits["/persons/P0000004/facts"] >= 1
    assert "department system" in (answers["P0000002"].decision.facts_source or "")
    claimed = guard.authorize("ICE-ERO", "GET", "/persons/P0000004/custody?outstanding_criminal_warrant=true", [])
    assert claimed.status == 422  # not a parameter of the route: refused, never a fact


def test_an_unknown_subject_reads_restrictively(rms: Served) -> None:
    verdict = guard_2012(rms.url).authorize("ICE-ERO", "GET", "/persons/P9999999/custody", [])
    assert verdict.decision.decision == "deny" and "not found" in (verdict.decision.facts_source or "")


def test_a_facts_call_that_fails_fails_closed() -> None:
    verdict = guard_2012(f"http://127.0.0.1:{free_port()}").authorize("ICE-ERO", "GET", "/persons/P0000002/custody", [])
    assert verdict.status == 503 and verdict.decision.decision == "deny"


def test_under_a_law_without_carve_outs_the_system_is_not_asked(rms: Served) -> None:
    before = sum(n for p, n in rms.hits.items() if p.endswith("/facts"))
    system = Upstream(rms.url)
    assert ROUTES.facts is not None
    path = load_policy(["chicago-2021", "illinois-trust"], {}, []).pipeline(None, SystemFacts(ROUTES.facts, system))
    verdict = Guard(ROUTES, path, upstream=system).authorize("ICE-ERO", "GET", "/persons/P0000002/custody", [])
    assert verdict.decision.decision == "deny" and verdict.decision.failure is None  # decided, by rule
    assert sum(n for p, n in rms.hits.items() if p.endswith("/facts")) == before


def test_a_hook_deny_for_a_withheld_category_cites_the_rule_that_withholds_it() -> None:
    guard = Guard(ROUTES, pipeline_for("chicago-2021"))
    verdict = guard.authorize("FBI", "GET", "/persons/P0000001", [(b"x-sanctuary-purpose", b"armed robbery investigation")])
    assert verdict.status == 403 and verdict.withheld == ["citizenship", "immigration_status", "place_of_birth"]
    assert verdict.decision.citations == ["MCC 2-173-030(a)(1)"]
