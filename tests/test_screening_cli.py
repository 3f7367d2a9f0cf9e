"""`sanctuary screen` and `sanctuary documents classify`: output shapes, order, errors that name the field."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sanctuary.cli import app

SAMPLES = Path(__file__).resolve().parent.parent / "src/sanctuary/screening/samples"
runner = CliRunner()


def test_screen_text_json() -> None:
    result = runner.invoke(app, ["screen", "--json", "assist I.C.E. with locate"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["category"] == "needs_review"  # an agency named, no purpose stated
    assert data["agencies"] == ["ICE"]
    assert data["evidence"][0]["text"] == "I.C.E"


def test_screen_text_readable() -> None:
    result = runner.invoke(app, ["screen", "ice cream truck"])
    assert result.exit_code == 0
    assert "other" in result.stdout and "civil_immigration" not in result.stdout


def test_screen_stdin_one_json_line_per_line_in_order() -> None:
    lines = ["ICE", "inv", "", "stolen vehicle", "h5i", "ice cream"]
    result = runner.invoke(app, ["screen", "--file", "-"], input="\n".join(lines) + "\n")
    assert result.exit_code == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["text"] for o in out] == lines
    assert [o["category"] for o in out] == ["needs_review", "vague", "vague", "criminal", "needs_review", "other"]


def test_screen_file(tmp_path: Path) -> None:
    reasons = tmp_path / "reasons.txt"
    reasons.write_text("HSI\r\nBOL\r\n", encoding="utf-8")
    result = runner.invoke(app, ["screen", "-f", str(reasons)])
    assert result.exit_code == 0
    assert [json.loads(line)["agencies"] for line in result.stdout.splitlines()] == [["ICE-HSI"], []]


def test_screen_errors_name_the_field(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["screen", "--file", str(tmp_path / "absent.txt")])
    assert missing.exit_code == 2 and "file:" in missing.output
    neither = runner.invoke(app, ["screen"])
    assert neither.exit_code == 2 and "text:" in neither.output
    both = runner.invoke(app, ["screen", "ICE", "--file", "-"])
    assert both.exit_code == 2 and "text:" in both.output


def test_documents_classify_json() -> None:
    result = runner.invoke(app, ["documents", "classify", "--json", str(SAMPLES / "i247a_detainer.txt")])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["type"], data["administrative"], data["judicial"], data["detainer"]) == ("I-247A", True, False, True)
    assert data["missing"] == ["court", "judge_signature", "probable_cause", "criminal"]


def test_documents_classify_readable_pdf() -> None:
    result = runner.invoke(app, ["documents", "classify", str(SAMPLES / "federal_magistrate_arrest_warrant.pdf")])
    assert result.exit_code == 0
    assert "judicial_warrant" in result.stdout and "not judicial" not in result.stdout and "federal" in result.stdout


def test_documents_classify_missing_file_names_the_field(tmp_path: Path) -> None:
    result = runner.invoke(app, ["documents", "classify", str(tmp_path / "absent.pdf")])
    assert result.exit_code == 2 and "file:" in result.output


def test_documents_classify_bad_json_names_the_field(tmp_path: Path) -> None:
    declared = tmp_path / "bad.json"
    declared.write_text('{"type": "I-200", "colour": "red"}', encoding="utf-8")
    result = runner.invoke(app, ["documents", "classify", str(declared)])
    assert result.exit_code == 2 and "colour" in result.output


def test_screen_explain_shows_the_normalised_text_the_evidence_and_why() -> None:
    result = runner.invoke(app, ["screen", "--explain", "locate for rem\u043eval"])
    assert result.exit_code == 0
    assert "normalised: 'locate for removal'" in result.stdout
    assert "term:removal" in result.stdout and "normalised:mixed_script" in result.stdout
    assert "why: explicit evidence of an immigration-enforcement purpose" in " ".join(result.stdout.split())


def test_screen_explain_json() -> None:
    result = runner.invoke(app, ["screen", "--explain", "--json", "re\u00admoval order"])
    data = json.loads(result.stdout)
    assert data["category"] == "civil_immigration"
    assert data["normalized"] == "removal order"
    assert {s["rule"] for s in data["signals"]} >= {"normalised:invisible"}
    assert data["why"].startswith("explicit evidence")
    lines = runner.invoke(app, ["screen", "--explain", "--file", "-"], input="ICE\npatrol\n").stdout.splitlines()
    assert [json.loads(line)["why"].split(" ")[0] for line in lines] == ["immigration-adjacent", "no"]
