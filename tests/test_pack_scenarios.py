"""Every pack's scenario table (profiles/<name>/scenarios.toml), run as `sanctuary policy test` runs
it: every scenario decided as the statute says, every rule of the pack shown firing and not firing."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from conftest import pipeline_for, registry
from sanctuary.policy.profiles import PROFILES, available
from sanctuary.policy.scenarios import FILENAME, load, run

PACKS = [p for p in available() if (PROFILES / p / FILENAME).is_file()]
NEW_PACKS = ["california", "washington", "oregon", "new-york-dmv"]
EXAMPLES = Path(__file__).parents[1] / "examples" / "requests.jsonl"


@pytest.mark.parametrize("pack", PACKS)
def test_scenario_table_passes_with_every_rule_shown_both_ways(pack):
    report = run(pack, registry())
    failures = [f"#{r.scenario.number} {r.scenario.name}: {'; '.join(r.problems)}" for r in report.failed]
    assert not failures, "\n".join(failures)
    assert not report.never_fired, f"rules never shown deciding: {report.never_fired}"
    assert not report.never_spared, f"rules never shown not deciding: {report.never_spared}"
    assert not report.unknown_rules
    assert report.ok


@pytest.mark.parametrize("pack", NEW_PACKS)
def test_each_new_pack_has_a_table_of_at_least_25_requests(pack):
    assert pack in PACKS
    assert len(load(pack)) >= 25


def _corpus() -> list[dict]:
    """Every scenario request of every pack, and the shipped example requests."""
    out = [s.request for pack in PACKS for s in load(pack)]
    out += [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return out


ALL_PROFILES = sorted(set(available()))


@pytest.mark.parametrize(("base", "added"), list(itertools.permutations(ALL_PROFILES, 2)))
def test_adding_a_pack_never_turns_a_deny_into_a_permit_for_every_pair(base, added):
    """Composition over every ordered pair of shipped profiles, on every request written for any pack."""
    for raw in _corpus():
        alone = pipeline_for(base, trusted=True).decide_raw(raw)[1]
        other = pipeline_for(added, trusted=True).decide_raw(raw)[1]
        both = pipeline_for(base, added, trusted=True).decide_raw(raw)[1]
        if alone.decision == "deny":
            assert both.decision == "deny", (raw, both.explanation)
        if both.decision == "permit":  # partial withholdings of two packs may add up to a deny, never the reverse
            assert alone.decision == other.decision == "permit", raw
            assert set(alone.redact) | set(other.redact) == set(both.redact), raw


@pytest.mark.parametrize(
    ("purpose", "decision"), [("criminal", "permit"), ("civil_immigration", "deny"), ("criminal_immigration", "deny"), (None, "deny")]
)
def test_california_task_force_exception_turns_on_the_registrys_primary_purpose(tmp_path, purpose, decision):
    """Gov. Code §7284.6(b)(3)(A): a task force whose primary purpose the department records as
    immigration enforcement (civil, or criminal immigration), or does not record, gets nothing the
    bars reaching its HSI member withhold, whatever crime its request states."""
    from sanctuary.agencies import load_registry
    from sanctuary.pipeline import Pipeline
    from sanctuary.policy.engine import PolicyEngine

    entry = '[[agency]]\nid = "TF"\nname = "A task force"\nlevel = "multi"\nstate = "CA"\nmembers = ["FBI", "ICE-HSI"]\nlaw_enforcement = true\n'
    path = tmp_path / "partners.toml"
    path.write_text(entry + (f'primary_purpose = "{purpose}"\n' if purpose else ""))
    engine = PolicyEngine.load(["california"], load_registry([path]))
    raw = {
        "id": "tf-1",
        "kind": "database_query",
        "requester": {"agency": "TF"},
        "purpose": {"text": "counterterrorism investigation, material support", "category": "criminal"},
        "resource": {"fields": ["address"], "search": {"type": "person", "person_id": "P0000056"}},
    }
    _, got = Pipeline(engine, trusted=True).decide_raw(raw)
    assert got.decision == decision, got.explanation
    if decision == "deny":
        assert "california:7284-6-b3-task-force-data" in got.rules and "california:7284-6-a1d-personal-information" in got.rules
