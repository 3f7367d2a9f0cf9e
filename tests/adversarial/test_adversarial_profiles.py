"""The adversarial cases under every profile set they name — the jurisdiction `chicago` and the
historical Chicago profiles — through a real gateway (in a thread, demo data), and the cases the
department evaluates itself (`as: department`) through `sanctuary decide`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from adversarial.suite import AGENCIES, DECLARATIONS, PROFILE_SETS, Case, Leaks, judge, load_cases, params, verdict
from gateway_harness import Running, start
from sanctuary.cli import app
from sanctuary.gateway.credentials import DEMO_AGENCIES
from sanctuary.gateway.services import load_policy
from sanctuary.records import open_store

CASES = load_cases()
REQUESTER = [c for c in CASES if c.as_ == "requester"]
DEPARTMENT = [c for c in CASES if c.as_ == "department"]


@pytest.fixture(scope="module")
def gateways(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Running]]:
    running: dict[str, Running] = {}
    try:
        for name in PROFILE_SETS:
            home = tmp_path_factory.mktemp(f"adversarial-{name}")
            named = PROFILE_SETS[name]
            if named is None:
                policy = load_policy([], {}, [AGENCIES], jurisdiction=name, declarations=DECLARATIONS)
            else:
                policy = load_policy(list(named), {}, [AGENCIES])
            assert policy.engine is not None, policy.error
            running[name] = start(home, str(home / "records.db"), str(home / "log.db"), policy=policy)
        yield running
    finally:
        for gw in running.values():
            gw.stop()


@pytest.fixture(scope="module")
def leaks(gateways: dict[str, Running]) -> Iterator[Leaks]:
    records = open_store(gateways["chicago"].store_url)
    try:
        yield Leaks(records)
    finally:
        records.close()


def post(gw: Running, case: Case) -> tuple[int, dict[str, Any]]:
    agency = case.request["requester"]["agency"]
    key = gw.key(agency if agency in DEMO_AGENCIES else "desk")
    response = httpx.post(f"{gw.url}/v1/requests", json=case.body(), headers={"Authorization": f"Bearer {key}"}, timeout=30)
    return response.status_code, response.json()


def _cases_by_set() -> list[Any]:
    out = []
    for name in PROFILE_SETS:
        # `chicago` over HTTP to `serve --demo` is test_adversarial_http.py; the others are here.
        chosen = [c for c in REQUESTER if not (name == "chicago" and c.http)]
        out += [pytest.param(name, *p.values, id=f"{name}:{p.id}", marks=p.marks) for p in params(chosen, name)]
    return out


@pytest.mark.parametrize("profile_set,case", _cases_by_set())
def test_case_under_profile_set(gateways: dict[str, Running], leaks: Leaks, profile_set: str, case: Case) -> None:
    status, body = post(gateways[profile_set], case)
    problems = judge(case, profile_set, status, body, leaks)
    assert not problems, f"{case.id} under {profile_set} ({case.reason}): {'; '.join(problems)}"


def _department_params() -> list[Any]:
    return [pytest.param(name, *p.values, id=f"{name}:{p.id}", marks=p.marks) for name in PROFILE_SETS for p in params(DEPARTMENT, name)]


@pytest.mark.parametrize("profile_set,case", _department_params())
def test_department_evaluation(tmp_path: Path, profile_set: str, case: Case) -> None:
    """`sanctuary decide` is the department's tool: the documents in its input are the department's."""
    path = tmp_path / "request.jsonl"
    path.write_text(json.dumps(case.body()) + "\n", encoding="utf-8")
    named = PROFILE_SETS[profile_set]
    law = ["--jurisdiction", profile_set] if named is None else [a for p in named for a in ("--profile", p)]
    args = ["decide", *law, "--agencies", str(AGENCIES), "--declarations", str(DECLARATIONS), str(path)]
    result = CliRunner().invoke(app, args)
    decisions = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(decisions) == 1, result.output
    expected = case.expect[profile_set]
    assert verdict(expected, decisions[0]), f"{case.id} ({case.reason}): expected {expected}, got {decisions[0]}"
