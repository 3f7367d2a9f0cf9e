"""The agency registry: names resolve, flags pass down, a department adds partners without code."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from sanctuary.agencies import RegistryError, load_registry
from sanctuary.cli import app


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Homeland Security Investigations", "ICE-HSI"),
        ("hsi", "ICE-HSI"),
        ("Border Patrol", "CBP-USBP"),
        ("U.S. Border Patrol", "CBP-USBP"),
        ("us border patrol", "CBP-USBP"),
        ("ICE+ERO", "ICE-ERO"),
        ("ice ero", "ICE-ERO"),
        ("immigration and customs enforcement", "ICE"),
        ("Department of Homeland Security", "DHS"),
        ("illinois state police", "ISP"),
        ("Evanston PD", "EPD"),
        ("Polk County FL SO", "FL-POLK-SO"),
        ("STIC", "IL-STIC"),
    ],
)
def test_names_resolve_case_insensitively(reg, name, expected):
    assert reg.resolve(name).id == expected


def test_unknown_name_resolves_to_nothing(reg):
    assert reg.resolve("Ministry of Truth") is None
    assert reg.resolve("ice cream") is None


def test_dhs_tree_and_inherited_flags(reg):
    usbp = reg.get("CBP-USBP")
    assert usbp.ancestors == ("CBP", "DHS")
    assert usbp.immigration_enforcement and usbp.federal and usbp.dhs
    for agency_id in ("ICE", "ICE-ERO", "ICE-HSI", "ICE-OPLA", "CBP", "CBP-OFO", "CBP-AMO", "USCIS"):
        assert reg.get(agency_id).immigration_enforcement, agency_id
    for agency_id in ("TSA", "USCG", "USSS", "FEMA", "CISA", "FLETC", "DHS-IA"):
        a = reg.get(agency_id)
        assert a.dhs and a.federal and not a.immigration_enforcement, agency_id
    for agency_id in ("FBI", "DEA", "ATF", "USMS"):
        a = reg.get(agency_id)
        assert a.ancestors == ("DOJ",) and a.federal and not a.dhs
    assert not reg.get("ISP").federal and reg.get("ISP").state == "IL"
    assert reg.get("FL-POLK-SO").has_287g
    assert reg.get("FBI-JTTF-CHI").relays_to_dhs


PARTNER = """
[[agency]]
id = "SKOKIE-PD"
name = "Skokie Police Department"
aliases = ["Skokie PD"]
ori = ["IL0160900"]
level = "city"
state = "IL"
"""


def test_department_file_adds_partners_with_ori(tmp_path):
    path = tmp_path / "partners.toml"
    path.write_text(PARTNER)
    reg = load_registry([path])
    assert reg.resolve("il0160900").id == "SKOKIE-PD"
    assert reg.resolve("skokie pd").id == "SKOKIE-PD"
    assert reg.digest() != load_registry().digest()


def test_a_task_force_is_judged_as_each_of_its_members_and_is_no_component_of_its_host(reg):
    jttf = reg.get("CA-JTTF-LA")
    assert jttf.level == "multi" and jttf.members == ("FBI", "ICE-HSI", "CBP", "CA-LAPD") and jttf.primary_purpose == "criminal"
    readings = [a.id for a in reg.readings("CA-JTTF-LA")]
    assert readings == ["CA-JTTF-LA", "FBI", "ICE-HSI", "CBP", "CBP-USBP", "CBP-OFO", "CBP-AMO", "CA-LAPD"]
    assert "CA-JTTF-LA" not in [a.id for a in reg.readings("FBI")]
    assert [a.id for a in reg.readings("FBI-JTTF-CHI")] == ["FBI-JTTF-CHI"]  # no members recorded: itself only


TASK_FORCE = '[[agency]]\nid = "TF"\nname = "TF"\nlevel = "multi"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[agency]]\nid = "X"\nname = "X"\nlevel = "city"\nmembers = ["FBI"]\n', "only a joint task force"),
        (TASK_FORCE + 'members = ["NOPE"]\n', "'NOPE' is not a registered agency"),
        (TASK_FORCE + 'members = ["FBI-JTTF-CHI"]\n', "'FBI-JTTF-CHI' is not a registered agency outside a task force"),
        (TASK_FORCE + 'members = "FBI"\n', "members: must be a list"),
        (TASK_FORCE + 'primary_purpose = "terrorism"\n', "primary_purpose: must be one of"),
    ],
)
def test_bad_task_force_entries_name_the_problem(tmp_path, text, message):
    path = tmp_path / "partners.toml"
    path.write_text(text)
    with pytest.raises(RegistryError, match=message):
        load_registry([path])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[agency]]\nid = "X"\nname = "X"\nparent = "NOPE"\n', "parent: unknown agency"),
        ('[[agency]]\nid = "X"\nname = "Border Patrol"\n', "already names agency CBP-USBP"),
        ('[[agency]]\nid = "ICE"\nname = "Other"\n', "id already defined"),
        ('[[agency]]\nid = "X"\nname = "X"\nori = ["IL1"]\n', "is not a 9-character ORI"),
        ('[[agency]]\nid = "X"\nname = "X"\nfederal = "yes"\n', "federal: must be true or false"),
        ('[[agency]]\nid = "X"\nname = "X"\ncolour = "red"\n', "unknown field"),
        ('[[agency]]\nname = "X"\n', "id: required"),
        ('[[agency]]\nid = "A"\nname = "A"\nparent = "B"\n[[agency]]\nid = "B"\nname = "B"\nparent = "A"\n', "loops"),
        ("not toml [", "partners.toml"),
    ],
)
def test_bad_registry_files_name_the_problem(tmp_path, text, message):
    path = tmp_path / "partners.toml"
    path.write_text(text)
    with pytest.raises(RegistryError, match=message):
        load_registry([path])


def test_cli_resolve_prints_ancestors_and_flags():
    result = CliRunner().invoke(app, ["agencies", "resolve", "homeland security investigations", "--json"])
    assert result.exit_code == 0
    import json

    data = json.loads(result.stdout)
    assert data["id"] == "ICE-HSI" and data["ancestors"] == ["ICE", "DHS"] and "immigration_enforcement" in data["flags"]
    human = CliRunner().invoke(app, ["agencies", "resolve", "hsi"])
    assert "DHS > ICE > ICE-HSI" in human.stdout
    missing = CliRunner().invoke(app, ["agencies", "resolve", "nobody"])
    assert missing.exit_code == 1
