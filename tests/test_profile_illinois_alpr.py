"""The illinois-alpr profile (625 ILCS 5/2-130, docs/law/illinois-alpr.md): what its scenario table
(profiles/illinois-alpr/scenarios.toml, run by tests/test_pack_scenarios.py) cannot express. The table
decides a pack under its own name, with declarations and a home state it names; these two checks are
about where those come from in a deployment: a jurisdiction (its profiles and home state, which a
scenario cannot name) and the department's CSV file of signed declarations (a file, not a list of ids);
and one the rules decide for an agency a request cannot stand for alone: a request from CBP is judged as
each of its components, so that CBP's own declaration lifts the rule for CBP is checked on the engine."""

from __future__ import annotations

from conftest import registry
from sanctuary.policy.declarations import read_declarations
from sanctuary.policy.engine import PolicyEngine, Query
from sanctuary.policy.facts import Facts
from sanctuary.policy.profiles import expand

ALPR = ("alpr_read", "alpr_location")


def disclosed(eng: PolicyEngine, agency: str) -> bool:
    evaluations = eng.evaluate_all([Query(agency, "disclose", c, "Category") for c in ALPR], Facts())
    assert not [e for ev in evaluations for e in ev.errors]
    return all(ev.allowed for ev in evaluations)


def test_a_parent_agencys_own_declaration_lifts_the_rule_for_it() -> None:
    assert not disclosed(PolicyEngine(expand(["illinois-alpr"]), registry()), "CBP")
    assert disclosed(PolicyEngine(expand(["illinois-alpr"]), registry(), declarations=("CBP",)), "CBP")


def test_chicago_applies_the_profile() -> None:
    eng = PolicyEngine.for_jurisdiction("chicago", registry())
    assert "illinois-alpr" in eng.names and eng.home_state == "IL"
    assert not disclosed(eng, "FL-POLK-SO")


def test_declarations_on_file_come_from_the_department_file(tmp_path) -> None:
    path = tmp_path / "declarations.csv"
    path.write_text("Agency,State,Signed\nPolk County Sheriff's Office,FL,2025-02-01\n", encoding="utf-8")
    on_file = read_declarations(path, registry())
    assert on_file.agencies == {"FL-POLK-SO"}
    eng = PolicyEngine.for_jurisdiction("chicago", registry(), declarations=on_file.agencies)
    assert disclosed(eng, "FL-POLK-SO")
    assert not disclosed(eng, "CBP")
