"""`policy compare`: the same requests under several jurisdictions, differences first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import registry
from sanctuary.cli import app
from sanctuary.pipeline import Pipeline
from sanctuary.policy.compare import compare
from sanctuary.policy.engine import PolicyEngine
from sanctuary.policy.errors import PolicyError

EXAMPLES = Path(__file__).parents[1] / "examples" / "requests.jsonl"
PLACES = ["california", "washington", "oregon", "new-york-dmv"]
runner = CliRunner()


def lines() -> list[str]:
    return [line for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_cell_is_the_decision_of_that_jurisdiction_and_differences_come_first():
    matrix = compare(PLACES, lines(), registry())
    assert [c.name for c in matrix.columns] == PLACES
    assert len(matrix.rows) == len(lines())
    flags = [r.differs for r in matrix.rows]
    assert flags == sorted(flags, reverse=True) and 0 < matrix.differences < len(lines())
    alone = {p: Pipeline(PolicyEngine.for_jurisdiction(p, registry()), trusted=True) for p in PLACES}
    by_id = {json.loads(line)["id"]: line for line in lines()}
    for row in matrix.rows:
        for place, cell in zip(PLACES, row.cells):
            d = alone[place].decide_raw(by_id[row.id])[1]
            assert (cell.decision, cell.citations, cell.redact) == (d.decision, d.citations, d.redact)
        assert row.differs == (len({c.decision for c in row.cells}) > 1)


def test_new_york_dmv_and_oregon_refuse_hsi_where_california_withholds_only():
    matrix = compare(["california", "oregon", "new-york-dmv"], lines(), registry())
    row = next(r for r in matrix.rows if r.id == "db-hsi-criminal")
    ca, oregon, ny = row.cells
    assert row.differs and ca.decision == "permit" and ca.redact
    assert oregon.decision == ny.decision == "deny"
    assert "ORS 181A.826(3)(a)" in oregon.citations and "N.Y. Veh. & Traf. Law §201(12)(a)" in ny.citations


def test_unknown_jurisdiction_is_an_error_naming_it():
    with pytest.raises(PolicyError, match="atlantis"):
        compare(["california", "atlantis"], lines(), registry())


def test_cli_table_and_json():
    args = ["policy", "compare", "-j", "california", "-j", "washington", "-j", "oregon", str(EXAMPLES)]
    shown = runner.invoke(app, args)
    assert shown.exit_code == 0, shown.output
    assert "requests decided differently" in shown.stdout
    data = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert data["requests"] == len(lines()) and [j["name"] for j in data["jurisdictions"]] == ["california", "washington", "oregon"]
    first = data["rows"][0]
    assert first["differs"] and set(first["cells"]) == {"california", "washington", "oregon"}
    assert runner.invoke(app, ["policy", "compare", "-j", "nowhere", str(EXAMPLES)]).exit_code == 2
    assert runner.invoke(app, ["policy", "compare", "-j", "oregon", "missing.jsonl"]).exit_code == 2


def test_what_if_and_policy_diff_give_the_same_differences_on_the_examples(tmp_path, monkeypatch):
    """The What if page and `policy diff` are one function: over the requests of
    examples/requests.jsonl as the log holds them, the page finds what `policy diff` finds over
    the same requests; over the full requests `policy diff` answers as the function does."""
    from sanctuary.audit import open_log
    from sanctuary.pipeline import load_pipeline
    from sanctuary.policy.diff import differences
    from sanctuary.web import whatif
    from sanctuary.web.record import PublicRecord

    a, b = "chicago-2012", "chicago-2021"  # the logged examples differ between these (2019-mayoral and 2021 no longer do)

    def diff(path: Path) -> list[dict]:
        result = runner.invoke(app, ["policy", "diff", a, b, str(path), "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["differences"]

    full = diff(EXAMPLES)
    assert full and full == [d.to_dict() for d in differences(a, b, lines(), registry())]
    monkeypatch.setenv("SANCTUARY_KEYS", str(tmp_path / "keys"))
    log = open_log(str(tmp_path / "log.db"), tmp_path / "keys")
    path = load_pipeline(["chicago-2021"], registry(), log=log)
    for line in lines():
        path.handle_raw(line)
    public = PublicRecord(tmp_path / "record.db", registry())
    public.catch_up(log)
    rows, _ = public.requests()
    held = tmp_path / "held.jsonl"
    held.write_text("\n".join(whatif.replayable(r) for r in rows), encoding="utf-8")
    page = [d.to_dict() for d in whatif.replay(rows, a, b, registry())]
    assert page and page == diff(held)
    log.close()
