"""`scan-partners`: classify a vendor sharing list; for Illinois, partners receiving data without a declaration."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sanctuary.agencies import load_registry
from sanctuary.agencies.g287 import load_g287
from sanctuary.retro import RetroError, scan_partners
from sanctuary.retro.orgs import OrgResolver

# The layout of a Flock sharing list as extracted from a PDF (State, Organization Name, Network Count,
# Networks Shared With Me, Networks Im Sharing); "Networks Im Sharing" empty means they receive nothing.
SHARING = [
    ["IL", "Evanston PD", "1", "Evanston PD", "Oak Park IL PD"],
    ["FL", "Polk County FL SO", "4", "Polk County FL SO,Polk County FL SO (LR)", "Oak Park IL PD"],
    ["GA", "Lowndes County GA SO", "1", "Lowndes County GA SO", ""],
    ["TX", "Galveston County TX SO", "1", "Galveston County TX SO", "Oak Park IL PD"],
    ["", "(Federal) U.S. Border Patrol", "1", "", "Oak Park IL PD"],
    ["", "Ancient City Capital", "42", "Beacon Pointe (MS)", "Oak Park IL PD"],
    ["IL", "Cook County Sheriff's Office", "1", "", "Oak Park IL PD"],
]


@pytest.fixture
def resolver() -> OrgResolver:
    return OrgResolver(load_registry(), load_g287())


def write_sharing(tmp_path: Path) -> Path:
    path = tmp_path / "sharing.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["State", "Organization Name", "Network Count", "Networks Shared With Me", "Networks Im Sharing"])
        w.writerows(SHARING)
    return path


def partners(out: Path) -> dict[str, dict]:
    with open(out / "partners.csv", newline="") as fh:
        return {r["organization"]: r for r in csv.DictReader(fh)}


def test_partners_are_classified(tmp_path, resolver):
    summary = scan_partners(write_sharing(tmp_path), "IL", resolver, tmp_path / "out")
    got = partners(tmp_path / "out")
    assert list(next(iter(got.values()))) == ["organization", "resolved_id", "level", "state", "flags", "receives_data", "declaration"]
    assert got["Evanston PD"]["flags"] == "" and got["Evanston PD"]["resolved_id"] == "EPD"
    assert set(got["Polk County FL SO"]["flags"].split(";")) == {"OUT_OF_STATE", "HAS_287G"}
    assert set(got["(Federal) U.S. Border Patrol"]["flags"].split(";")) == {"FEDERAL", "DHS_COMPONENT", "IMMIGRATION_AGENCY"}
    assert "UNRESOLVED" in got["Ancient City Capital"]["flags"]
    assert got["Lowndes County GA SO"]["receives_data"] == "False"
    assert summary["partners"] == len(SHARING) and summary["receiving_data"] == len(SHARING) - 1


def test_illinois_lists_receivers_without_declarations(tmp_path, resolver):
    declarations = tmp_path / "declarations.csv"
    declarations.write_text("Agency,State,Signed\nGalveston County Sheriff's Office,TX,2024-02-01\n")
    summary = scan_partners(write_sharing(tmp_path), "IL", resolver, tmp_path / "out", declarations)
    missing = {p["organization"] for p in summary["missing_declarations"]}
    # Polk (out of state), Border Patrol (federal), Ancient City Capital (state unknown); not Lowndes (receives
    # nothing), not Galveston (declaration on file), not the Illinois partners.
    assert missing == {"Polk County FL SO", "(Federal) U.S. Border Patrol", "Ancient City Capital"}
    assert partners(tmp_path / "out")["Galveston County TX SO"]["declaration"] == "True"
    assert json.loads((tmp_path / "out" / "partners-summary.json").read_text())["declarations_on_file"] == 1


def test_other_states_get_no_declaration_list(tmp_path, resolver):
    summary = scan_partners(write_sharing(tmp_path), "FL", resolver, tmp_path / "out")
    assert summary["missing_declarations"] is None
    assert "OUT_OF_STATE" in partners(tmp_path / "out")["Evanston PD"]["flags"]


def test_a_list_without_an_organisation_column_is_an_error(tmp_path, resolver):
    path = tmp_path / "sharing.csv"
    path.write_text("State,Count\nIL,1\n")
    with pytest.raises(RetroError, match="no organization column") as exc:
        scan_partners(path, "IL", resolver, tmp_path / "out")
    assert exc.value.field == "FILE"
