"""`sanctuary scan DIR/`: a state's exports in a folder, any mix of formats, each file's owner found."""

from __future__ import annotations

import csv
import gzip
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import registry
from sanctuary.retro import RetroError, ScanOptions, scan
from sanctuary.retro import pipeline as retro_pipeline
from sanctuary.retro.flags import classify_purpose, lettered, shape
from sanctuary.retro.owners import Owners, from_name
from test_retro_scan import FIXTURES, RECORDS, write_audit, write_ndjson, write_parquet


@pytest.mark.parametrize(
    ("name", "owner"),
    [
        ("11_1_2025-12_8_2025-Okaloosa_County_FL_SO-Audit_EXTRACTED.csv.gz", "Okaloosa County FL SO"),
        ("4_1_2025-4_30_2025-Conway AR PD-Audit - Redacted.csv", "Conway AR PD"),
        ("Los_Altos_CA_PD_NETWORK_AUDIT_2024__APRIL.ndjson.gz", "Los Altos CA PD"),
        ("Los_Altos_PD_Organizational_Audit_2025__November.ndjson.gz", "Los Altos PD"),
        ("Springfield IL PD-Network_Audit-0007.parquet", "Springfield IL PD"),
        ("search_audit.a871b2fc.csv", None),  # the portal's name says nothing of whose it is
        ("demo_network_audit.csv", None),  # "demo" is no agency
        ("audit.csv", None),
    ],
)
def test_the_owner_in_a_vendors_file_name(name: str, owner: str | None) -> None:
    assert from_name(Path(name)) == owner


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "state"
    (folder / "county").mkdir(parents=True)
    write_audit(folder / "Evanston IL PD-Network_Audit.csv")
    write_parquet(folder / "county" / "network.parquet")
    write_ndjson(folder / "county" / "other.ndjson")
    with gzip.open(folder / "county" / "portal.csv.gz", "wt") as fh:
        fh.write((FIXTURES / "search_audit.f5f2e2bb.csv").read_text())
    (folder / "county" / "manifest.csv").write_text("file,owner\nnetwork.parquet,Cook County IL SO\nportal.csv.gz,Foster City CA PD\n")
    (folder / "notes.txt").write_text("not an export")
    return folder


def test_a_folder_of_mixed_formats_is_one_audit_with_each_owner_found(tmp_path: Path) -> None:
    summary = scan([_folder(tmp_path)], tmp_path / "out", ScanOptions(home_state="IL"))
    owners = {Path(f["path"]).name: (f["owner"], f["owner_how"].split(" ")[0]) for f in summary["files"]}
    assert owners == {
        "Evanston IL PD-Network_Audit.csv": ("Evanston IL PD", "file"),
        "network.parquet": ("Cook County IL SO", "manifest"),
        "other.ndjson": (None, "unknown"),
        "portal.csv.gz": ("Foster City CA PD", "manifest"),
    }
    assert summary["rows"] == 3 * len(RECORDS) + 36
    assert summary["by_flag"]["IMMIGRATION_PURPOSE"] == 3  # "ICE WARRANT" in each of the three network audits
    # the portal's searches are its owner's own: judged as searched by Foster City, out of state for IL
    with (tmp_path / "out" / "orgs.csv").open(newline="") as fh:
        orgs = {r["organization"]: r for r in csv.DictReader(fh)}
    assert orgs["Foster City CA PD"]["rows"] == "36" and orgs["Foster City CA PD"]["out_of_state"] == "true"
    assert not (tmp_path / "out" / ".stage").exists()
    pages = {p.name for p in (tmp_path / "out" / "orgs").iterdir()}
    assert "index.html" in pages and "polk-county-fl-so.html" in pages and "foster-city-ca-pd.html" in pages
    assert "Polk County FL SO" in (tmp_path / "out" / "orgs" / "polk-county-fl-so.html").read_text()


def test_agency_given_names_every_file_and_says_so(tmp_path: Path) -> None:
    summary = scan([_folder(tmp_path)], tmp_path / "out", ScanOptions(home_state="IL", agency="Cook County IL SO"))
    assert {(f["owner"], f["owner_how"]) for f in summary["files"]} == {("Cook County IL SO", "--agency")}
    assert summary["owner"] == "Cook County IL SO" and summary["owner_how"] == "--agency"
    assert 'Cook County IL SO <span class="how">(owner from --agency)</span>' in (tmp_path / "out" / "report.html").read_text()


def test_a_manifest_without_its_columns_names_the_field(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "county" / "manifest.csv").write_text("path,agency\nnetwork.parquet,Cook County IL SO\n")
    with pytest.raises(RetroError) as err:
        scan([folder], tmp_path / "out", ScanOptions(home_state="IL"))
    assert err.value.field == "manifest" and "file and owner" in str(err.value)


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(RetroError, match="no export in this folder"):
        scan([tmp_path / "empty"], tmp_path / "out", ScanOptions(home_state="IL"))


def test_above_the_sort_limit_flags_parquet_alone_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retro_pipeline, "SORT_LIMIT", 2)
    summary = scan([write_audit(tmp_path / "a.csv")], tmp_path / "out", ScanOptions(home_state="IL"))
    assert summary["flagged"] > 2 and (tmp_path / "out" / "flags.parquet").is_file() and not (tmp_path / "out" / "flags.csv").exists()


def test_owners_are_looked_for_no_higher_than_the_folder_scanned(tmp_path: Path) -> None:
    (tmp_path / "manifest.csv").write_text("file,owner\nstate/a.csv,Someone Else PD\n")
    (tmp_path / "state").mkdir()
    shutil.copy(FIXTURES / "search_audit.f5f2e2bb.csv", tmp_path / "state" / "a.csv")
    assert Owners(root=tmp_path / "state").of(tmp_path / "state" / "a.csv").name is None
    assert Owners(root=tmp_path).of(tmp_path / "state" / "a.csv").name == "Someone Else PD"


@settings(max_examples=500, deadline=None)
@given(st.text(min_size=0, max_size=20) | st.text(alphabet="0123456789-/.#: ()_aZ\u00aa\u00b2\u0130\u01c5", max_size=20))
def test_lettered_is_having_a_letter(text: str) -> None:
    assert lettered(text) == any(c.isalpha() for c in text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789-/.#: ()", min_size=1, max_size=30))
def test_a_letterless_text_is_classified_as_its_shape(text: str) -> None:
    """Texts without a letter that differ only in long runs of digits are classified once: the
    answer for the shape is the answer for the text."""
    key = shape(text)
    whole, by_shape = classify_purpose(text, registry()), classify_purpose(key, registry())
    assert (whole.words, whole.named, whole.presumed, whole.crime, whole.vague, whole.case_only, whole.review, whole.agency, whole.dhs) == (
        by_shape.words,
        by_shape.named,
        by_shape.presumed,
        by_shape.crime,
        by_shape.vague,
        by_shape.case_only,
        by_shape.review,
        by_shape.agency,
        by_shape.dhs,
    )
    assert whole.evidence == by_shape.evidence
