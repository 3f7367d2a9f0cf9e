"""Sign-in limits: counted before the hash, per name and per address, back-off rather than lock-out."""

from __future__ import annotations

import asyncio
import random
from types import SimpleNamespace

import httpx
import pytest
from starlette.requests import Request as HttpRequest

from sanctuary.errors import SanctuaryError
from sanctuary.web import signin
from web_app import PASSWORDS, csrf_of, make_site  # noqa: F401 - fixture


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
