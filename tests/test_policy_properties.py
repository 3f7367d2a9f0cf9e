"""Properties of the decision core: composition is monotone, bad input and broken policies deny,
and the decision cache never changes a decision."""

from __future__ import annotations

import functools
import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PROFILES, pipeline_for, registry
from sanctuary.models import parse_request
from sanctuary.pipeline import Pipeline
from sanctuary.policy.engine import DEFAULT_DENY, PolicyEngine
from sanctuary.policy.errors import PolicyError
from sanctuary.policy.facts import SubjectFacts
from sanctuary.policy.profiles import expand
from sanctuary.screening import screen
from strategies import requests

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PAIRS = list(itertools.permutations(PROFILES, 2))


@FAST
@given(raw=requests(), pair=st.sampled_from(PAIRS))
def test_adding_a_profile_never_turns_a_deny_into_a_permit(raw, pair):
    base, added = pair
    alone = pipeline_for(base).decide_raw(raw)[1]
    both = pipeline_for(base, added).decide_raw(raw)[1]
    if alone.held is not None and alone.held.reason == "verification_required" and raw.get("documents"):
        # Held until an officer verifies the document described, because only it could lift a rule of
        # `base`. Where it would lift nothing in the composition there is nothing to wait for: what the
        # composition gives is then what it gives without the claimed papers, and no more than `base`
        # gives without them (claims count for nothing until verified).
        without = {key: value for key, value in raw.items() if key != "documents"}
        alone = pipeline_for(base).decide_raw(without)[1]
        if both.decision == "permit":
            assert alone.decision == "permit" and set(alone.redact) <= set(both.redact)
    elif alone.decision == "deny":
        assert both.decision == "deny"
    # and any forbid wins: a permit of the composition is a permit of each part. (The converse does
    # not hold: two profiles that each withhold part of what is asked together withhold all of it.)
    other = pipeline_for(added).decide_raw(raw)[1]
    if both.decision == "permit":
        assert alone.decision == other.decision == "permit"
        assert set(alone.redact) | set(other.redact) == set(both.redact)


@FAST
@given(raw=requests())
def test_composed_denial_cites_every_profile_that_forbids(raw):
    both = pipeline_for("chicago-2021", "illinois-trust").decide_raw(raw)[1]
    for single in ("chicago-2021", "illinois-trust"):
        d = pipeline_for(single).decide_raw(raw)[1]
        if d.decision == "deny" and d.rules:
            assert set(d.rules) <= set(both.rules)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)


@FAST
@given(
    raw=requests(), key=st.sampled_from(["kind", "requester", "purpose", "subject", "documents", "operation", "resource", "zzz"]), junk=JSON
)
def test_any_invalid_request_denies_with_the_field_named(raw, key, junk):
    raw = {**raw, key: junk}
    try:
        parse_request(raw)
    except ValueError:
        request, d = pipeline_for("chicago-2021").decide_raw(json.dumps(raw))
        assert request is None
        assert d.decision == "deny" and d.error
        assert d.error.split(":")[0].split(".")[0] in (key, "request")


@FAST
@given(blob=st.binary(max_size=200))
def test_garbage_bytes_never_permit(blob):
    _, d = pipeline_for("chicago-2012").decide_raw(blob)
    assert d.decision == "deny" and d.error


ERRORING_FORBID = """
@id("injected:broken") @citation("Injected test rule") @explain("Errors on every request.") @explain_es("Falla siempre.")
forbid (principal, action, resource) when { principal.no_such_attribute == 1 };
"""


@pytest.fixture(scope="module")
def broken_pipeline():
    # Validation would refuse this policy; build the engine without it to see what evaluation does.
    engine = PolicyEngine(expand(["chicago-2012"]), registry(), validate=False, extra_policies=ERRORING_FORBID)
    return Pipeline(engine)


@FAST
@given(raw=requests())
def test_an_injected_policy_error_denies(broken_pipeline, raw):
    request, d = broken_pipeline.decide_raw(raw)
    assert d.decision == "deny"
    assert d.error


def test_a_forbid_that_errors_would_be_skipped_by_cedar_but_denies_here(broken_pipeline):
    import cedarpy

    ok = {"id": "x", "kind": "database_query", "requester": {"agency": "FBI"}, "purpose": {"text": "robbery"}}
    request, d = broken_pipeline.decide_raw(ok)
    assert d.decision == "deny" and "policy evaluation error" in d.error
    # the same set, asked of Cedar directly, allows: the skip-on-error hazard this engine closes
    engine = broken_pipeline.engine
    purpose = screen("robbery")
    facts = broken_pipeline.facts(request, broken_pipeline.resolve(request, purpose), purpose)
    raw = cedarpy.is_authorized(
        {"principal": 'Agency::"FBI"', "action": 'Action::"database_query"', "resource": 'Resource::"x"', "context": engine.context(facts)},
        engine._policies,
        engine._entities,
        engine._schema,
    )
    assert raw.decision == cedarpy.Decision.Allow and raw.diagnostics.errors


def test_invalid_policy_does_not_load():
    with pytest.raises(PolicyError, match="does not validate"):
        PolicyEngine(expand(["chicago-2012"]), registry(), extra_policies=ERRORING_FORBID)


def test_uncitable_policy_does_not_load():
    bare = '@id("injected:bare") forbid (principal, action, resource);'
    with pytest.raises(PolicyError, match="@citation"):
        PolicyEngine(expand(["chicago-2012"]), registry(), extra_policies=bare)


def test_unknown_profile_and_parameter_are_refused():
    with pytest.raises(PolicyError, match="unknown profile"):
        PolicyEngine.load(["chicago-1999"], registry())
    with pytest.raises(PolicyError, match="unknown parameter"):
        PolicyEngine.load(["chicago-2021"], registry(), {"chicago-2021.nope": []})
    with pytest.raises(PolicyError, match="not allowed"):
        PolicyEngine.load(["chicago-2019-mayoral"], registry(), {"chicago-2019-mayoral.dropped_carveouts": ["jaywalking"]})


@pytest.mark.parametrize(
    "given",
    [
        {"california.truth_consent_form": []},
        {"california.immigration_authority": ["agency", "function"]},
        {"baseline.requesters": []},
    ],
)
def test_a_reading_parameter_takes_exactly_one_value(given):
    """A parameter whose values are alternative readings is set to one of them: none, or two at once,
    is no reading (an empty truth_consent_form had read as ice: Border Patrol's interview without the
    form), so the policy set does not load."""
    with pytest.raises(PolicyError, match="exactly one"):
        PolicyEngine.load(["california"], registry(), given)


def test_a_parameter_declared_several_takes_any_of_its_values():
    PolicyEngine.load(["california"], registry(), {"california.discretion_7282_5": []})
    PolicyEngine.load(
        ["chicago-2019-mayoral"], registry(), {"chicago-2019-mayoral.dropped_carveouts": ["gang_member", "felony_conviction"]}
    )


OPEN_BASELINE = (("baseline.requesters", ("public_agencies",)),)


@FAST
@given(raw=requests(), profile=st.sampled_from(PROFILES))
def test_answering_every_public_agency_lifts_only_the_baselines_refusal(raw, profile):
    """baseline.requesters=public_agencies decides a registered public agency by the law alone: a
    permit stays the same permit, and a deny that a law's rule (not the baseline) gave stays a deny."""
    by_default = pipeline_for(profile).decide_raw(raw)[1]
    opened = pipeline_for(profile, params=OPEN_BASELINE).decide_raw(raw)[1]
    if by_default.decision == "permit":
        assert (opened.decision, opened.redact) == ("permit", by_default.redact)
    elif DEFAULT_DENY not in by_default.citations:
        assert opened.decision == "deny"


@pytest.mark.parametrize("params", [(), OPEN_BASELINE])
def test_a_person_a_vendor_and_an_unknown_agency_are_refused_however_the_baseline_is_set(params):
    pipeline = pipeline_for("washington", params=params, trusted=True)
    fema = {"kind": "database_query", "purpose": {"category": "other", "text": "fraud review"}, "resource": {"fields": ["conviction"]}}
    assert pipeline.decide_raw({"id": "t-fema", **fema, "requester": {"agency": "FEMA"}})[1].decision == ("permit" if params else "deny")
    for agency in ("FLOCK", "NO-SUCH-AGENCY"):
        decision = pipeline.decide_raw({"id": "t-other", **fema, "requester": {"agency": agency}})[1]
        assert decision.decision == "deny" and "baseline:public-agency" not in decision.rules, agency
    with pytest.raises(PolicyError, match="baseline.requesters: everyone not allowed"):
        PolicyEngine.load(["washington"], registry(), {"baseline.requesters": ["everyone"]})


@functools.cache
def loaded(profile: str) -> PolicyEngine:
    """A profile's engine, loaded once (each pipeline over it keeps its own caches)."""
    return PolicyEngine.load([profile], registry())


class ChangingRecords:
    """Records whose answer about the subject changes from one lookup to the next (in a cycle)."""

    name = "changing records"

    def __init__(self, answers: list[frozenset[str]]) -> None:
        self.answers = itertools.cycle(answers)

    def lookup(self, *_: object) -> SubjectFacts:
        return SubjectFacts(source=self.name, found=True, carveouts=next(self.answers))


CARVEOUTS = st.frozensets(st.sampled_from(["outstanding_criminal_warrant", "felony_conviction", "gang_member", "gang_admission"]))


@settings(max_examples=500, deadline=None)
@given(
    raws=st.lists(requests(), min_size=1, max_size=30),
    profile=st.sampled_from(PROFILES),
    trusted=st.booleans(),
    answers=st.none() | st.lists(CARVEOUTS, min_size=1, max_size=3),
)
def test_cached_and_uncached_decisions_agree(raws, profile, trusted, answers):
    """The cache key is the whole Cedar input, and a request's content is read once whatever its id
    (the records looked up for every request), so replaying through the caches changes nothing."""
    cached = Pipeline(loaded(profile), trusted=trusted, facts=answers and ChangingRecords(answers))
    uncached = Pipeline(loaded(profile), cache=False, trusted=trusted, facts=answers and ChangingRecords(answers))
    again = [{**raw, "id": f"{raw['id']}-again"} for raw in raws]
    for raw in raws + again:  # the second pass (the same requests, new ids) is served from the caches
        assert cached.decide_raw(raw)[1] == uncached.decide_raw(raw)[1]


def test_a_rule_without_its_spanish_explanation_does_not_load():
    half = '@id("injected:half") @citation("Injected") @explain("Only English.") forbid (principal, action, resource);'
    with pytest.raises(PolicyError, match="@explain_es"):
        PolicyEngine(expand(["chicago-2012"]), registry(), extra_policies=half)
