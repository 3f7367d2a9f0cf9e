"""`sanctuary store migrate` and `sanctuary demo-data` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sanctuary.cli import app

runner = CliRunner()


def test_demo_data_fills_and_reports_json(tmp_path: Path) -> None:
    db = str(tmp_path / "r.db")
    result = runner.invoke(app, ["demo-data", "--persons", "20", "--seed", "5", "--store", db, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["counts"]["persons"] == 24
    assert [p["name"] for p in report["demo_persons"]][:2] == ["Maria Lopez", "James Carter"]
    assert report["demo_plate"] == "DEMO123"


def test_demo_data_twice_needs_replace(tmp_path: Path) -> None:
    db = str(tmp_path / "r.db")
    assert runner.invoke(app, ["demo-data", "--persons", "2", "--store", db]).exit_code == 0
    again = runner.invoke(app, ["demo-data", "--persons", "2", "--store", db, "--json"])
    assert again.exit_code == 2
    assert json.loads(again.output)["error"]["field"] == "store"
    replaced = runner.invoke(app, ["demo-data", "--persons", "3", "--store", db, "--replace"])
    assert replaced.exit_code == 0 and "Maria Lopez" in replaced.output


def test_migrate_reports_the_tables(tmp_path: Path) -> None:
    result = runner.invoke(app, ["store", "migrate", "--store", str(tmp_path / "r.db"), "--json"])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.output)["counts"]) == {
        "persons",
        "bookings",
        "warrants",
        "plate_reads",
        "gang_entries",
        "contacts",
        "gateway_decisions",
    }


def test_a_bad_store_is_an_error_that_names_it(tmp_path: Path) -> None:
    result = runner.invoke(app, ["store", "migrate", "--store", "mysql://x/y", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.output) == {
        "error": {"field": "store_url", "reason": "unsupported scheme 'mysql'; use a SQLite path or postgresql://"}
    }
    negative = runner.invoke(app, ["demo-data", "--persons", "-1", "--store", str(tmp_path / "r.db")])
    assert negative.exit_code == 2 and "--persons" in negative.output
