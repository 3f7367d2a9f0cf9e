"""The independent readings (src/sanctuary/policy/readings/*.toml) run against the rules: every row
decided under the law its table names; a disagreement fails unless listed open (not yet settled
from the text) or settled as a named parameter (decided again under its values, it must agree
fully), and a listed row that agrees under the defaults fails too, so the lists only shrink."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import registry
from sanctuary.cli import app
from sanctuary.policy import reading
from sanctuary.policy.errors import PolicyError

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
    unsettled = [f"{s.setting.row} ({s.setting.label()}): {'; '.join(s.problems)}" for s in report.unsettled]
    assert not unsettled, f"listed in readings/parameters/{table}.txt but not settled so:\n" + "\n".join(unsettled)


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
    counts = report["readings"][0]
    assert counts["rows"] == len(reading.load("chicago-2012").rows)
    assert counts["settled_by_parameter"] == len(reading.settings("chicago-2012")) > 0
    assert counts["listed_open"] == len(reading.listed_open("chicago-2012"))
    assert counts["agree"] + counts["settled_by_parameter"] + counts["listed_open"] == counts["rows"]
    assert result.exit_code == (0 if report["ok"] else 1)
    assert report["ok"] is all(r["ok"] for r in report["readings"])


def test_policy_test_of_a_name_with_neither_table_says_so() -> None:
    result = runner.invoke(app, ["policy", "test", "atlantis"])  # every shipped profile now has a scenario table
    assert result.exit_code == 2 and "atlantis" in result.output


def _settled(tmp_path: Path, table: str, lines: str, also_open: str = "") -> reading.Report:
    """Table `table` run with its open list (and `also_open`) and `lines` as its parameters list."""
    root = _copy(tmp_path, table)
    listed = (reading.OPEN / f"{table}.txt").read_text(encoding="utf-8")
    (root / "open" / f"{table}.txt").write_text(listed + also_open, encoding="utf-8")
    (root / "parameters").mkdir()
    (root / "parameters" / f"{table}.txt").write_text(lines, encoding="utf-8")
    return reading.run(table, registry(), root)


def test_a_row_settled_as_a_parameter_is_decided_both_ways(tmp_path: Path) -> None:
    shipped = reading.run("chicago-2012", registry())
    chi12_20 = next(o for o in shipped.outcomes if o.row.id == "chi12-20")
    assert not chi12_20.agrees  # under the defaults the protective reading refuses the contact information
    good = _settled(tmp_path, "chicago-2012", "chi12-20  chicago-2012.inquiry_scope=custody_topics  # the reader's\n")
    assert [s.setting.row for s in good.settled] == ["chi12-20"] and not good.unsettled
    assert "chi12-20" not in {o.row.id for o in good.unlisted}
    agreeing = next(o.row.id for o in shipped.outcomes if o.agrees)
    cases = {
        f"{agreeing}  chicago-2012.inquiry_scope=custody_topics": "agrees under the defaults",
        "chi12-20  chicago-2012.stated_purpose=lifts_presumption": "decided deny, the reading says permit",
        "chi12-20  chicago-2012.no_such_parameter=x": "unknown parameter 'chicago-2012.no_such_parameter'",
        "chi12-20  chicago-2012.inquiry_scope=every_word": "every_word not allowed",
        "chi12-nope  chicago-2012.inquiry_scope=custody_topics": "the table holds no row chi12-nope",
    }
    for line, problem in cases.items():
        report = _settled(tmp_path / line.split()[0] / line.split()[1], "chicago-2012", line + "\n")
        assert not report.ok and len(report.unsettled) == 1, line
        assert problem in report.unsettled[0].problems[0], (line, report.unsettled[0].problems)
    both = _settled(tmp_path / "both", "chicago-2012", "chi12-20  chicago-2012.inquiry_scope=custody_topics\n", also_open="chi12-20\n")
    assert not both.ok and "listed open too" in both.unsettled[0].problems[0]


def test_a_parameters_line_that_names_no_value_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="chi12-20: names no parameter"):
        _settled(tmp_path, "chicago-2012", "chi12-20  # why\n")
    with pytest.raises(PolicyError, match="is not profile.name=value"):
        _settled(tmp_path / "b", "chicago-2012", "chi12-20  inquiry_scope\n")
