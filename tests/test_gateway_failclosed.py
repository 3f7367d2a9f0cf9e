"""Fail closed: a policy that does not load or errors, a store or log that is unreachable or stops,
a deadline that passes: 503 with a deny decision and no data, recorded when the log is there."""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from gateway_harness import BODIES, start
from records_stores import PG_ADMIN, pg_database
from sanctuary.agencies import load_registry
from sanctuary.duties.book import DutyBook
from sanctuary.gateway import readiness, services
from sanctuary.gateway.services import Policy, load_policy
from sanctuary.pipeline import FAIL_CLOSED, Pipeline
from sanctuary.policy.engine import PolicyEngine
from sanctuary.policy.profiles import PROFILES, expand

DETENTION = {
    "id": "t-hold",
    "kind": "detention_hold",
    "purpose": {"text": "bank robbery", "category": "criminal"},
    "documents": [
        {
            "type": "judicial_warrant",
            "court": "U.S. District Court N.D. Ill.",
            "criminal": True,
            "signed_by": "Hon. A. Judge",
            "signer_title": "United States District Judge",
        }
    ],
}


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    monkeypatch.setattr(services, "RETRY_SECONDS", 0.05)
    monkeypatch.setattr(readiness, "PROBE_SECONDS", 0.0)
    monkeypatch.setattr(readiness, "GRACE_SECONDS", 0.2)
    return tmp_path


def assert_fail_closed(response, *, logged: bool) -> dict:
    assert response.status_code == 503
    answer = response.json()
    assert answer["decision"]["decision"] == "deny" and answer["decision"]["citations"] == [FAIL_CLOSED]
    assert "result" not in answer
    assert (answer["log_index"] is not None) == logged
    return answer


def test_a_policy_that_does_not_load_denies_everything(home: Path) -> None:
    broken = home / "profiles"
    shutil.copytree(PROFILES, broken)
    cedar = next((broken / "chicago-2021").glob("*.cedar"))
    cedar.write_text(cedar.read_text().replace("forbid", "forbd", 1))
    policy = load_policy(["chicago-2021"], {}, [], root=broken)
    assert policy.engine is None and policy.error
    running = start(home, str(home / "r.db"), str(home / "log.db"), policy=policy)
    try:
        answer = assert_fail_closed(running.post("FBI", BODIES["warrant"]), logged=True)
        assert answer["decision"]["error"].startswith("policy")
        entry = running.gateway.log.get().entry(answer["log_index"])
        assert b'"deny"' in entry
        health = running.get("/readyz")
        assert health.status_code == 503 and health.json()["checks"]["policy"].startswith("policy")
    finally:
        running.stop()


def test_a_rule_that_errors_while_evaluating_fails_closed(home: Path) -> None:
    registry = load_registry()
    broken_rule = (
        '@id("test:overflow") @citation("test") @explain("errors at evaluation") @explain_es("errores")\n'
        "forbid (principal, action, resource) when { 9223372036854775807 + 1 > 0 };\n"
    )
    engine = PolicyEngine(expand(["chicago-2021"]), registry, validate=False, extra_policies=broken_rule)
    running = start(home, str(home / "r.db"), str(home / "log.db"), policy=Policy(Pipeline(engine, duties=DutyBook.for_engine(engine))))
    try:
        answer = assert_fail_closed(running.post("FBI", BODIES["warrant"]), logged=True)
        assert "policy evaluation error" in answer["decision"]["error"]
    finally:
        running.stop()


def test_an_unreachable_log_means_no_data_and_no_permit(home: Path) -> None:
    running = start(home, str(home / "r.db"), "postgresql://postgres@127.0.0.1:1/nolog")
    try:
        answer = assert_fail_closed(running.post("FBI", BODIES["warrant"]), logged=False)
        assert "decision log unavailable" in answer["decision"]["error"]
        assert_fail_closed(running.post("USMS", DETENTION), logged=False)
        assert running.get("/readyz").json()["checks"]["log"].startswith("decision log unavailable")
        assert running.get("/v1/audit/checkpoint").status_code == 503
        # a request refused as unreadable cannot be recorded either: 503, said so, nothing decided
        refused = running.post("FBI", {**BODIES["warrant"], "unknown_field": 1})
        assert refused.status_code == 503 and refused.json()["error"]["field"] == "log"
    finally:
        running.stop()


def test_an_unreachable_sqlite_store_fails_closed_for_records_only(home: Path) -> None:
    (home / "not-a-dir").write_text("a file where the store's folder should be")
    running = start(home, str(home / "not-a-dir" / "records.db"), str(home / "log.db"), persons=None)
    try:
        answer = assert_fail_closed(running.post("FBI", BODIES["warrant"]), logged=True)
        assert "store unavailable" in answer["decision"]["error"]
        entry = running.gateway.log.get().entry(answer["log_index"])
        assert b'"disclosed"' not in entry or b'"disclosed":[]' in entry
        assert running.post("USMS", DETENTION).status_code in (200, 403), "decisions without records still work"
        assert running.get("/readyz").status_code == 503
    finally:
        running.stop()


@pytest.mark.postgres
def test_a_postgresql_store_that_stops_and_comes_back(home: Path) -> None:
    gen = pg_database("gwstop")
    url = next(gen)
    name = url.rsplit("/", 1)[1]
    running = start(home, url, str(home / "log.db"))
    try:
        assert running.post("FBI", BODIES["warrant"]).status_code == 200
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        answer = assert_fail_closed(running.post("FBI", BODIES["warrant"]), logged=True)
        assert "store unavailable" in answer["decision"]["error"]
        health = running.get("/readyz")
        assert health.status_code == 503 and health.json()["checks"]["store"].startswith("store unavailable")
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        deadline = time.monotonic() + 10
        while (status := running.post("FBI", BODIES["warrant"]).status_code) != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status == 200
        deadline = time.monotonic() + 10  # ready again once the last failed read is past the grace
        while (ready := running.get("/readyz").status_code) != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready == 200
    finally:
        running.stop()
        next(gen, None)


@pytest.mark.postgres
def test_a_store_slower_than_the_deadline_fails_closed(home: Path) -> None:
    gen = pg_database("gwslow")
    url = next(gen)
    running = start(home, url, str(home / "log.db"), timeout=0.5)
    locked, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        with psycopg.connect(url) as conn:
            conn.execute("LOCK TABLE warrants IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(10)

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        answer = assert_fail_closed(running.post("FBI", BODIES["warrant"]), logged=False)
        assert "timeout" in answer["decision"]["error"] and time.monotonic() - started < 3
    finally:
        release.set()
        holder.join()
        running.stop()
        next(gen, None)


def test_the_answer_waits_for_its_log_entry_and_fails_closed_without_it(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker only queues the entry; the answer leaves once the commit is durable, and a commit
    that fails turns the permit into a deny that hands out nothing (and leaves rotation). The append
    is patched, so the log's own probe still passes: the grace after the real failure is what keeps
    the process out of rotation, set long here so a loaded machine cannot outlast it."""
    monkeypatch.setattr(readiness, "GRACE_SECONDS", 300.0)
    running = start(home, str(home / "r.db"), str(home / "log.db"))
    try:
        store = running.gateway.log.get()._store
        append = store.append
        started, release = threading.Event(), threading.Event()

        def held(entries: list[bytes], clears: list, follow: object = None, gather: object = None) -> int:
            started.set()
            release.wait(10)
            return append(entries, clears, follow, gather)

        store.append = held
        answers: list = []
        asking = threading.Thread(target=lambda: answers.append(running.post("FBI", BODIES["warrant"])))
        asking.start()
        assert started.wait(10)
        asking.join(0.5)
        assert asking.is_alive() and not answers  # decided and fetched, but not durable: nothing released
        release.set()
        asking.join(10)
        assert answers[0].status_code == 200 and answers[0].json()["result"]["records"]
        assert answers[0].json()["log_index"] == running.gateway.log.get().size() - 1

        def full(entries: list[bytes], clears: list, follow: object = None, gather: object = None) -> int:
            raise OSError("disk full")

        store.append = full
        answer = assert_fail_closed(running.post("FBI", BODIES["warrant"]), logged=False)
        assert "decision log unavailable" in answer["decision"]["error"] and "disk full" in answer["decision"]["error"]
        assert running.get("/readyz").status_code == 503
    finally:
        running.stop()


def test_a_request_wakes_the_event_loop_once_when_its_entry_is_durable(home: Path) -> None:
    """The worker decides and queues the entry; the event loop is woken for the request once, by
    the commit that makes its entry durable (with the rest of its batch), not also when the worker
    has decided: each wake-up records whether the commit was let go by then."""
    running = start(home, str(home / "r.db"), str(home / "log.db"))
    try:
        gw = running.gateway
        log = gw.log.get()
        append, before = log._store.append, log.size()
        started, release = threading.Event(), threading.Event()

        def held(entries: list[bytes], clears: list, follow: object = None, gather: object = None) -> int:
            started.set()
            release.wait(10)
            return append(entries, clears, follow, gather)

        log._store.append = held
        agency = gw.cfg.keys.authenticate(running.key("FBI")).agency
        raw = json.dumps(BODIES["warrant"]).encode()

        def released_later() -> None:  # the worker has long returned: the commit alone is pending
            assert started.wait(10)
            time.sleep(0.3)
            release.set()

        async def ask() -> tuple[Any, list[bool]]:
            loop = asyncio.get_running_loop()
            wakes: list[bool] = []
            call_soon_threadsafe = loop.call_soon_threadsafe

            def counted(*args: object, **kwargs: object) -> object:
                wakes.append(release.is_set())
                return call_soon_threadsafe(*args, **kwargs)  # type: ignore[arg-type]

            loop.call_soon_threadsafe = counted  # type: ignore[method-assign]
            return await gw.submit(raw, agency, "api", "test"), wakes

        releasing = threading.Thread(target=released_later)
        releasing.start()
        submission, wakes = asyncio.run(ask())
        releasing.join()
        assert submission.status == 200 and submission.decision.log_index == before
        assert wakes == [True]  # one wake-up, once the commit went on
    finally:
        release.set()
        running.stop()
