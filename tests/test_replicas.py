"""Replicas on one PostgreSQL log: one checkpoint signer at a time, chosen through the database,
and limits counted together (the sign-in throttle, the rate per key).

The lease is tested on its own (a signer whose lease lapsed stores nothing under its old epoch),
then over real `sanctuary serve` processes sharing one store, one log and one home: SIGSTOP the
signer and another replica signs within 5 s, SIGCONT and the old one stores nothing stale; kill -9
the signer under load and no acknowledged decision is lost, the log verifies, the survivor signs.
The public report's totals are one set in the database: replicas folding at once count each entry once.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
import pytest

from audit_fixtures import child_env, keys  # noqa: F401 - pytest fixture
from gateway_process import ServeProcess
from records_stores import pg_database
from sanctuary.audit import AuditError, open_log
from sanctuary.audit.lease import SignerLease
from sanctuary.gateway.credentials import demo_keys
from sanctuary.gateway.problems import Problem
from sanctuary.gateway.shared import SharedDatabase, SharedRateLimiter
from sanctuary.web import signin
from sanctuary.workers import START_SECONDS

pytestmark = pytest.mark.postgres
WARRANT = {
    "kind": "database_query",
    "purpose": {"text": "armed robbery", "category": "criminal"},
    "resource": {"search": {"type": "warrant", "name": "James Carter", "dob": "1979-11-02"}},
}
TAKEOVER_SECONDS = 5.0


@pytest.fixture
def log_url() -> Iterator[str]:
    yield from pg_database("replicas_log")


def signers(url: str) -> list[tuple[int, str, int]]:
    """(size, holder, epoch) of every checkpoint stored under the lease, by size."""
    with psycopg.connect(url) as conn:
        return [tuple(row) for row in conn.execute("SELECT size, holder, epoch FROM checkpoint_signer ORDER BY size")]  # type: ignore[misc]


def test_a_signer_whose_lease_lapsed_stores_nothing_under_its_old_epoch(log_url: str, keys: Path) -> None:
    first, second = open_log(log_url, keys), open_log(log_url, keys)
    a, b = SignerLease(log_url, "replica-a", ttl=0.5), SignerLease(log_url, "replica-b", ttl=0.5)
    try:
        first.append_many([b"decision %d" % i for i in range(5)])
        stale = a.renew()
        assert stale is not None and b.renew() is None, "one holder at a time"
        first.checkpoint(stale)
        time.sleep(0.7)  # a freezes; its lease lapses and b takes it, with the next epoch
        taken = b.renew()
        assert taken is not None and taken.epoch == stale.epoch + 1
        first.append_many([b"decision %d" % i for i in range(5, 9)])
        with pytest.raises(AuditError) as refused:
            first.checkpoint(stale)  # a wakes and signs the grown log under its old epoch
        assert refused.value.field == "signer"
        assert [size for size, _, _ in signers(log_url)] == [5]
        second.checkpoint(taken)
        assert signers(log_url) == [(5, "replica-a", stale.epoch), (9, "replica-b", taken.epoch)]
        assert a.renew() is None, "the old holder does not get the lease back while it is held"
    finally:
        for lease in (a, b):
            lease.close()
        first.close()
        second.close()


def test_report_totals_folded_by_replicas_at_once_count_each_entry_once(log_url: str, keys: Path) -> None:
    from collections import Counter

    from sanctuary.web.totals import SharedTotals

    def tally(start: int, data: list[bytes]) -> tuple[Counter, str, str]:
        time.sleep(0.01)  # a chunk takes a while to count: replicas folding at once overlap
        return Counter({("2026-12", "requests", "all", "all"): len(data)}), "", ""

    writer = open_log(log_url, keys)
    readers = [open_log(log_url, keys) for _ in range(4)]
    totals = [SharedTotals(SharedDatabase(log_url), "test", chunk=7) for _ in readers]
    try:
        writer.append_many([b"decision %d" % i for i in range(100)])
        stop = threading.Event()

        def fold(n: int) -> None:
            while not stop.is_set():
                totals[n].fold(readers[n], tally)

        with ThreadPoolExecutor(len(totals)) as pool:
            folding = [pool.submit(fold, n) for n in range(len(totals))]
            for i in range(100, 300, 20):  # the log grows while they fold
                writer.append_many([b"decision %d" % j for j in range(i, i + 20)])
                time.sleep(0.05)
            time.sleep(0.5)
            stop.set()
            for future in folding:
                future.result()
        assert totals[0].fold(readers[0], tally) == totals[1].fold(readers[1], tally) == 300
        assert [row[4] for row in totals[1].cells()] == [300], "each entry counted once, none twice"

        def otherwise(start: int, data: list[bytes]) -> tuple[Counter, str, str]:
            return Counter({("2026-12", "entries", "all", "all"): len(data)}), "", ""

        totals.append(SharedTotals(SharedDatabase(log_url), "counted otherwise", chunk=50))  # the next release's replica
        assert totals[-1].fold(readers[0], otherwise) == 300
        assert totals[-1].cells() == [("2026-12", "entries", "all", "all", 300)], "counted again from entry 0, the old counts gone"
    finally:
        for each in totals:
            each.db.close()
        for log in (writer, *readers):
            log.close()


# --- real processes -------------------------------------------------------------------------------
def wait_for(what: str, check: object, seconds: float) -> float:
    """Seconds until `check()` is true; AssertionError naming `what` after `seconds`."""
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if check():  # type: ignore[operator]
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"{what} within {seconds} s")


@pytest.fixture
def replicas(tmp_path: Path, log_url: str) -> Iterator[tuple[list[ServeProcess], str]]:
    stores = pg_database("replicas_store")
    store = next(stores)
    first = ServeProcess(tmp_path, store, log_url)
    running = [first]
    try:
        wait_for("the first replica takes the signer lease", lambda: first.ready()["signing"]["signer"], 10)
        running.append(ServeProcess(tmp_path, store, log_url))
        yield running, store
    finally:
        for replica in running:
            replica.stop()
        next(stores, None)


class Load:
    """Requests sent to every replica from several threads; what each answered."""

    def __init__(self, replicas: list[ServeProcess]) -> None:
        self.answered: list[tuple[int, str]] = []  # (log index, request id)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._send, args=(r, n)) for n in range(2) for r in replicas]
        for thread in self._threads:
            thread.start()

    def _send(self, replica: ServeProcess, n: int) -> None:
        key = demo_keys()["FBI"]
        with httpx.Client(base_url=replica.url, timeout=3) as client:
            i = 0
            while not self._stop.is_set():
                i += 1
                rid = f"{replica.url[-5:]}-{n}-{i}"
                try:
                    answer = client.post("/v1/requests", json={**WARRANT, "id": rid}, headers={"Authorization": f"Bearer {key}"})
                except httpx.HTTPError:
                    time.sleep(0.05)  # a replica that is stopped or killed
                    continue
                if answer.status_code == 200:
                    with self._lock:
                        self.answered.append((answer.json()["log_index"], rid))

    def stop(self) -> list[tuple[int, str]]:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        return self.answered


def verify_all(tmp_path: Path, log_url: str, answered: list[tuple[int, str]]) -> None:
    """Every acknowledged decision is in the log, under its index, and `audit verify --full` passes."""
    assert len(answered) > 20, "the load should have been running"
    decision_log = open_log(log_url, tmp_path / "keys")
    try:
        size = decision_log.size()
        for index, rid in answered:
            assert index < size and decision_log.reveal(index)["id"] == rid
    finally:
        decision_log.close()
    verified = subprocess.run(
        [sys.executable, "-m", "sanctuary", "audit", "verify", "--full", "--json", "--log", log_url],
        env=child_env(SANCTUARY_HOME=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verified.returncode == 0 and json.loads(verified.stdout)["ok"], verified.stdout + verified.stderr


def test_sigstop_the_signer_and_another_signs_within_5_s_and_sigcont_stores_nothing_stale(
    replicas: tuple[list[ServeProcess], str], log_url: str, tmp_path: Path
) -> None:
    (signer, other), _ = replicas
    assert signer.ready()["signing"]["signer"] and not other.ready()["signing"]["signer"]
    load = Load([signer, other])
    try:
        wait_for("the signer signs while the log grows", lambda: len(signers(log_url)) >= 2, 10)
        old_epoch = signers(log_url)[-1][2]
        os.kill(signer.process.pid, signal.SIGSTOP)
        took = wait_for(
            "another replica signs a checkpoint under a newer epoch",
            lambda: any(epoch > old_epoch for _, _, epoch in signers(log_url)),
            TAKEOVER_SECONDS,
        )
        assert other.ready()["signing"]["signer"] is True
        taken_at = max(size for size, _, _ in signers(log_url))
        os.kill(signer.process.pid, signal.SIGCONT)
        wait_for("the woken replica says it is not the signer", lambda: signer.ready()["signing"]["signer"] is False, 5)
        time.sleep(2.0)  # it runs on, under load, beside the new signer
    finally:
        answered = load.stop()
    rows = signers(log_url)
    assert [epoch for _, _, epoch in rows] == sorted(epoch for _, _, epoch in rows), f"a stale epoch was stored: {rows}"
    assert not [row for row in rows if row[0] > taken_at and row[2] <= old_epoch], "the woken signer stored a checkpoint"
    assert took < TAKEOVER_SECONDS
    verify_all(tmp_path, log_url, answered)


def test_kill_9_the_signer_under_load_loses_nothing_and_the_survivor_signs(
    replicas: tuple[list[ServeProcess], str], log_url: str, tmp_path: Path
) -> None:
    (signer, survivor), _ = replicas
    load = Load([signer, survivor])
    try:
        time.sleep(2.0)
        old_epoch = signers(log_url)[-1][2]
        signer.kill()
        wait_for(
            "the survivor signs a newer checkpoint",
            lambda: any(epoch > old_epoch for _, _, epoch in signers(log_url)),
            TAKEOVER_SECONDS,
        )
        time.sleep(1.0)
    finally:
        answered = load.stop()
    covered = wait_for(
        "a signed checkpoint covers every acknowledged decision",
        lambda: signers(log_url)[-1][0] > max(index for index, _ in answered),
        TAKEOVER_SECONDS,
    )
    assert covered < TAKEOVER_SECONDS
    verify_all(tmp_path, log_url, answered)


def test_a_rate_limit_per_key_holds_across_replicas(log_url: str) -> None:
    first, second = SharedDatabase(log_url), SharedDatabase(log_url)
    limiters = [SharedRateLimiter(first, rate=0.01, burst=5), SharedRateLimiter(second, rate=0.01, burst=5)]
    passed = 0
    for i in range(12):
        try:
            limiters[i % 2].check("key-1")
            passed += 1
        except Problem as limited:
            assert limited.status == 429 and int(limited.headers["Retry-After"]) >= 1
    assert passed == 5, "the burst is shared, not given to each replica"
    limiters[0].check("key-2")  # another key has its own bucket
    first.close()
    second.close()


def test_100_parallel_sign_in_guesses_over_two_replicas_reach_the_password_check_at_most_the_limit(
    replicas: tuple[list[ServeProcess], str],
) -> None:
    running, _ = replicas

    async def guesses(replica: ServeProcess, n: int) -> list[int]:
        async with httpx.AsyncClient(base_url=replica.url, timeout=30) as client:
            found = re.search(r'name="csrf" value="([^"]+)"', (await client.get("/login")).text)
            assert found is not None
            posts = [client.post("/login", data={"csrf": found[1], "name": "admin", "password": f"guess-{i}"}) for i in range(n)]
            return [answer.status_code for answer in await asyncio.gather(*posts)]

    async def both() -> list[int]:
        answers = await asyncio.gather(*(guesses(replica, 50) for replica in running))
        return [status for statuses in answers for status in statuses]

    started = time.monotonic()
    statuses = asyncio.run(both())
    elapsed = time.monotonic() - started
    assert set(statuses) <= {401, 429} and len(statuses) == 100
    # Past the limit one more try is let through after 1 s, 2 s, 4 s ... (back-off, not lock-out):
    # while the guesses last T seconds, at most LIMIT + floor(log2(T + 1)) reach the check in all,
    # where replicas counting apart would let through that many each.
    allowed = signin.LIMIT + int(math.log2(elapsed + 1))
    assert statuses.count(401) <= allowed, f"{statuses.count(401)} guesses reached the password check in {elapsed:.1f} s"


def test_a_held_call_entered_through_one_replica_is_resolved_and_redeemed_through_another_once(log_url: str, tmp_path: Path) -> None:
    from sanctuary.gateway.held import HeldQueue
    from sanctuary.models import RequestError
    from test_web_held import REQUEST, held_decision

    one, other = (HeldQueue(tmp_path / f"{name}.db", url=log_url) for name in ("one", "other"))
    try:
        one.add(REQUEST, held_decision("H-r", 4), "key ice", "proxy")
        assert other.waiting() == 1 and other.get("H-r") is not None
        claim = other.claim("H-r", "officer b")
        permit = held_decision("H-r", 9).model_copy(update={"decision": "permit", "held": None})
        other.settle("H-r", claim, permit, "officer b")
        assert one.get("H-r").resolved_by == "officer b"
        again = REQUEST.model_copy(update={"id": "desk-2"})  # the same call repeated, naming the held one

        def redeem(queue: HeldQueue) -> bool:
            try:
                queue.redeem("H-r", again)
                return True
            except RequestError:
                return False

        with ThreadPoolExecutor(8) as pool:
            taken = list(pool.map(redeem, [one, other] * 4))
        assert taken.count(True) == 1, "the allowance is taken once across the replicas"
    finally:
        one.close()
        other.close()


def test_a_queue_kept_in_the_home_moves_into_the_shared_database(log_url: str, tmp_path: Path) -> None:
    from sanctuary.gateway.held import HeldQueue
    from test_web_held import REQUEST, held_decision

    kept = HeldQueue(tmp_path / "desk-held.db")
    kept.add(REQUEST, held_decision("H-kept", 3), "desk", "desk")
    kept.close()
    shared = HeldQueue(tmp_path / "desk-held.db", url=log_url)
    try:
        assert [item.reference for item in shared.items()] == ["H-kept"]
    finally:
        shared.close()


def test_workers_on_one_port_share_the_log_and_one_signs(tmp_path: Path, log_url: str) -> None:
    stores = pg_database("replicas_store")
    store = next(stores)
    served = ServeProcess(tmp_path, store, log_url, "--workers", "2")
    try:
        seen: dict[str, bool] = {}
        key = demo_keys()["FBI"]
        indexes = []
        for i in range(40):  # a new connection each time: the kernel hands each to one worker
            indexes.append(
                httpx.post(
                    f"{served.url}/v1/requests", json={**WARRANT, "id": f"w-{i}"}, headers={"Authorization": f"Bearer {key}"}, timeout=10
                ).json()["log_index"]
            )
            signing = served.ready()["signing"]
            seen[signing["replica"]] = signing["signer"]
        assert len(seen) == 2, f"both workers answer: {seen}"
        assert sorted(indexes) == list(range(min(indexes), min(indexes) + 40)), "one log, no gaps, no duplicates"
        wait_for("exactly one worker signs", lambda: sum(served.ready()["signing"]["signer"] for _ in range(10)) in range(1, 10), 10)
    finally:
        served.stop()
        next(stores, None)
    assert served.process.returncode == 0


def test_more_than_one_worker_on_sqlite_is_refused_saying_why(tmp_path: Path) -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "sanctuary", "serve", "--workers", "2", "--port", "0", "--log", str(tmp_path / "log.db")],
        env=child_env(SANCTUARY_HOME=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2
    assert "--workers" in refused.stderr and "PostgreSQL" in refused.stderr and "Traceback" not in refused.stderr


def test_a_person_signed_in_through_one_replica_is_signed_in_on_the_other_and_sees_their_desk_results_sealed(
    log_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from starlette.requests import Request as HttpRequest

    from sanctuary.web import sessions

    def with_cookie(token: str) -> HttpRequest:
        return HttpRequest({"type": "http", "headers": [(b"cookie", f"{sessions.COOKIE}={token}".encode())], "method": "GET", "path": "/"})

    first, second = SharedDatabase(log_url), SharedDatabase(log_url)
    one, other = sessions.SharedSessions(first), sessions.SharedSessions(second)
    try:
        signed_in = one.new("desk1", "desk")
        shown = {"records": [{"name": "James Carter", "dob": "1979-11-02"}], "at": "2026-12-07T16:00:00+00:00"}
        kept = signed_in.keep_result(shown)
        seen = other.get(with_cookie(signed_in.token))
        assert seen is not None and (seen.user, seen.role, seen.csrf) == ("desk1", "desk", signed_in.csrf)
        assert seen.result(kept) == shown, "the desk result's page opens on the other replica"
        someone = one.new("desk3", "desk")
        assert someone.result(kept) is None, "another session reads none of it"
        for _ in range(sessions.KEEP_RESULTS):
            signed_in.keep_result({"records": []})
        assert seen.result(kept) is None, "the last KEEP_RESULTS are kept"
        newest = signed_in.keep_result(shown)
        with psycopg.connect(log_url) as conn:
            stored = conn.execute("SELECT token_hash FROM gateway_session").fetchall()
            sealed = [bytes(row[0]) for row in conn.execute("SELECT sealed FROM gateway_desk_result")]
            conn.execute(
                "UPDATE gateway_desk_result SET token_hash = %s WHERE key = %s",
                (hashlib.sha256(someone.token.encode()).hexdigest(), newest),
            )
        assert stored and all(signed_in.token not in row[0] for row in stored), "the table holds no cookie value"
        assert len(sealed) == sessions.KEEP_RESULTS and not any(b"Carter" in data or b"records" in data for data in sealed), "sealed"
        assert someone.result(newest) is None, "a result moved to another session's row does not open"
        other.end(seen)
        assert one.get(with_cookie(signed_in.token)) is None, "signed out everywhere"
        with psycopg.connect(log_url) as conn:
            left = conn.execute(
                "SELECT count(*) FROM gateway_desk_result WHERE token_hash = %s", (hashlib.sha256(signed_in.token.encode()).hexdigest(),)
            )
            assert left.fetchone()[0] == 0, "its desk results go with the session"
        idle = one.new("desk2", "desk")
        idle.keep_result(shown)
        monkeypatch.setattr(sessions, "IDLE_SECONDS", 0)
        assert other.get(with_cookie(idle.token)) is None, "an idle session expires on every replica"
        other.new("desk4", "desk")  # any new session clears the expired ones, with their results
        with psycopg.connect(log_url) as conn:
            assert conn.execute("SELECT count(*) FROM gateway_desk_result").fetchone()[0] == 0, "expired with their sessions"
    finally:
        first.close()
        second.close()


def test_after_kill_9_a_witness_cosigns_the_survivors_checkpoint_without_a_fork(tmp_path: Path, log_url: str) -> None:
    from test_audit_witness import spec_cosignature_time
    from witness_process import keygen, sanctuary, serve

    env = child_env(SANCTUARY_HOME=str(tmp_path))
    made = sanctuary("audit", "keygen", "replicas.test/v1/audit/tiles", env=env)
    assert made.returncode == 0, made.stderr
    keygen(tmp_path / "witness", "w1.example/witness")
    witness = serve(tmp_path / "witness", [made.stdout.strip()])
    listed = tmp_path / "witnesses.toml"
    listed.write_text(f'[[witness]]\nurl = "{witness.url}"\nvkey = "{witness.vkey}"\n')
    stores = pg_database("replicas_store")
    store = next(stores)
    running: list[ServeProcess] = []
    try:
        running.append(ServeProcess(tmp_path, store, log_url, "--witnesses", str(listed)))
        wait_for("the first replica signs", lambda: running[0].ready()["signing"]["signer"], 10)
        running.append(ServeProcess(tmp_path, store, log_url, "--witnesses", str(listed)))
        signer, survivor = running
        load = Load(running)
        try:
            wait_for("a cosigned checkpoint", lambda: len(signers(log_url)) >= 2, 10)
            killed_at = signers(log_url)[-1][0]
            signer.kill()

            def cosigned_beyond() -> bool:
                note = httpx.get(f"{survivor.url}/v1/audit/checkpoint", timeout=5).text
                return int(note.split("\n")[1]) > killed_at and spec_cosignature_time(note, witness.vkey) > 0

            took = wait_for("the survivor's newer checkpoint, cosigned by the witness", cosigned_beyond, TAKEOVER_SECONDS + 2)
        finally:
            answered = load.stop()
        assert took < TAKEOVER_SECONDS + 2
        assert survivor.ready()["cosigning"]["ok"] is True, "the witness refused nothing: no fork"
        verify_all(tmp_path, log_url, answered)
    finally:
        for replica in running:
            replica.stop()
        witness.stop()
        next(stores, None)


def test_proxy_workers_share_the_log_and_the_rate_and_a_worker_killed_under_load_is_started_again(tmp_path: Path, log_url: str) -> None:
    from proxy_harness import EXAMPLE_ROUTES, demo_rms

    rms = demo_rms()
    args = ["proxy", "--demo", "--profile", "chicago-2021", "--quiet", "--workers", "2", "--port", "0", "--rate", "5"]
    args += ["--upstream", rms.url, "--routes", str(EXAMPLE_ROUTES), "--log", log_url]
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "sanctuary", *args], env=child_env(SANCTUARY_HOME=str(tmp_path)), stdout=subprocess.PIPE, text=True
    )

    def workers() -> set[int]:
        return {int(pid) for pid in Path(f"/proc/{supervisor.pid}/task/{supervisor.pid}/children").read_text().split()}

    answered: list[tuple[int, str]] = []  # (log index, decision id)
    statuses: list[int] = []
    stop = threading.Event()
    try:
        assert supervisor.stdout is not None
        url = next(line for line in supervisor.stdout if "listening on" in line).split("listening on ", 1)[1].split()[0]
        threading.Thread(target=supervisor.stdout.read, daemon=True).start()
        wait_for("two workers", lambda: len(workers()) == 2, 10)
        headers = {"Authorization": f"Bearer {demo_keys()['FBI']}", "X-Sanctuary-Purpose": "armed robbery investigation"}

        def send() -> None:
            while not stop.is_set():
                try:  # a new connection each time: the kernel hands each to one worker
                    answer = httpx.get(f"{url}/persons/P0000002/warrants", headers=headers, timeout=5)
                except httpx.HTTPError:
                    time.sleep(0.05)  # the worker that held it was killed
                    continue
                statuses.append(answer.status_code)
                if answer.status_code == 200:
                    answered.append((int(answer.headers["X-Sanctuary-Log-Index"]), answer.headers["X-Sanctuary-Decision-Id"]))

        senders = [threading.Thread(target=send) for _ in range(4)]
        started = time.monotonic()
        for sender in senders:
            sender.start()
        time.sleep(START_SECONDS + 1)  # a worker that ends sooner after its start is taken for one that cannot start
        first = workers()
        os.kill(min(first), signal.SIGKILL)
        wait_for("the supervisor starts the killed worker again", lambda: len(workers()) == 2 and workers() != first, 10)
        time.sleep(2)
        stop.set()
        for sender in senders:
            sender.join()
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        supervisor.terminate()
        supervisor.wait(timeout=30)
        rms.stop()
    assert supervisor.returncode == 0
    # 5 calls a second, a burst of 10, for this key across both workers (each alone would allow as much)
    assert 10 <= len(answered) <= 10 + 5 * elapsed + 2, (len(answered), elapsed)
    assert 429 in statuses and set(statuses) <= {200, 429}, sorted(set(statuses))
    indexes = [index for index, _ in answered]
    assert len(set(indexes)) == len(indexes), "one log, no index given twice"
    verify_all(tmp_path, log_url, answered)  # every answered call is in the log under its decision's id


def report(replica: ServeProcess) -> list[list[str]]:
    answer = httpx.get(f"{replica.url}/report.csv", timeout=30)
    assert answer.status_code == 200, answer.text
    return list(csv.reader(io.StringIO(answer.text)))[1:]


def test_the_report_totals_are_shared_by_replicas_with_homes_of_their_own_and_count_each_entry_once(
    tmp_path: Path, log_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTUARY_KEYS", str(tmp_path / "keys"))  # one signing key, two homes: nothing else kept in common
    stores = pg_database("replicas_store")
    store = next(stores)
    running = [ServeProcess(tmp_path / "a", store, log_url)]
    try:
        wait_for("the first replica signs", lambda: running[0].ready()["signing"]["signer"], 10)
        running.append(ServeProcess(tmp_path / "b", store, log_url))
        load = Load(running)
        stop = threading.Event()
        failed: list[str] = []

        def ask_for_reports() -> None:  # both replicas fold the growing log at once, again and again
            while not stop.is_set():
                for replica in running:
                    try:
                        report(replica)
                    except (AssertionError, httpx.HTTPError) as exc:
                        failed.append(str(exc))

        askers = [threading.Thread(target=ask_for_reports) for _ in range(4)]
        for asker in askers:
            asker.start()
        try:
            time.sleep(4.0)
        finally:
            answered = load.stop()
            stop.set()
            for asker in askers:
                asker.join()
        assert not failed, failed[:3]
        decision_log = open_log(log_url, tmp_path / "keys")
        size = decision_log.size()
        decision_log.close()
        assert len(answered) > 20 and size >= len(answered)
        one, other = report(running[0]), report(running[1])
        assert one == other, "both replicas show the same totals"
        requests = sum(int(n) for _, measure, category, outcome, n in one if (measure, category, outcome) == ("requests", "all", "all"))
        assert requests == size, "every entry of the log counted once: none twice, none left out"
        with psycopg.connect(log_url) as conn:
            assert conn.execute("SELECT folded FROM report_folded").fetchone()[0] == size
    finally:
        for replica in running:
            replica.stop()
        next(stores, None)
