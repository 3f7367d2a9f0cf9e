"""The command line says what happened where: the file's line number of each bad request and a
summary on standard error, citations never cut in `--explain`, and a missing verifier key is not
reported as damage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanctuary.cli import app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    return CliRunner()


def test_bad_lines_are_named_by_their_line_in_the_file(runner: CliRunner, tmp_path: Path) -> None:
    good = json.loads((EXAMPLES / "requests.jsonl").read_text().splitlines()[0])
    stranger = json.dumps({**good, "requester": {"agency": "Ministry of Truth"}})
    source = tmp_path / "mixed.jsonl"
    source.write_text(f"{json.dumps(good)}\n\n{{not json\n{stranger}\n\n{{}}\n")
    result = runner.invoke(app, ["decide", str(source)])
    assert result.exit_code == 1
    decisions = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(decisions) == 4  # every non-empty line is answered, in order
    errors = result.stderr
    assert f"{source}:3: body: not JSON" in errors  # line 3 of the file, blank lines counted
    assert f"{source}:6: " in errors and f"{source}:1" not in errors
    assert f"{source}:4 ({good['id']}): requester.agency: unregistered requester" in errors
    assert "3 of 4 requests were not decided as asked (1 input, 1 unreadable, 1 unregistered)" in " ".join(errors.split())


def test_explain_never_cuts_a_citation(runner: CliRunner) -> None:
    lines = (EXAMPLES / "requests.jsonl").read_text()
    result = runner.invoke(
        app, ["decide", "--explain", "-p", "chicago-2021", "-p", "illinois-trust", "-"], input=lines, env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0
    assert "…" not in result.stdout
    plain = runner.invoke(app, ["decide", "-p", "chicago-2021", "-p", "illinois-trust", "-"], input=lines)
    words = {word for line in plain.stdout.splitlines() for c in json.loads(line)["citations"] for word in c.split()}
    shown = set(result.stdout.replace("│", " ").split())
    assert words <= shown, sorted(words - shown)


def test_a_missing_verifier_key_is_not_reported_as_damage(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(app, ["audit", "keygen", "test.example/decisions"]).exit_code == 0
    log = str(tmp_path / "log.db")
    runner.invoke(app, ["decide", "--log", log, str(EXAMPLES / "requests.jsonl")])
    assert runner.invoke(app, ["audit", "checkpoint", "--log", log]).exit_code == 0
    (tmp_path / "keys" / "log.vkey").unlink()
    result = runner.invoke(app, ["audit", "verify", "--log", log])
    assert result.exit_code == 2
    assert "NOT VERIFIED" in result.stderr and "DAMAGED" not in result.stderr and "no verifier key" in result.stderr
    as_json = json.loads(runner.invoke(app, ["audit", "verify", "--log", log, "--json"]).stdout)
    assert as_json["unverified"] is True and as_json["ok"] is False
