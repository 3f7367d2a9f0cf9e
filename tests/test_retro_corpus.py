"""The retro audit on real exports: 79 published Flock search audits (tests/data/flock-corpus).

The corpus carries no labels and no known immigration search, so what it can show is what the flags
must not do: the evidence flag on a real search with no immigration purpose in it, on a search whose
reason names a crime, or on a 287(g) sheriff's every search (issue 30: 7,273 of 7,273 before). Rows
injected into a real sheriff's export show what it must do."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import duckdb
import pytest

from sanctuary.policy.immigration import CRIMINAL, by_words
from sanctuary.retro import ScanOptions, scan
from sanctuary.screening import screen

CORPUS = Path(__file__).resolve().parent / "data" / "flock-corpus"
OKALOOSA = CORPUS / "okaloosa-fl-so" / "11_1_2025-12_8_2025-Okaloosa_County_FL_SO-Audit_EXTRACTED.csv.gz"
MAX_EVIDENCE_RATE = 0.002  # issue 30: the evidence flag's false rate on the corpus


def _manifest() -> list[dict]:
    with (CORPUS / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _flags(out: Path) -> list[dict]:
    with (out / "flags.csv").open(newline="", encoding="utf-8") as fh:
        return [r | {"flags": set(r["flags"].split(";"))} for r in csv.DictReader(fh)]


def test_the_corpus_holds_more_than_five_thousand_real_reasons_each_with_its_source() -> None:
    manifest = _manifest()
    con = duckdb.connect()
    reasons = 0
    for m in manifest:
        column = "Reason" if m["file"].startswith("okaloosa") else "reason"
        rows, with_reason = con.execute(
            f"SELECT count(*), count(nullif(trim(\"{column}\"), '')) FROM read_csv('{CORPUS / m['file']}', all_varchar=true)"
        ).fetchall()[0]
        assert rows == int(m["rows"]), m["file"]
        assert m["source"].startswith("https://github.com/") and m["split"] in ("dev", "heldout") and m["state"]
        reasons += with_reason
    assert len(manifest) == 79 and reasons == 39_636 >= 5_000


@pytest.fixture(scope="module")
def corpus_scan(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, list[dict], Path]:
    out = tmp_path_factory.mktemp("corpus")
    summary = scan([CORPUS], out, ScanOptions(home_state="CA", org_reports=False))
    return summary, _flags(out), out


def test_a_folder_scan_takes_each_owner_from_the_manifest(corpus_scan) -> None:
    summary, _, out = corpus_scan
    owners = {str((CORPUS / m["file"]).resolve()): m["owner"] for m in _manifest()}
    assert summary["rows"] == 62_250 and len(summary["files"]) == 79
    for f in summary["files"]:
        assert f["owner"] == owners[str(Path(f["path"]).resolve())]
        assert f["owner_how"].startswith("manifest ")
    # a portal export has no organisation column: its searches are its owner's own
    with (out / "orgs.csv").open(newline="", encoding="utf-8") as fh:
        searches = {r["organization"]: int(r["rows"]) for r in csv.DictReader(fh)}
    assert searches["Chula Vista CA PD"] == next(int(m["rows"]) for m in _manifest() if m["owner"] == "Chula Vista CA PD") == 2_339


def test_the_evidence_flag_is_rare_on_real_searches_and_never_on_a_named_crime(corpus_scan) -> None:
    summary, flags, _ = corpus_scan
    evidence = [r for r in flags if "IMMIGRATION_PURPOSE" in r["flags"]]
    assert len(evidence) <= MAX_EVIDENCE_RATE * summary["rows"]
    assert not [r for r in evidence if r["reason"] and by_words(screen(r["reason"])).category == CRIMINAL]
    assert summary["by_flag"]["IMMIGRATION_PURPOSE"] == len(evidence)


@pytest.fixture(scope="module")
def okaloosa(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, list[dict]]:
    out = tmp_path_factory.mktemp("okaloosa")
    summary = scan([OKALOOSA], out, ScanOptions(home_state="FL"))
    return summary, _flags(out)


def test_a_287g_sheriffs_searches_are_presumed_not_evidence(okaloosa) -> None:
    """Okaloosa County SO is on the 287(g) list: its vague reasons carry the presumption, its
    criminal ones nothing about purpose, and none carries the evidence flag."""
    summary, flags = okaloosa
    assert summary["rows"] == 7_273 and summary["owner"] == "Okaloosa County FL SO"
    assert summary["by_flag"]["IMMIGRATION_PURPOSE"] == 0 and summary["by_flag"]["HAS_287G"] == 7_273
    by_reason: dict[str, set[str]] = {}
    for r in flags:
        by_reason.setdefault(r["reason"].strip().casefold(), set()).update(r["flags"])
    for crime in ("crash hit and run", "stolen vehicle", "warrant"):
        assert "PRESUMED_IMMIGRATION" not in by_reason[crime] and "IMMIGRATION_PURPOSE" not in by_reason[crime], crime
    for vague in ("investigation", "bolo", "inv"):
        assert {"PRESUMED_IMMIGRATION", "VAGUE_REASON"} <= by_reason[vague] and "IMMIGRATION_PURPOSE" not in by_reason[vague], vague
    assert "IMMIGRATION_PURPOSE" not in by_reason["missing person"]
    presumed = summary["by_flag"]["PRESUMED_IMMIGRATION"]
    assert 0 < presumed < 7_273 and summary["share"]["PRESUMED_IMMIGRATION"] == round(presumed / 7_273, 6)


def _inject(rows: list[tuple[str, str]], path: Path) -> Path:
    """The real Okaloosa export with `rows` (organisation, reason) added at its end."""
    text = gzip.decompress(OKALOOSA.read_bytes()).decode()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for i, (org, reason) in enumerate(rows):
        writer.writerow(
            [f"00000000-0000-0000-0000-{i:012d}", org, "840", "17652", "11/13/2025, 10:00:17 PM UTC", "11/14/2025, 10:00:17 AM UTC"]
            + [reason, "11/14/2025, 09:53:36 AM UTC", "lookup", ""]
        )
    path.write_text(text.rstrip("\n") + "\n" + out.getvalue(), encoding="utf-8")
    return path


INJECTED = [
    ("Okaloosa County FL SO", "ICE"),
    ("Okaloosa County FL SO", "I-247A"),
    ("Okaloosa County FL SO", "locate for removal"),
    ("Escambia County FL SO", "assist ICE with locate"),
    ("Escambia County FL SO", "I-247A detainer"),
    ("Escambia County FL SO", "removal order"),
    ("Escambia County FL SO", "assist ICE robbery suspect"),  # a crime named beside ICE: who asked, not why
    ("Okaloosa County FL SO", "hotplate removal"),  # a real look-alike (a California portal): not removal from the country
]


def test_a_row_naming_ice_a_detainer_form_or_removal_is_evidence_whoever_searched(tmp_path: Path) -> None:
    path = _inject(INJECTED, tmp_path / "11_1_2025-12_8_2025-Okaloosa County FL SO-Audit.csv")
    summary = scan([path], tmp_path / "out", ScanOptions(home_state="FL"))
    flags = {r["source_id"]: r["flags"] for r in _flags(tmp_path / "out")}
    ids = [f"00000000-0000-0000-0000-{i:012d}" for i in range(len(INJECTED))]
    assert [("IMMIGRATION_PURPOSE" in flags.get(i, set())) for i in ids] == [True] * 6 + [False, False]
    assert "IMMIGRATION_AGENCY" in flags[ids[6]] and "PRESUMED_IMMIGRATION" not in flags[ids[6]]
    assert "PRESUMED_IMMIGRATION" in flags[ids[7]]  # Okaloosa's presumption, and nothing more
    assert summary["by_flag"]["IMMIGRATION_PURPOSE"] == 6 and summary["owner_how"] == "file name"
    listed = {r["source_id"] for r in summary["direct"]["evidence"]}
    assert set(ids[:7]) <= listed  # the direct evidence is listed with its rows
    html = (tmp_path / "out" / "report.html").read_text()
    assert html.index("1. Direct evidence") < html.index("2. Weaker signals") < html.index("3. Who could see the data")
    assert "7,281" in html and "I-247A detainer" in html and "owner from file name" in html
