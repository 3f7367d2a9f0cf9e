"""`sanctuary decide` and `sanctuary policy`: JSONL in and out, readable tables, exit codes, diffs."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sanctuary.cli import app
from sanctuary.models import Kind

EXAMPLES = Path(__file__).parent.parent / "examples"
runner = CliRunner()


def decisions(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_examples_cover_every_kind_and_decide_without_error():
    lines = (EXAMPLES / "requests.jsonl").read_text().splitlines()
    assert len(lines) >= 30
    assert {json.loads(x)["kind"] for x in lines} == {k.value for k in Kind}
    result = runner.invoke(app, ["decide", "--profile", "chicago-2021", str(EXAMPLES / "requests.jsonl")])
    assert result.exit_code == 0, result.output
    out = decisions(result)
    assert [d["id"] for d in out] == [json.loads(x)["id"] for x in lines]
    assert {d["decision"] for d in out} == {"permit", "deny"}
    assert all(d["citations"] and d["policy_hash"] and d["profiles"] == ["chicago-2021"] for d in out)


def test_with_neither_a_jurisdiction_nor_a_profile_the_configured_default_decides_as_the_api_does():
    from sanctuary import open_pipeline
    from sanctuary.policy.jurisdictions import jurisdictions

    line = (EXAMPLES / "requests.jsonl").read_text().splitlines()[0]
    result = runner.invoke(app, ["decide", "-"], input=line + "\n")
    assert result.exit_code == 0, result.output
    [decided] = decisions(result)
    api = open_pipeline().decide(line)  # no jurisdiction, no profiles: the deployment's configured default
    default = jurisdictions().get()
    assert decided["profiles"] == api.profiles and set(decided["profiles"]) >= set(default.profiles)
    assert decided["policy_hash"] == api.policy_hash


def test_stdin_and_invalid_lines_exit_nonzero_but_every_line_is_answered():
    text = (EXAMPLES / "invalid.jsonl").read_text() + (EXAMPLES / "requests.jsonl").read_text().splitlines()[0] + "\n"
    result = runner.invoke(app, ["decide", "-"], input=text)
    assert result.exit_code == 1
    out = decisions(result)
    assert len(out) == 5
    assert all(d["decision"] == "deny" and d["error"] for d in out[:4])
    assert out[4]["id"] == "db-ice-ero-direct" and "error" not in out[4]


def test_explain_is_a_readable_table():
    result = runner.invoke(
        app, ["decide", "--explain", "-p", "chicago-2019-proposed-eo", str(EXAMPLES / "requests.jsonl")], env={"COLUMNS": "160"}
    )
    assert result.exit_code == 0
    assert "Decisions under chicago-2019-proposed-eo" in result.stdout
    assert "Proposed EO point 3 (2019 proposal; never signed)" in result.stdout


def test_a_broken_policy_set_denies_every_request(monkeypatch, tmp_path):
    import sanctuary.policy.engine as engine

    bad = tmp_path / "baseline.cedar"
    bad.write_text(
        '@id("baseline:x") @citation("x") @explain("x") @explain_es("x") permit (principal, action, resource) when { principal.nope };'
    )
    monkeypatch.setattr(engine, "BASELINE_PATH", bad)
    result = runner.invoke(app, ["decide", str(EXAMPLES / "requests.jsonl")])
    assert result.exit_code == 1
    out = decisions(result)
    assert len(out) >= 30 and all(d["decision"] == "deny" and d["error"].startswith("policy:") for d in out)


def test_policy_diff_shows_what_the_proposed_order_adds():
    result = runner.invoke(
        app, ["policy", "diff", "chicago-2019-mayoral", "chicago-2019-proposed-eo", str(EXAMPLES / "requests.jsonl"), "--json"]
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    by_id = {d["id"]: d for d in data["differences"]}
    assert by_id["db-cbp-criminal"]["a"] == "permit" and by_id["db-cbp-criminal"]["b"] == "deny"
    assert by_id["db-cbp-criminal"]["clauses"] == ["Proposed EO point 3 (2019 proposal; never signed)"]
    assert by_id["xfer-ero-detainer-felon"]["clauses"] == ["Proposed EO point 2 (2019 proposal; never signed)"]
    # ICE's claimed criminal operation with no warrant shown: point 1 treats it as a raid; the directive
    # already refused help with an immigration raid, so the proposal adds nothing there
    assert by_id["op-hsi-drug-warrant"]["clauses"] == ["Proposed EO point 1 (2019 proposal; never signed)"]
    assert "op-ero-raid-perimeter" not in by_id
    assert "db-fbi-robbery" not in by_id


def test_policy_diff_shows_where_the_carveouts_opened_cooperation():
    result = runner.invoke(app, ["policy", "diff", "chicago-2012", "chicago-2021", str(EXAMPLES / "requests.jsonl"), "--json"])
    by_id = {d["id"]: d for d in json.loads(result.stdout)["differences"]}
    for carved in ("inq-ero-release-felon", "acc-ero-gang", "xfer-ero-detainer-felon", "hold-ero-detainer-pending-felony"):
        assert by_id[carved]["a"] == "permit" and by_id[carved]["b"] == "deny", carved


def test_policy_show_and_list():
    shown = runner.invoke(app, ["policy", "show", "chicago-2021", "--json"])
    data = json.loads(shown.stdout)
    assert {r["id"] for r in data["rules"]} >= {"chicago-2021:020-a2-access", "baseline:law-enforcement"}
    assert all(r["citation"] and r["explain"] for r in data["rules"])
    listed = runner.invoke(app, ["policy", "list", "--json"])
    assert {p["name"] for p in json.loads(listed.stdout)} >= {
        "california",
        "new-york-dmv",
        "oregon",
        "washington",
        "chicago-2012",
        "chicago-2019-mayoral",
        "chicago-2019-proposed-eo",
        "chicago-2021",
        "illinois-alpr",
        "illinois-trust",
    }
    missing = runner.invoke(app, ["policy", "show", "chicago-1999"])
    assert missing.exit_code == 2


def test_missing_file_and_bad_param_are_clear_errors():
    assert runner.invoke(app, ["decide", "no-such-file.jsonl"]).exit_code == 2
    bad = runner.invoke(app, ["decide", "--param", "oops", str(EXAMPLES / "requests.jsonl")])
    assert bad.exit_code == 2
