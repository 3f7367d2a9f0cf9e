"""The compiled disclosure judgement (policy.disclosure) against its definition, the per-category
reference: the same decisions, withheld categories, citations and duties triggered under every
profile and jurisdiction, in one Cedar request per acting agency (the duties' conditions in the
same request, against `DutyBook.triggered`'s batch); a rule it cannot compile, or one that errors,
fails closed as the reference does; a duty's condition that errors triggers its duty and fails
nothing."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PROFILES, registry
from sanctuary.duties.book import Duty, DutyBook
from sanctuary.models import Kind
from sanctuary.pipeline import DATA_KINDS, FAIL_CLOSED, Pipeline
from sanctuary.policy.disclosure import Disclosure, judge, reference
from sanctuary.policy.engine import PolicyEngine, Query
from sanctuary.policy.facts import Facts
from sanctuary.policy.jurisdictions import jurisdictions
from sanctuary.policy.profiles import expand
from strategies import requests

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "requests.jsonl"
JURISDICTIONS = sorted(jurisdictions().by_name)
LAWS = [("profile", p) for p in PROFILES] + [("jurisdiction", j) for j in JURISDICTIONS]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@functools.cache
def engine(how: str, name: str, params: tuple = ()) -> PolicyEngine:
    if how == "jurisdiction":
        return PolicyEngine.for_jurisdiction(name, registry(), dict(params))
    return PolicyEngine.load([name], registry(), dict(params))


@functools.cache
def book(how: str, name: str, params: tuple = ()) -> DutyBook:
    return DutyBook.for_engine(engine(how, name, params))


@functools.cache
def pair(how: str, name: str, params: tuple = (), trusted: bool = False) -> tuple[Pipeline, Pipeline]:
    """The pipeline as it runs (compiled, the duties' conditions judged with the rules) and the
    reference (the duties' conditions a batch of their own), both without the decision cache."""
    duties = book(how, name, params)
    fast = Pipeline(engine(how, name, params), cache=False, trusted=trusted, duties=duties)
    slow = Pipeline(engine(how, name, params), cache=False, trusted=trusted, duties=duties)
    slow.disclosure = None
    assert fast.disclosure is not None, f"{how} {name}: the shipped rules compile"
    return fast, slow


@st.composite
def parameters(draw, how: str, name: str) -> tuple:
    """Any allowed values of the law's parameters (they reach Cedar in the context): one value, or
    several where the parameter is declared `several`."""
    names = jurisdictions().get(name).profiles if how == "jurisdiction" else (name,)
    out = []
    for profile in expand(list(names)):
        for key, spec in sorted(profile.parameters.items()):
            if spec.allowed and draw(st.booleans()):
                most = len(spec.allowed) if spec.several else 1
                values = draw(st.lists(st.sampled_from(spec.allowed), unique=True, min_size=1, max_size=most))
                out.append((f"{profile.name}.{key}", tuple(values)))
    return tuple(out)


@st.composite
def laws(draw) -> tuple[str, str, tuple]:
    how, name = draw(st.sampled_from(LAWS))
    return how, name, draw(parameters(how, name))


def shown(decision) -> dict:
    return decision.model_dump(mode="json")


@SETTINGS
@given(raw=requests(), law=laws(), trusted=st.booleans())
def test_compiled_decisions_are_the_reference_decisions(raw, law, trusted):
    """Whole decisions (permit or deny, withheld categories, rules, citations, explanation) agree."""
    fast, slow = pair(*law, trusted=trusted)
    assert shown(fast.decide_raw(raw)[1]) == shown(slow.decide_raw(raw)[1])


FACTS = st.builds(
    Facts,
    immigration_purpose=st.booleans(),
    judicial_warrant=st.booleans(),
    judicial_criminal_warrant=st.booleans(),
    federal_criminal_warrant=st.booleans(),
    disclosure_order=st.booleans(),
    # leaves and groups a document names: `resource in context.compelled` compiles to containsAny
    compelled=st.frozensets(st.sampled_from(["immigration_status", "place_of_birth", "status", "release_date", "contact_information"])),
    binding_compelled=st.frozensets(
        st.sampled_from(["immigration_status", "place_of_birth", "status", "release_date", "contact_information"])
    ),
    binding_disclosure=st.booleans(),
    binding_order=st.booleans(),
    administrative_document=st.booleans(),
    detainer=st.booleans(),
    carveout=st.booleans(),
    health_care_purpose=st.booleans(),
    operation_type=st.sampled_from(["none", "traffic_perimeter", "on_site_support", "other"]),
    civil_immigration_operation=st.booleans(),
    article_iii_order=st.booleans(),
    state_court_orders=st.frozensets(st.sampled_from(["IL", "CA", "WA", "OR", "NY"])),
    order_courts=st.frozensets(st.sampled_from(["US", "IL", "WA", "OR"])),
    felony_conviction=st.booleans(),
)


@SETTINGS
@given(
    law=laws(),
    facts=FACTS,
    acting=st.lists(st.sampled_from(sorted(a.id for a in registry())), min_size=1, max_size=3, unique=True),
    action=st.sampled_from([k.value for k in Kind]),
)
def test_compiled_judgement_is_the_reference_for_any_facts(law, facts, acting, action):
    """Every fact combination, not only those a request produces: the same action answers, the
    same categories withheld from the same agencies by the same rules, and the same duties."""
    duties = book(*law)
    compiled = Disclosure.compile(engine(*law), duties.conditions)
    assert compiled is not None
    data = action in DATA_KINDS
    got = compiled.judge(acting, action, "CLEAR", facts, data)
    expected = reference(engine(*law), acting, action, "CLEAR", facts, data)
    assert (got.actions, got.withheld, got.errors) == (expected.actions, expected.withheld, expected.errors)
    assert (got.conditions is None) == (not duties.duties)
    owed = duties.owed(got.conditions) if got.conditions is not None else []
    assert owed == duties.triggered(engine(*law), [Query(a, action, "CLEAR") for a in acting], facts)


def test_one_cedar_request_per_acting_agency_on_the_examples():
    """examples/requests.jsonl under each jurisdiction: one request per agency judged, one batch per
    judgement (the reference sent about 25 per decision). A request resting on a claimed judicial
    document is judged twice, with and without it (the hold for verification)."""
    lines = [line for line in EXAMPLES.read_text().splitlines() if line.strip()]
    for name in JURISDICTIONS:
        fast, _ = pair("jurisdiction", name)
        sent, batches = fast.engine.requests_sent, fast.engine.batches_sent
        judged = 0
        for line in lines:
            decision = fast.decide_raw(line)[1]
            judged += len(decision.judged_as or [])
        assert judged <= fast.engine.requests_sent - sent <= 2 * judged, name
        assert (fast.engine.requests_sent - sent) / len(lines) <= 3, name
        assert fast.engine.batches_sent - batches <= 2 * len(lines), name


OPAQUE = """
@id("<extra>:opaque") @citation("test") @explain("test") @explain_es("test")
forbid (principal, action == Action::"disclose", resource) when { resource is Category };
"""
# Overflows (an evaluation error) only when disclose is asked of a status leaf.
ERRING = """
@id("<extra>:overflow") @citation("test") @explain("test") @explain_es("test")
forbid (principal, action == Action::"disclose", resource in Category::"status") when { 9223372036854775807 + 1 > 0 };
"""


def extra(policies: str) -> PolicyEngine:
    return PolicyEngine(expand(["chicago-2021"]), registry(), extra_policies=policies)


def test_a_rule_that_reads_the_category_otherwise_is_judged_by_the_reference():
    e = extra(OPAQUE)
    assert Disclosure.compile(e) is None
    got = judge(e, None, ["FBI"], "database_query", "CLEAR", Facts(), True)
    assert sorted(got.withheld) == sorted(e.leaves)
    assert all(len(by) == 1 and "<extra>:opaque" in by[0][1] for by in got.withheld.values())


def test_an_error_in_one_category_fails_the_whole_decision_closed():
    e = extra(ERRING)
    compiled = Disclosure.compile(e)
    assert compiled is not None
    got = compiled.judge(["FBI"], "database_query", "CLEAR", Facts())
    assert got.errors and reference(e, ["FBI"], "database_query", "CLEAR", Facts(), True).errors
    pipeline = Pipeline(e, cache=False)
    raw = {
        "id": "x",
        "kind": "database_query",
        "requester": {"agency": "FBI"},
        "resource": {"system": "CLEAR"},
        "purpose": {"text": "robbery"},
    }
    decision = pipeline.decide_raw(json.dumps(raw))[1]
    assert decision.decision == "deny" and decision.citations == [FAIL_CLOSED] and decision.error


def test_a_duty_whose_condition_errors_is_owed_and_fails_nothing():
    e = engine("profile", "chicago-2021")
    erring = Duty("chicago-2021:erring", "chicago-2021", "test", "test", "", "test", "9223372036854775807 + 1 > 0", 1, None)
    never = Duty("chicago-2021:never", "chicago-2021", "test", "test", "", "test", "false", 1, None)
    duties = DutyBook([never, erring], [])
    compiled = Disclosure.compile(e, duties.conditions)
    assert compiled is not None
    for action, data in (("database_query", True), ("detainee_access", False)):
        got = compiled.judge(["FBI"], action, "CLEAR", Facts(), data)
        expected = reference(e, ["FBI"], action, "CLEAR", Facts(), data)
        assert not got.errors and (got.actions, got.withheld) == (expected.actions, expected.withheld)
        assert duties.owed(got.conditions) == ["chicago-2021:erring"] == duties.triggered(e, [Query("FBI", action, "CLEAR")], Facts())


@pytest.mark.parametrize("name", JURISDICTIONS)
def test_the_shipped_laws_compile(name):
    assert Disclosure.compile(engine("jurisdiction", name)) is not None
