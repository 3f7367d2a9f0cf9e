"""Sign-in limits: counted before the hash, per name and per address, back-off rather than lock-out."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from starlette.requests import Request as HttpRequest

from sanctuary.errors import SanctuaryError
from sanctuary.web import signin
from web_app import PASSWORDS, csrf_of, make_site  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parent.parent


async def _attempts(app, passwords: list[str], address: str = "203.0.113.7") -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        token = csrf_of((await client.get("/login")).text)  # one session, one CSRF token for every attempt
        return await asyncio.gather(*(client.post("/login", data={"csrf": token, "name": "admin", "password": p}) for p in passwords))


def test_parallel_attempts_with_one_token_reach_the_hash_at_most_the_limit(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    # The attempts' clock stands still: on a loaded machine the hundred hashes can take longer than
    # the first back-off (1 s), after which one more attempt is rightly let through.
    monkeypatch.setattr(signin, "time", SimpleNamespace(monotonic=lambda: 1000.0))
    site = make_site()
    users = site.app.state.gateway.cfg.users
    checked: list[str] = []
    real_check = users.check

    def counting_check(name: str, password: str):
        checked.append(password)
        return real_check(name, password)

    users.check = counting_check
    passwords = [f"wrong-guess-{i:03d}" for i in range(99)] + [PASSWORDS["admin"]]
    random.Random(12).shuffle(passwords)
    answers = asyncio.run(_attempts(site.app, passwords))
    statuses = [a.status_code for a in answers]
    assert len(checked) <= signin.LIMIT  # counted before hashing: the rest never reached the password check
    assert statuses.count(429) >= 100 - signin.LIMIT
    assert set(statuses) <= {303, 401, 429}
    for password, answer in zip(passwords, answers, strict=True):
        if password != PASSWORDS["admin"]:
            assert answer.status_code != 303  # no wrong password signs in
    assert all(a.headers.get("retry-after") for a in answers if a.status_code == 429)


def test_a_stranger_cannot_lock_the_admin_out(make_site) -> None:
    site = make_site()
    stranger = asyncio.run(_attempts(site.app, [f"guess-{i}" for i in range(40)], address="198.51.100.66"))
    assert {a.status_code for a in stranger} == {401, 429}
    admin = asyncio.run(_attempts(site.app, [PASSWORDS["admin"]], address="192.0.2.10"))
    assert admin[0].status_code == 303


def test_back_off_grows_and_then_lets_the_next_attempt_through(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(signin.time, "monotonic", lambda: clock[0])
    attempts = signin.Attempts()
    for _ in range(signin.LIMIT):
        assert attempts.admit("admin", "a") == 0
    assert attempts.admit("admin", "a") == pytest.approx(1.0)
    clock[0] += 1.0
    assert attempts.admit("admin", "a") == 0  # waited: admitted, and the next wait doubles
    assert attempts.admit("admin", "a") == pytest.approx(2.0)
    assert attempts.admit("admin", "b") == 0  # another address is not held back by this one's failures
    clock[0] += signin.WINDOW + 1
    assert attempts.admit("admin", "a") == 0  # old attempts are forgotten


def _http(peer: str, forwarded: str | None) -> HttpRequest:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return HttpRequest({"type": "http", "client": (peer, 1), "headers": headers, "method": "POST", "path": "/login"})


def test_forwarded_for_is_believed_only_from_trusted_proxies() -> None:
    proxies = signin.trusted_proxies("10.0.0.0/8, 127.0.0.1")
    assert signin.client_address(_http("127.0.0.1", "203.0.113.9"), proxies) == "203.0.113.9"
    assert signin.client_address(_http("127.0.0.1", "1.1.1.1, 203.0.113.9, 10.1.2.3"), proxies) == "203.0.113.9"
    assert signin.client_address(_http("198.51.100.1", "203.0.113.9"), proxies) == "198.51.100.1"  # not a proxy of ours
    assert signin.client_address(_http("127.0.0.1", "203.0.113.9"), ()) == "127.0.0.1"  # no proxies configured
    with pytest.raises(SanctuaryError, match="SANCTUARY_TRUSTED_PROXIES"):
        signin.trusted_proxies("not-an-address")


def test_a_forwarded_for_from_localhost_is_not_believed_without_trusted_proxies(tmp_path: Path) -> None:
    """`sanctuary serve` as shipped, SANCTUARY_TRUSTED_PROXIES unset: an attacker on 127.0.0.1 who
    rotates X-Forwarded-For is still counted (and recorded) under 127.0.0.1. uvicorn's own default
    believed the header from 127.0.0.1: every guess came from a fresh address and reached the hash."""
    env = {k: v for k, v in os.environ.items() if k != "SANCTUARY_TRUSTED_PROXIES"}
    env |= {"SANCTUARY_HOME": str(tmp_path), "PYTHONPATH": str(ROOT / "src")}
    events = tmp_path / "events.log"
    command = [sys.executable, "-m", "sanctuary", "serve", "--demo", "--port", "0", "--rate", "0"]
    command += ["--store", str(tmp_path / "records.db"), "--log", str(tmp_path / "log.db")]
    with events.open("w") as stderr:
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        assert proc.stdout is not None
        url = next(line.split("listening on ", 1)[1].split()[0] for line in proc.stdout if "listening on" in line)
        with httpx.Client(base_url=url, timeout=30) as client:
            token = csrf_of(client.get("/login").text)
            guesses = signin.LIMIT + 3
            statuses = [
                client.post(
                    "/login",
                    data={"csrf": token, "name": "admin", "password": f"guess-{i}"},
                    headers={"X-Forwarded-For": f"203.0.113.{i}"},
                ).status_code
                for i in range(guesses)
            ]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert statuses.count(401) == signin.LIMIT and statuses.count(429) == guesses - signin.LIMIT  # counted under one address
    logged = [json.loads(line) for line in events.read_text().splitlines() if line.startswith("{")]
    failed = [e for e in logged if e.get("event") in ("sign_in_failed", "sign_in_throttled")]
    assert len(failed) == guesses and {e["address"] for e in failed} == {"127.0.0.1"}
