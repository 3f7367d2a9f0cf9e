"""A call held through the proxy or the hook waits in the gateway's held queue like any other held
request; the desk reviews it and allows it, handing nothing out itself (the data is in the
department's system); the agency repeats the same call once, naming the held one, and only that call
is decided as reviewed. Every other use of the reference is a claim: refused, recorded, not forwarded."""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from proxy_harness import Proxy, Served, demo_rms, serve, start_proxy
from sanctuary.audit.entry import mac
from sanctuary.gateway.credentials import demo_key
from sanctuary.proxy.demo_upstream import DemoRMS
from sanctuary.proxy.demo_upstream import create_app as rms_app
from web_app import Site, csrf_of, make_site  # noqa: F401 - fixture

REVIEW = {"X-Sanctuary-Purpose": "I-94 check"}  # immigration-adjacent words: a permit held for review
PERSON = "/persons/P0000001"


@pytest.fixture
def rms() -> Iterator[Served]:
    served = demo_rms()
    yield served
    served.stop()


@pytest.fixture
def both(make_site, tmp_path: Path, rms: Served) -> Iterator[tuple[Site, Proxy]]:
    """The gateway with its pages, and a proxy in the same SANCTUARY_HOME writing the same log."""
    site = make_site()
    proxy = start_proxy(tmp_path, rms.url, log_url=str(tmp_path / "log.db"))
    yield site, proxy
    proxy.served.stop()


def test_a_held_call_is_allowed_at_the_desk_and_answered_once_when_repeated(both: tuple[Site, Proxy], rms: Served) -> None:
    site, proxy = both
    log = site.app.state.gateway.log.get()
    held = proxy.call("FBI", PERSON, **REVIEW)
    body = held.json()
    assert held.status_code == 403 and body["decision"]["held"]["reason"] == "needs_review"
    reference, first = body["decision"]["held"]["reference"], body["log_index"]
    assert rms.hits[PERSON] == 0 and "first_name" not in held.text  # nothing forwarded

    early = proxy.call("FBI", PERSON, **REVIEW, **{"X-Sanctuary-Held-Reference": reference})
    assert early.status_code == 422 and "not been resolved" in early.text and rms.hits[PERSON] == 0

    desk = site.client("desk")
    assert "through the proxy" in desk.get("/desk/held").text
    page = desk.get(f"/desk/held/{reference}")
    shown = html.unescape(page.text)
    assert "through the proxy" in shown and f"X-Sanctuary-Held-Reference: {reference}" in shown
    resolved = desk.post(f"/desk/held/{reference}", data={"csrf": csrf_of(page.text), "how": "called the agent: a passport fraud case"})
    assert resolved.status_code == 303
    result = html.unescape(desk.get(resolved.headers["location"]).text)
    assert "ALLOWED" in result and f"X-Sanctuary-Held-Reference: {reference}" in result
    allowed = log.size() - 1
    assert json.loads(log.entry(allowed))["decision"] == "permit" and "disclosed" not in log.reveal(allowed)  # none at the desk
    assert rms.hits[PERSON] == 0

    other = proxy.call("FBI", "/persons/P0000002", **REVIEW, **{"X-Sanctuary-Held-Reference": reference})
    assert other.status_code == 422 and "not the one that was held" in other.text  # another person: a claim
    assert proxy.call("ISP", PERSON, **REVIEW, **{"X-Sanctuary-Held-Reference": reference}).status_code == 422  # another agency

    repeated = proxy.call("FBI", PERSON, **REVIEW, **{"X-Sanctuary-Held-Reference": reference})
    assert repeated.status_code == 200, repeated.text
    assert repeated.json()["first_name"] == "Maria" and "undocumented" not in repeated.text  # the filter still applies
    assert rms.hits[PERSON] == 1
    index = int(repeated.headers["X-Sanctuary-Log-Index"])
    entry = json.loads(log.entry(index))
    assert entry["decision"] == "permit" and entry["resolves"] == mac(log.hmac_key(), "held", reference.encode())
    assert json.loads(log.entry(first))["held"]["ref"] == entry["resolves"]  # linked to the held call
    assert log.reveal(index)["disclosed"][0]["record_id"] == "P0000001"

    again = proxy.call("FBI", PERSON, **REVIEW, **{"X-Sanctuary-Held-Reference": reference})
    assert again.status_code == 422 and "made already" in again.text and rms.hits[PERSON] == 1


def test_a_call_refused_at_the_desk_is_never_answered(both: tuple[Site, Proxy], rms: Served) -> None:
    site, proxy = both
    reference = proxy.call("FBI", PERSON, **REVIEW).json()["decision"]["held"]["reference"]
    desk = site.client("desk")
    page = desk.get(f"/desk/held/{reference}")
    refused = desk.post(f"/desk/held/{reference}/refuse", data={"csrf": csrf_of(page.text), "why": "the agent wants an I-94 record"})
    assert refused.status_code == 303
    repeated = proxy.call("FBI", PERSON, **REVIEW, **{"X-Sanctuary-Held-Reference": reference})
    assert repeated.status_code == 422 and "refused" in repeated.text and rms.hits[PERSON] == 0


def test_a_reference_nobody_held_is_a_recorded_claim(both: tuple[Site, Proxy], rms: Served) -> None:
    site, proxy = both
    log = site.app.state.gateway.log.get()
    before = log.size()
    forged = proxy.call("FBI", PERSON, **{"X-Sanctuary-Purpose": "robbery", "X-Sanctuary-Held-Reference": "H-0000000000000000"})
    assert forged.status_code == 422 and "no held call" in forged.text and rms.hits[PERSON] == 0
    assert log.size() == before + 1 and json.loads(log.entry(before))["kind"] == "refused"
    assert "H-0000000000000000" not in log.entry(before).decode()  # the header's value is not published


def test_a_held_queue_that_cannot_be_read_honours_no_reference(both: tuple[Site, Proxy], rms: Served) -> None:
    site, proxy = both
    guard = proxy.served.app.state.guard

    def broken(reference: str, request: object) -> None:
        raise OSError("disk I/O error")

    guard.held.redeem = broken
    answer = proxy.call("FBI", PERSON, **REVIEW, **{"X-Sanctuary-Held-Reference": "H-0000000000000000"})
    assert answer.status_code == 422 and "held queue could not be read" in answer.text and rms.hits[PERSON] == 0


class Flaky:
    """The demo RMS behind a switch: "ok" passes calls on, "502" answers a bad gateway, "slow"
    answers after the proxy has stopped waiting."""

    def __init__(self, app: object) -> None:
        self.app, self.mode = app, "ok"

    async def __call__(self, scope: dict, receive: object, send: object) -> None:
        if scope["type"] == "http" and self.mode != "ok":
            if self.mode == "slow":
                await asyncio.sleep(1.5)
            else:
                await send({"type": "http.response.start", "status": int(self.mode), "headers": []})
                await send({"type": "http.response.body", "body": b""})
                return
        await self.app(scope, receive, send)  # type: ignore[operator]


def test_an_allowance_is_spent_only_by_the_call_that_gets_the_data(make_site, tmp_path: Path) -> None:  # noqa: F811
    flaky = Flaky(rms_app(DemoRMS()))
    system = serve(flaky)
    site = make_site()
    proxy = start_proxy(tmp_path, system.url, log_url=str(tmp_path / "log.db"), timeout=0.5)
    try:
        reference = proxy.call("FBI", PERSON, **REVIEW).json()["decision"]["held"]["reference"]
        desk = site.client("desk")
        page = desk.get(f"/desk/held/{reference}")
        assert desk.post(f"/desk/held/{reference}", data={"csrf": csrf_of(page.text), "how": "called the agent"}).status_code == 303
        repeat = {**REVIEW, "X-Sanctuary-Held-Reference": reference, "Authorization": f"Bearer {demo_key('FBI')}"}

        head = httpx.head(proxy.url + PERSON, headers=repeat, timeout=30)
        assert head.status_code == 200 and head.content == b""  # a HEAD gets no data: the allowance stays
        for mode, status in (("502", 502), ("504", 502), ("slow", 504), ("404", 404)):
            flaky.mode = mode
            failed = proxy.call("FBI", PERSON, **repeat)
            assert failed.status_code == status, (mode, failed.text)
            assert "Maria" not in failed.text
        flaky.mode = "ok"
        answered = proxy.call("FBI", PERSON, **repeat)
        assert answered.status_code == 200 and answered.json()["first_name"] == "Maria"
        again = proxy.call("FBI", PERSON, **repeat)
        assert again.status_code == 422 and "made already" in again.text
    finally:
        proxy.served.stop()
        system.stop()
