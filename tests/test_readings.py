"""The independent readings (src/sanctuary/policy/readings/*.toml) run against the rules: every row
decided under the law its table names; a disagreement fails unless listed open (not yet settled
from the text), and a listed row that agrees fails too, so the list only shrinks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import registry
from sanctuary.cli import app
from sanctuary.policy import reading

TABLES = reading.tables()
runner = CliRunner()


def test_every_table_is_found() -> None:
    assert {"chicago-2012", "chicago-2019-mayoral", "chicago-2019-proposed-eo", "chicago-2021", "chicago"} <= set(TABLES)
    assert {"california", "washington", "oregon", "new-york-dmv"} <= set(TABLES)


@pytest.mark.parametrize("table", TABLES)
def test_the_rules_agree_with_the_reading_except_where_listed_open(table: str) -> None:
    report = reading.run(table, registry())
    assert len(report.outcomes) >= 40
    unlisted = [f"{o.row.id} {o.row.name}: {'; '.join(o.problems)}" for o in report.unlisted]
    assert not unlisted, "\n".join(unlisted)
    assert not report.stale, f"listed open in readings/open/{table}.txt but agree now: {report.stale}"


@pytest.mark.parametrize(
    ("clause", "citation", "agrees"),
    [
        ("MCC 2-173-042(a)(3)", "MCC 2-173-042(a)(1)-(3) (2012)", True),
        ("MCC 2-173-042(b)(1)(C)", "MCC 2-173-042(b)(1) (2012)", True),
        ("MCC 2-173-042(c)(4) (text not retrieved; known from the press)", "MCC 2-173-042(c)", True),
        ("5 ILCS 805/15 (access and transfer)", "5 ILCS 805/15(a)", True),
        ("Gov. Code §7284.6(a)(4)", "Cal. Gov. Code §7284.6(a)(4)", True),
        ("VTL §201(12)(a)", "N.Y. Veh. & Traf. Law §201(12)(a)", True),
        ("VTL §201(12)(a)", "N.Y. Veh. & Traf. Law §201(9)", False),
        ("MCC 2-173-042(b)(1)(C)", "MCC 2-173-030 (2012)", False),
        ("MCC 2-173-020(a)(1)", "MCC 2-173-042(a)", False),
        ("Gov. Code §7284.6(a)(1)(D)", "AB 1747 (2019), Cal. Gov. Code §7284.6", False),
    ],
)
def test_a_clause_agrees_with_a_citation_by_prefix(clause: str, citation: str, agrees: bool) -> None:
    assert reading.clause_agrees(clause, citation) is agrees


def _copy(tmp_path: Path, table: str) -> Path:
    root = tmp_path / "readings"
    (root / "open").mkdir(parents=True)
    shutil.copy(reading.READINGS / f"{table}.toml", root)
    return root


def test_a_row_whose_expectation_is_flipped_is_a_disagreement_and_a_listed_row_that_agrees_is_stale(tmp_path: Path) -> None:
    root = _copy(tmp_path, "chicago-2021")
    report = reading.run("chicago-2021", registry(), root)
    agreeing = next(o for o in report.outcomes if o.agrees and o.row.expect == "deny")
    text = (root / "chicago-2021.toml").read_text(encoding="utf-8")
    (root / "open" / "chicago-2021.txt").write_text(
        "\n".join(o.row.id for o in report.disagreements) + f"\n{agreeing.row.id}  # agrees: stale\n", encoding="utf-8"
    )
    stale = reading.run("chicago-2021", registry(), root)
    assert stale.stale == [agreeing.row.id] and not stale.unlisted and not stale.ok
    marker = f'id = "{agreeing.row.id}"'
    head, tail = text.split(marker)
    start = head.rindex("[[scenario]]")
    flipped = head[:start] + head[start:].replace('expect = "deny"', 'expect = "permit"', 1) + marker + tail
    (root / "chicago-2021.toml").write_text(flipped, encoding="utf-8")
    (root / "open" / "chicago-2021.txt").write_text("\n".join(o.row.id for o in report.disagreements) + "\n", encoding="utf-8")
    flipped_report = reading.run("chicago-2021", registry(), root)
    assert [o.row.id for o in flipped_report.unlisted] == [agreeing.row.id]
    assert "the reading says permit" in flipped_report.unlisted[0].problems[0]


def test_policy_test_runs_a_chicago_profiles_reading() -> None:
    result = runner.invoke(app, ["policy", "test", "chicago-2012", "--json"])
    report = json.loads(result.stdout)
    assert [r["table"] for r in report["readings"]] == ["chicago-2012"]
    assert report["readings"][0]["rows"] == len(reading.load("chicago-2012").rows)
    assert result.exit_code == (0 if report["ok"] else 1)
    assert report["ok"] is all(r["ok"] for r in report["readings"])


def test_policy_test_of_a_name_with_neither_table_says_so() -> None:
    result = runner.invoke(app, ["policy", "test", "atlantis"])  # every shipped profile now has a scenario table
    assert result.exit_code == 2 and "atlantis" in result.output
