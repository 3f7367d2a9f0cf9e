"""The illinois-alpr profile (625 ILCS 5/2-130, docs/law/illinois-alpr.md), rule by rule, both ways:
out-of-state agencies need a declaration on file (standing department data), "out of state" is
relative to the jurisdiction's home state, the barred purposes are barred with or without one, and
the unverified points are parameters that do what their documentation says."""

from __future__ import annotations

import pytest

from conftest import registry
from sanctuary.policy.declarations import read_declarations
from sanctuary.policy.engine import PolicyEngine, Query
from sanctuary.policy.facts import Facts
from sanctuary.policy.profiles import expand

ALPR = ("alpr_read", "alpr_location")
CIVIL = Facts(immigration_purpose=True)


def engine(*, declarations: tuple[str, ...] = (), params: dict | None = None, home_state: str = "IL") -> PolicyEngine:
    return PolicyEngine(expand(["illinois-alpr"]), registry(), params or {}, home_state=home_state, declarations=declarations)


def disclosed(eng: PolicyEngine, agency: str, facts: Facts = Facts(), categories: tuple[str, ...] = ALPR) -> tuple[bool, set[str]]:
    evaluations = eng.evaluate_all([Query(agency, "disclose", c, "Category") for c in categories], facts)
    assert not [e for ev in evaluations for e in ev.errors]
    return all(ev.allowed for ev in evaluations), {r for ev in evaluations for r in ev.rules if r.startswith("illinois-alpr:")}


@pytest.mark.parametrize("agency", ["FL-POLK-SO", "FBI", "CBP", "ICE-HSI", "CBP-USBP"])
def test_out_of_state_and_federal_agencies_need_a_declaration(agency: str) -> None:
    allowed, rules = disclosed(engine(), agency)
    assert not allowed and rules == {"illinois-alpr:declaration"}
    assert disclosed(engine(declarations=(agency,)), agency) == (True, set())


@pytest.mark.parametrize("agency", ["ISP", "CCSO", "EPD", "OPPD"])
def test_in_state_agencies_need_none(agency: str) -> None:
    assert disclosed(engine(), agency)[0]


def test_out_of_state_is_relative_to_the_home_state() -> None:
    florida = engine(home_state="FL")
    assert disclosed(florida, "FL-POLK-SO")[0]
    assert not disclosed(florida, "ISP")[0]


def test_a_declaration_covers_only_the_agency_that_signed_it() -> None:
    """A parent's declaration (CBP) does not cover its unit (Border Patrol): 'from each out-of-state agency'."""
    assert not disclosed(engine(declarations=("CBP",)), "CBP-USBP")[0]


@pytest.mark.parametrize("agency", ["ISP", "FL-POLK-SO", "FBI"])
def test_an_immigration_purpose_is_barred_with_or_without_a_declaration(agency: str) -> None:
    allowed, rules = disclosed(engine(declarations=(agency,)), agency, CIVIL)
    assert not allowed and "illinois-alpr:immigration-purpose" in rules


def test_only_alpr_categories_are_touched() -> None:
    assert disclosed(engine(), "FL-POLK-SO", categories=("person_name", "home_address", "warrant"))[0]


def test_the_federal_reading_is_a_parameter() -> None:
    state_only = {"illinois-alpr.needs_declaration": ["other_state", "unknown_state"]}
    assert disclosed(engine(params=state_only), "FBI")[0]
    assert not disclosed(engine(params=state_only), "FL-POLK-SO")[0]


def test_the_unknown_state_reading_is_a_parameter() -> None:
    """The vendor network has no state in the registry: it cannot be shown to be in state. (It is not
    law enforcement either, so the baseline grants it nothing: only the ALPR rule's part is checked.)"""
    assert "illinois-alpr:declaration" in disclosed(engine(), "FLOCK")[1]
    assert (
        "illinois-alpr:declaration"
        not in disclosed(engine(params={"illinois-alpr.needs_declaration": ["other_state", "federal"]}), "FLOCK")[1]
    )


def test_chicago_applies_the_profile() -> None:
    eng = PolicyEngine.for_jurisdiction("chicago", registry())
    assert "illinois-alpr" in eng.names and eng.home_state == "IL"
    assert not disclosed(eng, "FL-POLK-SO")[0]


def test_declarations_on_file_come_from_the_department_file(tmp_path) -> None:
    path = tmp_path / "declarations.csv"
    path.write_text("Agency,State,Signed\nPolk County Sheriff's Office,FL,2025-02-01\n", encoding="utf-8")
    on_file = read_declarations(path, registry())
    assert on_file.agencies == {"FL-POLK-SO"}
    eng = PolicyEngine.for_jurisdiction("chicago", registry(), declarations=on_file.agencies)
    assert disclosed(eng, "FL-POLK-SO")[0]
    assert not disclosed(eng, "CBP")[0]
