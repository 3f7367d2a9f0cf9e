"""The authoring kit: `policy new` scaffolds a pack that passes `policy test`, and `policy test`
reports a rule that its table shows one way only."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from sanctuary.cli import app

runner = CliRunner()

SECOND_RULE = """
@id("evanston-2026:no-ice-interviews")
@citation("Evanston ordinance §2 (test)")
@explain("ICE does not interview people in custody.")
@explain_es("ICE no entrevista a personas detenidas.")
forbid (principal in Agency::"ICE", action == Action::"detainee_access", resource);
"""
DENY_ONLY = """
[[scenario]]
name = "ERO asks to interview a person in custody"
expect = "deny"
rule = "evanston-2026:no-ice-interviews"
[scenario.request]
kind = "detainee_access"
requester = { agency = "ICE-ERO" }
"""
SPARED = """
[[scenario]]
name = "The FBI interviews a suspect"
expect = "permit"
rule = "evanston-2026:no-ice-interviews"
[scenario.request]
kind = "detainee_access"
requester = { agency = "FBI" }
"""


def scaffold(tmp_path):
    root, docs = tmp_path / "profiles", tmp_path / "docs"
    made = runner.invoke(
        app, ["policy", "new", "evanston-2026", "--title", "Evanston Welcoming City Ordinance", "--root", str(root), "--docs", str(docs)]
    )
    assert made.exit_code == 0, made.output
    return root, docs


def policy_test(root, *extra):
    return runner.invoke(app, ["policy", "test", "evanston-2026", "--root", str(root), "--json", *extra])


def test_a_scaffolded_pack_passes_its_own_table(tmp_path):
    root, docs = scaffold(tmp_path)
    pack = root / "evanston-2026"
    assert {p.name for p in pack.iterdir()} == {"profile.toml", "rules.cedar", "scenarios.toml"}
    assert "Evanston Welcoming City Ordinance" in (docs / "evanston-2026.md").read_text()
    result = policy_test(root)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] and report["scenarios"] == 2 and report["rules"] == ["evanston-2026:no-immigration-holds"]


def test_a_rule_exercised_one_way_only_is_reported(tmp_path):
    root, docs = scaffold(tmp_path)
    pack = root / "evanston-2026"
    with open(pack / "rules.cedar", "a", encoding="utf-8") as f:
        f.write(SECOND_RULE)
    with open(pack / "scenarios.toml", "a", encoding="utf-8") as f:
        f.write(DENY_ONLY)
    unsourced = policy_test(root)  # a rule whose page does not say what it rests on does not load
    assert unsourced.exit_code == 2 and "evanston-2026:no-ice-interviews" in unsourced.output and "provenance" in unsourced.output
    with open(docs / "evanston-2026.md", "a", encoding="utf-8") as f:
        f.write("| `evanston-2026:no-ice-interviews` | Evanston City Code §__ | enacted | — |\n")
    result = policy_test(root)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["never_spared"] == ["evanston-2026:no-ice-interviews"] and report["never_fired"] == [] and not report["failed"]
    human = runner.invoke(app, ["policy", "test", "evanston-2026", "--root", str(root)])
    assert "never shown not deciding" in human.stdout and human.exit_code == 1
    with open(pack / "scenarios.toml", "a", encoding="utf-8") as f:
        f.write(SPARED)
    assert policy_test(root).exit_code == 0


def test_a_wrong_expectation_and_an_uncitable_rule_are_reported(tmp_path):
    root, _ = scaffold(tmp_path)
    pack = root / "evanston-2026"
    table = (pack / "scenarios.toml").read_text().replace('expect = "permit"', 'expect = "deny"', 1)
    (pack / "scenarios.toml").write_text(table)
    report = json.loads(policy_test(root).stdout)
    assert not report["ok"] and report["failed"][0]["number"] == 2 and report["never_spared"]
    (pack / "rules.cedar").write_text('@id("evanston-2026:bare") forbid (principal, action, resource);')
    bad = policy_test(root)
    assert bad.exit_code == 2 and "@citation" in bad.output


def test_new_refuses_a_bad_name_and_an_existing_pack(tmp_path):
    root, docs = scaffold(tmp_path)
    again = runner.invoke(app, ["policy", "new", "evanston-2026", "--root", str(root), "--docs", str(docs)])
    assert again.exit_code == 2 and "already exists" in again.output
    bad = runner.invoke(app, ["policy", "new", "Evanston 2026!", "--root", str(root), "--docs", str(docs)])
    assert bad.exit_code == 2 and "name" in bad.output


def test_a_bad_home_state_or_an_unknown_declared_agency_is_named(tmp_path):
    root, _ = scaffold(tmp_path)
    table = root / "evanston-2026" / "scenarios.toml"
    original = table.read_text()
    for line, field in (('home_state = "Illinois"', "home_state"), ('declarations = ["NO-SUCH-AGENCY"]', "declarations")):
        table.write_text(original.replace('expect = "permit"', f'expect = "permit"\n{line}', 1))
        bad = policy_test(root)
        assert bad.exit_code == 2 and field in bad.output and "Traceback" not in bad.output, bad.output
