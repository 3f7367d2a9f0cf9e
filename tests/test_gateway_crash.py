"""kill -9 under load: every answer that was sent has its log entry, the log verifies, and the
gateway starts again where the log left off. `sanctuary serve` runs as a real subprocess."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway_process import ServeProcess
from records_stores import STORE_KINDS, pg_database
from sanctuary.audit import open_log
from sanctuary.gateway.credentials import demo_keys

WARRANT = {
    "kind": "database_query",
    "purpose": {"text": "armed robbery", "category": "criminal"},
    "resource": {"search": {"type": "warrant", "name": "James Carter", "dob": "1979-11-02"}},
}
CIVIL = {
    "kind": "custody_inquiry",
    "purpose": {"text": "removal", "category": "civil_immigration"},
    "subject": {"name": "Maria Lopez", "dob": "1988-03-14"},
}


@pytest.fixture(params=STORE_KINDS)
def locations(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    if request.param == "sqlite":
        yield str(tmp_path / "records.db"), str(tmp_path / "log.db")
        return
    stores, logs = pg_database("gwcrash"), pg_database("gwcrashlog")
    yield next(stores), next(logs)
    for gen in (stores, logs):
        next(gen, None)


@pytest.mark.slow
def test_kill_9_under_load_loses_no_answered_decision(tmp_path: Path, locations: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    store, log = locations
    served = ServeProcess(tmp_path, store, log)
    keys = demo_keys()
    answered: list[tuple[int, str, str]] = []  # (log index, request id, decision)
    lock = threading.Lock()
    stop = threading.Event()

    def load(worker: int) -> None:
        with httpx.Client(base_url=served.url, timeout=5) as client:
            i = 0
            while not stop.is_set():
                i += 1
                who, body = ("FBI", WARRANT) if i % 2 else ("ICE-ERO", CIVIL)
                rid = f"crash-{worker}-{i}"
                try:
                    response = client.post("/v1/requests", json={**body, "id": rid}, headers={"Authorization": f"Bearer {keys[who]}"})
                except httpx.HTTPError:
                    return
                if response.status_code in (200, 403):
                    answer = response.json()
                    with lock:
                        answered.append((answer["log_index"], rid, answer["decision"]["decision"]))

    workers = [threading.Thread(target=load, args=(w,)) for w in range(6)]
    for w in workers:
        w.start()
    time.sleep(2.0)
    served.kill()
    stop.set()
    for w in workers:
        w.join()
    assert len(answered) > 50, "the load should have been running"

    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))  # the log's keys
    decision_log = open_log(log)
    size = decision_log.size()
    for index, rid, decision in answered:
        assert index < size
        assert decision_log.reveal(index)["id"] == rid
        assert json.loads(decision_log.entry(index))["decision"] == decision
    result = decision_log.verify(full=True)
    assert result.ok, result.message
    decision_log.close()

    served = ServeProcess(tmp_path, store, log)
    try:
        again = httpx.post(
            f"{served.url}/v1/requests",
            json={**WARRANT, "id": "after-crash"},
            headers={"Authorization": f"Bearer {keys['FBI']}"},
            timeout=10,
        )
        assert again.status_code == 200 and again.json()["log_index"] == size
    finally:
        served.stop()
