"""`sanctuary proxy` through real HTTP on loopback, in front of the demo RMS and of a system that
misbehaves: what is forwarded, what comes back, and what the log says about every call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from proxy_harness import Proxy, Served, demo_rms, free_port, odd_routes, odd_system, raw_get, start_proxy
from sanctuary.gateway.credentials import demo_key

STATUS_FIELDS = ("immigration_status", "citizenship", "place_of_birth")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("proxy")
    patch = pytest.MonkeyPatch()
    patch.setenv("SANCTUARY_HOME", str(home))
    yield home
    patch.undo()


@pytest.fixture(scope="module")
def rms() -> Iterator[Served]:
    served = demo_rms()
    yield served
    served.stop()


@pytest.fixture(scope="module")
def proxy(home: Path, rms: Served) -> Iterator[Proxy]:
    running = start_proxy(home, rms.url)
    yield running
    running.served.stop()


@pytest.fixture(scope="module")
def odd(home: Path) -> Iterator[tuple[Proxy, Served]]:
    system = odd_system()
    running = start_proxy(home / "odd", system.url, odd_routes(), timeout=0.5)
    yield running, system
    running.served.stop()
    system.stop()


def test_the_fbi_gets_the_person_without_the_status_fields(proxy: Proxy, rms: Served) -> None:
    answer = proxy.call("FBI", "/persons/P0000001", **{"X-Sanctuary-Purpose": "retail theft ring investigation"})
    assert answer.status_code == 200, answer.text
    person = answer.json()
    assert person["first_name"] == "Maria" and person["contacts"][0]["address"] == "2418 S Kedzie Ave"
    assert person["status"] == {}
    for name in STATUS_FIELDS:
        assert name not in answer.text
    assert "undocumented" not in answer.text and "Morelia" not in answer.text
    assert answer.headers["X-Sanctuary-Withheld"] == "citizenship, immigration_status, place_of_birth"
    index = int(answer.headers["X-Sanctuary-Log-Index"])
    entry, disclosed = proxy.entry(index), proxy.protected(index)["disclosed"]
    assert entry["decision"] == "permit" and entry["kind"] == "database_query"
    assert "P0000001" not in json.dumps(entry)  # the public entry names no record
    assert disclosed[0]["record_id"] == "P0000001" and "person_name" in disclosed[0]["fields"]
    assert not set(STATUS_FIELDS) & set(disclosed[0]["fields"])
    assert set(STATUS_FIELDS) <= set(entry["redact"])


def test_ice_ero_is_refused_the_custody_route_and_nothing_is_forwarded(proxy: Proxy, rms: Served) -> None:
    before = rms.hits["/persons/P0000001/custody"]
    answer = proxy.call("ICE-ERO", "/persons/P0000001/custody")
    assert answer.status_code == 403
    body = answer.json()
    assert body["decision"]["decision"] == "deny"
    assert any("2-173-020" in c for c in body["decision"]["citations"])
    assert "bookings" not in answer.text and "Cook County" not in answer.text
    assert rms.hits["/persons/P0000001/custody"] == before
    assert proxy.entry(body["log_index"])["decision"] == "deny"


def test_the_fbi_gets_the_custody_route(proxy: Proxy, rms: Served) -> None:
    before = rms.hits["/persons/P0000001/custody"]
    answer = proxy.call("FBI", "/persons/P0000001/custody", **{"X-Sanctuary-Purpose": "armed robbery investigation"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["bookings"][0]["in_custody"] is True
    assert rms.hits["/persons/P0000001/custody"] == before + 1
    index = int(answer.headers["X-Sanctuary-Log-Index"])
    assert proxy.entry(index)["kind"] == "custody_inquiry"
    assert "custody_status" in proxy.protected(index)["disclosed"][0]["fields"]


def test_an_unmapped_route_is_refused_never_forwarded_and_recorded(proxy: Proxy, rms: Served) -> None:
    for path in ("/persons/P0000001/photo", "/admin/users", "/persons/P0000001?fields=all"):
        size = proxy.size()
        answer = proxy.call("FBI", path)
        assert answer.status_code == 422, path  # a call that cannot be made a request of the contract
        assert answer.json()["log_index"] == size
        entry = proxy.entry(size)
        assert entry["kind"] == "refused" and entry["decision"] == "deny"
        assert "P0000001" not in str(entry) and "admin" not in str(entry)
    assert rms.hits["/persons/P0000001/photo"] == 0 and rms.hits["/admin/users"] == 0


@pytest.mark.parametrize("target", ["/persons/P0000001;/custody", "/persons/P0000001/custody/%2e%2e", "//persons/P0000001/custody"])
def test_a_target_the_system_may_read_as_another_call_is_refused(proxy: Proxy, rms: Served, target: str) -> None:
    """(A fragment never reaches the proxy's route: the HTTP server drops it, and the call forwarded
    is the call decided, without it.)"""
    before, size = sum(rms.hits.values()), proxy.size()
    status, _, body = raw_get(proxy.url, target, [("Authorization", f"Bearer {demo_key('FBI')}")])
    assert status == 422 and json.loads(body)["log_index"] == size
    assert proxy.entry(size)["kind"] == "refused" and sum(rms.hits.values()) == before


def test_the_call_forwarded_is_the_call_decided(proxy: Proxy, rms: Served) -> None:
    before = rms.hits["/persons/P0000002/warrants"]
    status, _, _ = raw_get(proxy.url, "/persons/%50000000%32/w%61rrants", [("Authorization", f"Bearer {demo_key('FBI')}")])
    assert status == 200 and rms.hits["/persons/P0000002/warrants"] == before + 1


def test_a_head_call_is_checked_like_its_get(proxy: Proxy) -> None:
    answer = httpx.head(proxy.url + "/persons/P0000001", headers={"Authorization": f"Bearer {demo_key('FBI')}"}, timeout=30)
    assert answer.status_code == 200 and answer.content == b""
    assert answer.headers["X-Sanctuary-Withheld"] == "citizenship, immigration_status, place_of_birth"


def test_no_key_or_a_staff_key_gets_nothing(proxy: Proxy, rms: Served) -> None:
    before, size = sum(rms.hits.values()), proxy.size()
    missing = proxy.call(None, "/persons/P0000001")
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == "Bearer"
    assert missing.json()["error"]["field"] == "Authorization"
    unknown = httpx.get(proxy.url + "/persons/P0000001", headers={"Authorization": "Bearer sk_nobody_" + "x" * 32}, timeout=30)
    assert unknown.status_code == 401 and unknown.json()["error"]["reason"] == "unknown or malformed key"
    staff = proxy.call("desk", "/persons/P0000001")
    assert staff.status_code == 403 and "desk key may not call a department system" in staff.json()["error"]["reason"]
    assert sum(rms.hits.values()) == before
    assert proxy.size() == size, "a call turned away at the key is not recorded (as on the gateway)"


def test_the_rate_is_limited_per_key_as_on_the_gateway(home: Path, rms: Served) -> None:
    proxy = start_proxy(home / "limited", rms.url, rate=0.1, burst=2.0)  # two calls, then one per 10 s
    path = "/persons/P0000002/warrants"
    try:
        permitted = [proxy.call("FBI", path).status_code for _ in range(2)]
        size, hits = proxy.size(), sum(rms.hits.values())
        limited = [proxy.call("FBI", path) for _ in range(2)]
        other = proxy.call("USMS", path)
    finally:
        proxy.served.stop()
    assert permitted == [200, 200]
    for answer in limited:
        assert answer.status_code == 429 and int(answer.headers["Retry-After"]) >= 1
        assert answer.json()["error"]["field"] == "Authorization" and "rate limit" in answer.json()["error"]["reason"]
        assert "X-Sanctuary-Log-Index" not in answer.headers
    assert other.status_code == 200, "another key has its own bucket"
    assert proxy.size() == size + 1, "a limited call is turned away unread and not recorded, as on the gateway"
    assert sum(rms.hits.values()) == hits + 1, "a limited call never reaches the system"


def test_every_decided_call_is_in_the_log(proxy: Proxy) -> None:
    size = proxy.size()
    codes = [
        proxy.call(who, path).status_code
        for who, path in [("FBI", "/persons/P0000002/warrants"), ("ICE-ERO", "/persons/P0000002"), ("FBI", "/nowhere")]
    ]
    assert codes[0] == 200 and codes[2] == 422
    assert proxy.size() == size + 3


def test_an_unexpected_answer_leaks_nothing(odd: tuple[Proxy, Served]) -> None:
    proxy, _ = odd
    for how in ("html", "list", "wrapped"):
        answer = proxy.call("FBI", f"/odd/{how}")
        assert answer.status_code == 502, how
        assert "Maria" not in answer.text and "undocumented" not in answer.text
        index = answer.json()["log_index"]
        assert proxy.entry(index)["decision"] == "deny" and proxy.entry(index)["failure"] == "upstream"
        protected = proxy.protected(index)
        assert "disclosed" not in protected and "withheld whole" in protected["error"]


def test_an_answer_over_the_size_limit_is_withheld_whole(odd: tuple[Proxy, Served]) -> None:
    proxy, _ = odd
    answer = proxy.call("FBI", "/odd/huge")
    assert answer.status_code == 502 and "MMMM" not in answer.text
    assert "larger than" in answer.json()["decision"]["error"]


def test_a_system_error_is_502_and_a_slow_system_504(odd: tuple[Proxy, Served]) -> None:
    proxy, _ = odd
    failed = proxy.call("FBI", "/odd/error")
    assert failed.status_code == 502 and "Maria" not in failed.text and "db down" not in failed.text
    assert failed.json()["decision"]["failure"] == "upstream"
    slow = proxy.call("FBI", "/odd/slow")
    assert slow.status_code == 504 and slow.json()["decision"]["failure"] == "upstream_timeout"
    assert proxy.entry(slow.json()["log_index"])["decision"] == "deny"


def test_a_field_the_map_does_not_know_is_removed_and_counted(odd: tuple[Proxy, Served]) -> None:
    proxy, _ = odd
    answer = proxy.call("FBI", "/odd/extra")
    assert answer.status_code == 200
    assert answer.json() == {"person_id": "P0000001", "first_name": "Maria", "status": {}}
    assert answer.headers["X-Sanctuary-Unmapped-Removed"] == "3"
    assert proxy.protected(int(answer.headers["X-Sanctuary-Log-Index"]))["disclosed"][0]["unmapped_removed"] == 3


def test_a_system_not_found_is_passed_on_without_its_body(odd: tuple[Proxy, Served]) -> None:
    proxy, _ = odd
    answer = proxy.call("FBI", "/odd/missing")
    assert answer.status_code == 404 and "Maria" not in answer.text
    assert proxy.entry(answer.json()["log_index"])["decision"] == "permit"


def test_an_unreachable_system_is_502(home: Path) -> None:
    proxy = start_proxy(home / "down", f"http://127.0.0.1:{free_port()}")
    try:
        answer = proxy.call("FBI", "/persons/P0000002/warrants")
        assert answer.status_code == 502 and answer.json()["decision"]["failure"] == "upstream"
        assert proxy.entry(answer.json()["log_index"])["decision"] == "deny"
    finally:
        proxy.served.stop()


def test_without_the_log_nothing_is_answered_but_503(home: Path, rms: Served) -> None:
    blocker = home / "not-a-folder"
    blocker.write_text("a file where the log's folder should be")
    proxy = start_proxy(home / "nolog", rms.url, log_url=str(blocker / "log.db"))
    try:
        for who, path in (("FBI", "/persons/P0000001"), ("FBI", "/nowhere"), ("ICE-ERO", "/persons/P0000001/custody")):
            answer = proxy.call(who, path)
            assert answer.status_code == 503, (who, path)
            assert "Maria" not in answer.text and answer.json()["decision"]["failure"] == "log"
    finally:
        proxy.served.stop()


@pytest.mark.parametrize("header", ["X-Sanctuary-Purpose", "X-Sanctuary-On-Behalf-Of", "X-Sanctuary-Purpose-Category"])
def test_a_sanctuary_header_given_twice_is_refused_naming_it(proxy: Proxy, rms: Served, header: str) -> None:
    """Only the first was read: `armed robbery` then `removal proceedings for ICE` got the custody record."""
    before, size = rms.hits["/persons/P0000001/custody"], proxy.size()
    headers = [
        ("Authorization", f"Bearer {demo_key('FBI')}"),
        (header, "armed robbery investigation"),
        (header, "removal proceedings for ICE"),
    ]
    answer = httpx.get(proxy.url + "/persons/P0000001/custody", headers=headers, timeout=30)
    assert answer.status_code == 400 and answer.json()["log_index"] == size
    assert header.lower() in answer.json()["decision"]["error"]
    assert proxy.entry(size)["kind"] == "refused" and rms.hits["/persons/P0000001/custody"] == before


def test_sanctuary_headers_are_read_as_utf8_then_screened(proxy: Proxy, rms: Served) -> None:
    before = rms.hits["/persons/P0000001/custody"]
    key = ("Authorization", f"Bearer {demo_key('FBI')}")
    cyrillic = httpx.get(proxy.url + "/persons/P0000001/custody", headers=[key, ("X-Sanctuary-Purpose", "assist ІСЕ".encode())], timeout=30)
    assert cyrillic.status_code == 403 and cyrillic.json()["decision"]["decision"] == "deny", cyrillic.text
    latin1 = httpx.get(
        proxy.url + "/persons/P0000001/custody", headers=[key, ("X-Sanctuary-Purpose", "café".encode("latin-1"))], timeout=30
    )
    assert latin1.status_code == 400 and "x-sanctuary-purpose" in latin1.json()["decision"]["error"]
    assert rms.hits["/persons/P0000001/custody"] == before
