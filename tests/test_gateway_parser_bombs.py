"""Parser bombs (deep nesting, huge numbers, duplicate keys, NaN) answer 400 naming the body, and
are recorded as refused: a keyed hash of the bytes and the failure code, nothing of their content."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from gateway_harness import BODIES, Running, start

WARRANT = json.dumps(BODIES["warrant"])[:-1]  # a good request, open for one more key
BOMBS = {
    "nesting": b"[" * 100_000 + b"]" * 100_000,
    "nesting_in_a_field": (WARRANT + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}").encode(),
    "moderate_nesting": (WARRANT + ', "x": ' + "[" * 200 + "]" * 200 + "}").encode(),
    "huge_integer": (WARRANT + ', "x": ' + "9" * 100_000 + "}").encode(),
    "huge_float": (WARRANT + ', "x": 1e999999}').encode(),
    "long_fraction": (WARRANT + ', "x": 0.' + "1" * 5000 + "}").encode(),
    "nan": (WARRANT + ', "x": NaN}').encode(),
    "duplicate_key": (WARRANT + ', "kind": "custody_transfer"}').encode(),
    "duplicate_nested_key": WARRANT.replace('"system": "CLEAR"', '"system": "CLEAR", "system": "LEADS"').encode() + b"}",
}


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    home = tmp_path_factory.mktemp("gw-bombs")
    patch = pytest.MonkeyPatch()
    patch.setenv("SANCTUARY_HOME", str(home))
    running = start(home, str(home / "records.db"), str(home / "log.db"), max_body=1 << 20, rate=0)
    yield running
    running.stop()
    patch.undo()


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_a_parser_bomb_is_a_400_recorded_as_refused(gateway: Running, name: str) -> None:
    before = gateway.gateway.log.get().size()
    response = httpx.post(
        f"{gateway.url}/v1/requests",
        content=BOMBS[name],
        headers={"Authorization": f"Bearer {gateway.key('FBI')}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["field"] == "body"
    index = response.json()["log_index"]
    assert index == before
    entry = json.loads(gateway.gateway.log.get().entry(index))
    assert (entry["kind"], entry["decision"], entry["failure"]) == ("refused", "deny", "unreadable")
    assert "James" not in json.dumps(entry)
    assert gateway.post("FBI", BODIES["warrant"]).status_code == 200, "the gateway still answers"
