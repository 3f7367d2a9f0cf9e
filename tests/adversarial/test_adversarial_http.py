"""The adversarial cases marked `http`, through real HTTP against `sanctuary serve --demo` (a
subprocess on port 0 with its own SANCTUARY_HOME, its default jurisdiction `chicago`, the suite's
partner registry and declarations on file): each outcome as the law expects, and no forbidden
category's demo value anywhere in the response body."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from adversarial.suite import AGENCIES, DECLARATIONS, Case, Leaks, judge, known_gaps, load_cases, params, verdict
from audit_fixtures import child_env
from gateway_process import ServeProcess
from sanctuary.gateway.credentials import DEMO_AGENCIES
from sanctuary.records import open_store

CASES = [c for c in load_cases() if c.http]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], Leaks]]:
    home = tmp_path_factory.mktemp("adversarial-serve")
    env = child_env(SANCTUARY_HOME=str(home))
    keys = json.loads(
        subprocess.run(
            [sys.executable, "-m", "sanctuary", "demo-keys", "--json"], env=env, check=True, capture_output=True, text=True
        ).stdout
    )
    store = str(home / "records.db")
    served = ServeProcess(home, store, str(home / "log.db"), "--agencies", str(AGENCIES), "--declarations", str(DECLARATIONS), profile=None)
    records = open_store(store)
    try:
        yield served.url, keys, Leaks(records)
    finally:
        records.close()
        served.stop()


def post(url: str, keys: dict[str, str], case: Case) -> tuple[int, dict[str, Any]]:
    """As the requester itself when it has a demo key, else entered at the desk naming it."""
    agency = case.request["requester"]["agency"]
    key = keys[agency] if agency in DEMO_AGENCIES else keys["desk"]
    response = httpx.post(f"{url}/v1/requests", json=case.body(), headers={"Authorization": f"Bearer {key}"}, timeout=30)
    return response.status_code, response.json()


@pytest.mark.parametrize("case", params(CASES, "chicago"))
def test_case_over_http(served: tuple[str, dict[str, str], Leaks], case: Case) -> None:
    url, keys, leaks = served
    status, body = post(url, keys, case)
    problems = judge(case, "chicago", status, body, leaks)
    assert not problems, f"{case.id} ({case.reason}): {'; '.join(problems)}"


def test_the_leak_check_can_fail(served: tuple[str, dict[str, str], Leaks]) -> None:
    """The same search by the FBI (criminal purpose) hands out custody data: the check sees it."""
    url, keys, leaks = served
    body = {
        "id": "leak-check-control",
        "kind": "database_query",
        "purpose": {"text": "armed robbery", "category": "criminal"},
        "resource": {"system": "CLEAR", "search": {"type": "custody", "person_id": "P0000003"}},
    }
    response = httpx.post(f"{url}/v1/requests", json=body, headers={"Authorization": f"Bearer {keys['FBI']}"}, timeout=30)
    assert verdict("permit", response.json()["decision"])
    assert leaks.found(response.text, response.json(), ["custody_information"])


PAIRS = [(c, next(o for o in CASES if o.id == c.same_as)) for c in CASES if c.same_as and any(o.id == c.same_as for o in CASES)]


GAPS = known_gaps()


@pytest.mark.parametrize(
    "case,twin",
    [
        pytest.param(
            c,
            t,
            id=c.id,
            marks=[pytest.mark.xfail(strict=True, reason=GAPS[f"alike:{c.id}@chicago"])] if f"alike:{c.id}@chicago" in GAPS else [],
        )
        for c, t in PAIRS
    ],
)
def test_like_cases_are_decided_alike(served: tuple[str, dict[str, str], Leaks], case: Case, twin: Case) -> None:
    url, keys, _ = served
    first, second = post(url, keys, case)[1]["decision"], post(url, keys, twin)[1]["decision"]
    assert (first["decision"], bool(first.get("held"))) == (second["decision"], bool(second.get("held"))), (first, second)
