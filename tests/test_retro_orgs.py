"""Export organisation names resolve to the registry, or to a state and a level, or are listed as unresolved."""

from __future__ import annotations

import pytest

from sanctuary.agencies import load_registry
from sanctuary.agencies.g287 import Agreement, AgreementList, load_g287
from sanctuary.retro.orgs import OrgResolver


@pytest.fixture(scope="module")
def resolver() -> OrgResolver:
    return OrgResolver(load_registry(), load_g287())


@pytest.mark.parametrize(
    ("name", "resolved_id", "level", "state"),
    [
        ("Polk County FL SO", "FL-POLK-SO", "county", "FL"),
        ("(Federal) US Postal Inspection Service", "USPIS", "federal", "US"),
        ("SC - Sumter Co Sheriff's Office", None, "county", "SC"),
        ("Raleigh NC PD", None, "city", "NC"),
        ("Zachary PD (LA)", None, "city", "LA"),
        ("Savannah PD - GA", None, "city", "GA"),
        ("GA-Crisp County SO Wing", None, "county", "GA"),
        ("Dougherty County GA PD", None, "county", "GA"),
        ("Texas DPS", None, "state", "TX"),
        ("Georgia State Patrol", None, "state", "GA"),
        ("Alabama Law Enforcement Agency (ALEA)", None, "state", "AL"),
        ("Washington County OR SO", None, "county", "OR"),
        ("Denver CO PD", None, "city", "CO"),
        ("Polk County CO SO", None, "county", "CO"),
        ("Muscle Shoals AL Walmart", None, "private", "AL"),
        ("U.S. Border Patrol - El Paso Sector", "CBP-USBP", "federal", "US"),
        ("ICE ERO Chicago", "ICE-ERO", "federal", "US"),
        ("Evanston PD", "EPD", "city", "IL"),
    ],
)
def test_names_resolve(resolver, name, resolved_id, level, state):
    org = resolver.resolve(name)
    assert (org.resolved_id, org.level, org.state) == (resolved_id, level, state)
    assert org.resolved


def test_most_specific_federal_unit_wins(resolver):
    org = resolver.resolve("(Federal) DHS HSI Chicago")
    assert org.resolved_id == "ICE-HSI"
    assert org.immigration and org.dhs and org.federal


def test_a_state_written_in_the_name_refuses_a_registry_entry_of_another_state(resolver):
    org = resolver.resolve("Evanston WY PD")  # not Evanston, Illinois
    assert org.resolved_id is None and org.state == "WY"


@pytest.mark.parametrize("name", ["Ancient City Capital", "Escondido PD", "Weld CO SO", "LA County Sheriff's Department"])
def test_unresolved(resolver, name):
    assert not resolver.resolve(name).resolved


def test_287g_from_registry_flag_and_from_the_list(resolver):
    assert resolver.resolve("Polk County FL SO").has_287g  # registry flag
    collier = resolver.resolve("Collier County FL SO")  # only in the sample list
    assert collier.has_287g and "287(g) list" in collier.how
    assert not resolver.resolve("Collier County GA SO").has_287g  # same name, other state
    assert not resolver.resolve("Lowndes County GA SO").has_287g


def test_287g_list_matches_vendor_spellings():
    agreements = AgreementList("t", (Agreement("SC", "Sumter County Sheriff's Office", None, None, None),), sample=False)
    r = OrgResolver(load_registry(), agreements)
    assert r.resolve("SC - Sumter Co Sheriff's Office").has_287g
    assert r.resolve("Sumter County SC SO").has_287g
    assert not r.resolve("Sumter SC PD").has_287g


def test_out_of_state_is_for_state_and_local_agencies(resolver):
    assert resolver.resolve("Raleigh NC PD").out_of("IL")
    assert not resolver.resolve("Evanston PD").out_of("IL")
    assert not resolver.resolve("ICE ERO Chicago").out_of("IL")  # federal: flagged by agency, not by state
