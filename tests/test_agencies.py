"""The agency registry: names resolve, flags pass down, a department adds partners without code."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import uvicorn
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
law_enforcement = true
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


TASK_FORCE = '[[agency]]\nid = "TF"\nname = "TF"\nlevel = "multi"\nlaw_enforcement = true\n'
# A complete entry of no parent, and the start of one under a parent: the bad files below add one fault each.
ENTRY = '[[agency]]\nid = "X"\nname = "X"\nlevel = "city"\nlaw_enforcement = true\n'
CHILD = '[[agency]]\nid = "X"\nname = "X"\nlaw_enforcement = true\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (ENTRY + 'members = ["FBI"]\n', "only a joint task force"),
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
        (CHILD + 'parent = "NOPE"\n', "parent: unknown agency"),
        (ENTRY + 'aliases = ["Border Patrol"]\n', "already names agency CBP-USBP"),
        (ENTRY.replace('"X"', '"ICE"', 1), "id already defined"),
        (ENTRY + 'ori = ["IL1"]\n', "is not a 9-character ORI"),
        (ENTRY + 'federal = "yes"\n', "federal: must be true or false"),
        (ENTRY.replace("true", '"yes"'), "law_enforcement: must be true or false"),
        (ENTRY.replace('"city"', '"galactic"'), "level: must be one of"),
        (ENTRY + 'colour = "red"\n', "unknown field"),
        ('[[agency]]\nname = "X"\n', "id: required"),
        (CHILD.replace("X", "A") + 'parent = "B"\n' + CHILD.replace("X", "B") + 'parent = "A"\n', "loops"),
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


@pytest.mark.parametrize(
    ("text", "where", "field"),
    [
        ('[[agency]]\nid = "X"\nname = "X"\nlevel = "city"\n', "agency #1 (X)", "law_enforcement: required"),
        ('[[agency]]\nid = "X"\nname = "X"\nparent = "FBI"\n', "agency #1 (X)", "law_enforcement: required"),
        ('[[agency]]\nid = "X"\nname = "X"\nlaw_enforcement = false\n', "agency #1 (X)", "level: required for an agency with no parent"),
        (ENTRY + '[[agency]]\nid = "Y"\nname = "Y"\nlevel = "private"\n', "agency #2 (Y)", "law_enforcement: required"),
    ],
)
def test_a_registry_that_leaves_out_law_enforcement_or_a_top_level_agencys_level_does_not_load(tmp_path, text, where, field):
    """Fail closed on department data: no default reads an agency as law enforcement, or as a public
    agency (`baseline.requesters=public_agencies`), because its file forgot to say."""
    path = tmp_path / "partners.toml"
    path.write_text(text)
    with pytest.raises(RegistryError) as raised:
        load_registry([path])
    assert raised.value.field == f"{path}: {where}" and raised.value.reason.startswith(field)


def test_a_unit_takes_its_parents_level_and_states_its_own_law_enforcement(tmp_path):
    path = tmp_path / "partners.toml"
    path.write_text(
        ENTRY.replace('"X"', '"CITY-HALL"').replace("true", "false")
        + CHILD.replace('"X"', '"CITY-PD"', 1).replace('"X"', '"City Police"')
        + 'parent = "CITY-HALL"\n'
    )
    reg = load_registry([path])
    hall, police = reg.get("CITY-HALL"), reg.get("CITY-PD")
    assert (hall.level, hall.law_enforcement) == ("city", False)
    assert (police.level, police.law_enforcement) == ("city", True)


def test_the_shipped_registry_states_law_enforcement_on_every_agency():
    import tomllib

    from sanctuary.agencies.registry import DATA

    entries = tomllib.loads(DATA.read_text(encoding="utf-8"))["agency"]
    assert [e["id"] for e in entries if "law_enforcement" not in e] == []
    assert [e["id"] for e in entries if "parent" not in e and "level" not in e] == []


ROUTES = str(Path(__file__).resolve().parent.parent / "examples" / "rms" / "routes.toml")


@pytest.mark.parametrize(
    "command",
    [
        ["agencies", "list"],
        ["agencies", "resolve", "FBI"],
        ["decide", "-p", "chicago-2021", "-"],
        ["scan-partners", "partners.csv", "--home-state", "IL", "--out", "out"],
        ["serve", "--demo"],
        ["proxy", "--upstream", "http://127.0.0.1:9", "--routes", ROUTES],
    ],
)
def test_commands_that_load_a_registry_missing_a_flag_stop_naming_it(tmp_path, monkeypatch, command):
    """Every command taking --agencies refuses to start on it (exit 2), as on any registry that does not
    load: the servers do not start (a running server has no registry to fall back on), no traceback."""
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    events = logging.getLogger("sanctuary")  # a server command adds its handler: taken away after the test
    monkeypatch.setattr(events, "handlers", list(events.handlers))
    monkeypatch.setattr(uvicorn.Server, "run", lambda server, *args, **kwargs: None)  # a server that starts returns at once
    (tmp_path / "partners.csv").write_text("organization,state\nSkokie Police Department,IL\n")
    path = tmp_path / "partners.toml"
    path.write_text('[[agency]]\nid = "SKOKIE-PD"\nname = "Skokie Police Department"\nlevel = "city"\nstate = "IL"\n')
    result = CliRunner().invoke(app, [*command, "--agencies", str(path)], input="")
    assert result.exit_code == 2, result.output
    said = "".join(result.output.split())  # the console folds a long path at its width, anywhere
    assert "".join(f"{path}: agency #1 (SKOKIE-PD): law_enforcement: required".split()) in said
    assert "Traceback" not in result.output
