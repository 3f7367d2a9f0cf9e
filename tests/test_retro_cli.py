"""`sanctuary scan` and `sanctuary scan-partners` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sanctuary.cli import app

FIXTURE = str(Path(__file__).resolve().parent.parent / "examples" / "retro" / "search_audit.a871b2fc.csv")
runner = CliRunner()


def test_scan_prints_a_summary_and_writes_results(tmp_path):
    result = runner.invoke(app, ["scan", FIXTURE, "--home-state", "CA", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Direct evidence: 0 of 91 searches (0.00%)" in result.output and "VAGUE_REASON" in result.output
    assert "owner unknown" in result.output  # a portal export names no organisation and none was given


def test_scan_names_the_owner_given(tmp_path):
    result = runner.invoke(app, ["scan", FIXTURE, "--home-state", "CA", "--out", str(tmp_path), "--agency", "Belmont CA PD"])
    assert result.exit_code == 0, result.output
    assert "Export of Belmont CA PD (owner from --agency): 91 searches" in result.output
    assert (tmp_path / "report.html").is_file() and (tmp_path / "flags.parquet").is_file()


def test_scan_json(tmp_path):
    result = runner.invoke(app, ["scan", FIXTURE, "--home-state", "CA", "--out", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["rows"] == 91 and summary == json.loads((tmp_path / "summary.json").read_text()) | {"seconds": summary["seconds"]}


def test_bad_option_is_a_one_line_error(tmp_path):
    result = runner.invoke(app, ["scan", FIXTURE, "--home-state", "XX", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--home-state" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["scan", FIXTURE, "--home-state", "IL", "--out", str(tmp_path), "--map", "reason"])
    assert result.exit_code == 2 and "--map" in result.output


def test_missing_file(tmp_path):
    result = runner.invoke(app, ["scan", str(tmp_path / "nope.csv"), "--home-state", "IL", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "no such file" in result.output


def test_scan_partners(tmp_path):
    sharing = Path(tmp_path / "sharing.csv")
    sharing.write_text("State,Organization Name,Networks Im Sharing\nFL,Polk County FL SO,Oak Park IL PD\nIL,Evanston PD,x\n")
    result = runner.invoke(app, ["scan-partners", str(sharing), "--home-state", "IL", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "2 partners" in result.output and "Polk County FL SO" in result.output
    result = runner.invoke(app, ["scan-partners", str(sharing), "--home-state", "IL", "--out", str(tmp_path / "o2"), "--json"])
    assert json.loads(result.output)["missing_declarations"][0]["organization"] == "Polk County FL SO"
