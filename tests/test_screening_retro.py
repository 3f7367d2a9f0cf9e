"""The purpose screen inside the retro audit: every reason and case-number column is screened, and a
reason that needs review is listed apart from the direct immigration flags."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sanctuary.retro import ScanOptions, scan
from sanctuary.retro.flags import DIRECT

HEADERS = ["ID", "Name", "Org Name", "Total Networks Searched", "Time Frame", "License Plate", "Reason", "Case #", "Search Time"]
# (id, reason, case number, the flags the row must get)
ROWS = [
    ("a", "stolen vehicle", "25-136102", set()),
    ("b", "stolen vehicle", "ERO-2025-0113", {"IMMIGRATION_PURPOSE", "IMMIGRATION_AGENCY", "DHS_COMPONENT"}),  # served ERO
    ("c", "foreign national locate", "", {"NEEDS_REVIEW"}),
    ("d", "patrol", "", set()),
    ("e", "l.c.e. detainer", "", {"IMMIGRATION_PURPOSE", "IMMIGRATION_AGENCY", "DHS_COMPONENT"}),
    ("f", "locate for rem\u043eval", "", {"IMMIGRATION_PURPOSE"}),
    # HSI named: the search served an immigration agency (who asked), for a criminal case, as the pipeline decides it
    ("g", "assist HSI fentanyl case", "", {"IMMIGRATION_AGENCY", "DHS_COMPONENT"}),
    ("h", "I-94 check", "", {"NEEDS_REVIEW"}),
]


def test_reasons_and_case_numbers_are_screened_and_review_is_apart(tmp_path: Path) -> None:
    export = tmp_path / "audit.csv"
    with export.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        for row_id, reason, case, _ in ROWS:
            time = "11/14/2025, 09:53:36 AM UTC"
            writer.writerow([row_id, "***", "Evanston PD", "1", f"x\n{time}", "***", reason, case, time])
    out = tmp_path / "out"
    summary = scan([export], out, ScanOptions(home_state="IL"))
    with (out / "flags.csv").open(newline="", encoding="utf-8") as fh:
        got = {r["source_id"]: (set(r["flags"].split(";")), r["evidence"]) for r in csv.DictReader(fh)}
    for row_id, _, _, expect in ROWS:
        flags = got.get(row_id, (set(), ""))[0]
        assert flags == expect, (row_id, flags, got.get(row_id))
    assert "case number" in got["b"][1] and "ERO" in got["b"][1]
    assert "needs_review" in got["c"][1]
    assert "NEEDS_REVIEW" not in DIRECT
    assert summary["by_flag"]["NEEDS_REVIEW"] == 2
    assert "NEEDS_REVIEW" not in json.loads((out / "summary.json").read_text())["direct_codes"]
