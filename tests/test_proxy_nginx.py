"""Debian's nginx with the shipped site (examples/rms/nginx.conf): `auth_request` to the gateway's
/v1/authz in front of the demo RMS. What an agency gets through it, and that every call is logged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway_harness import Running, start
from proxy_harness import EXAMPLE_ROUTES, NGINX_SITE, Nginx, Served, demo_rms, raw_get, start_nginx
from sanctuary.gateway.credentials import demo_key
from sanctuary.proxy.routes import load

DEPLOY_DOC = Path(__file__).resolve().parent.parent / "docs" / "deploy.md"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Nginx, Running, Served]]:
    home = tmp_path_factory.mktemp("nginx")
    patch = pytest.MonkeyPatch()
    patch.setenv("SANCTUARY_HOME", str(home))
    rms = demo_rms()
    gateway = start(home, str(home / "records.db"), str(home / "log.db"), persons=None, routes=load(EXAMPLE_ROUTES), upstream=rms.url)
    nginx = start_nginx(home / "nginx", rms.url, gateway.url)
    yield nginx, gateway, rms
    nginx.stop()
    gateway.stop()
    rms.stop()
    patch.undo()


def call(nginx: Nginx, who: str | None, path: str, **headers: str) -> httpx.Response:
    if who:
        headers["Authorization"] = f"Bearer {demo_key(who)}"
    return httpx.get(nginx.url + path, headers=headers, timeout=30)


def log_size(gateway: Running) -> int:
    return int(gateway.gateway.log.get().size())


def test_the_documented_site_is_the_one_tested() -> None:
    assert NGINX_SITE.read_text(encoding="utf-8").strip() in DEPLOY_DOC.read_text(encoding="utf-8")


def test_ice_ero_is_refused_the_custody_route(stack: tuple[Nginx, Running, Served]) -> None:
    nginx, gateway, rms = stack
    before = rms.hits["/persons/P0000001/custody"]
    answer = call(nginx, "ICE-ERO", "/persons/P0000001/custody")
    assert answer.status_code == 403
    assert "Cook County" not in answer.text and "bookings" not in answer.text
    assert rms.hits["/persons/P0000001/custody"] == before
    index = int(answer.headers["X-Sanctuary-Log-Index"])
    assert gateway.get(f"/v1/audit/entries/{index}").json()["decision"] == "deny"


def test_the_fbi_gets_the_custody_route(stack: tuple[Nginx, Running, Served]) -> None:
    nginx, gateway, rms = stack
    before = rms.hits["/persons/P0000001/custody"]
    answer = call(nginx, "FBI", "/persons/P0000001/custody", **{"X-Sanctuary-Purpose": "armed robbery investigation"})
    assert answer.status_code == 200
    assert answer.json()["bookings"][0]["facility"].startswith("Cook County")
    assert rms.hits["/persons/P0000001/custody"] == before + 1
    index = answer.headers["X-Sanctuary-Log-Index"]
    assert gateway.get(f"/v1/audit/entries/{index}").json()["decision"] == "permit"
    assert gateway.get(f"/v1/admin/log/{index}", who="admin").json()["clear"]["disclosed"][0]["record_id"] == "route:custody"


def test_a_route_whose_answer_would_carry_a_withheld_category_is_refused(stack: tuple[Nginx, Running, Served]) -> None:
    nginx, _, rms = stack
    answer = call(nginx, "FBI", "/persons/P0000001", **{"X-Sanctuary-Purpose": "armed robbery investigation"})
    assert answer.status_code == 403
    assert "undocumented" not in answer.text and "Maria" not in answer.text
    assert rms.hits["/persons/P0000001"] == 0


def test_an_unmapped_route_and_a_missing_key_are_refused(stack: tuple[Nginx, Running, Served]) -> None:
    nginx, _, rms = stack
    assert call(nginx, "FBI", "/persons/P0000001/photo").status_code == 403
    assert call(nginx, "FBI", "/persons/P0000001?everything=1").status_code == 403
    assert call(nginx, "ICE-ERO", "/persons/P0000001%2Fcustody").status_code == 403  # decided as one route, answered as another
    assert call(nginx, None, "/persons/P0000001/custody").status_code == 401
    assert rms.hits["/persons/P0000001/photo"] == 0 and rms.hits["/persons/P0000001"] == 0


def test_every_call_is_in_the_log(stack: tuple[Nginx, Running, Served]) -> None:
    nginx, gateway, _ = stack
    size = log_size(gateway)
    calls = [
        ("FBI", "/persons/P0000002/warrants"),
        ("ICE-ERO", "/persons/P0000002/warrants"),
        ("FBI", "/nowhere"),
        ("CBP", "/persons/P0000003"),
    ]
    answers = [call(nginx, who, path) for who, path in calls]
    assert [a.status_code for a in answers][:3] == [200, 403, 403]
    assert log_size(gateway) == size + len(calls)
    assert sorted(int(a.headers["X-Sanctuary-Log-Index"]) for a in answers) == list(range(size, size + len(calls)))


@pytest.mark.parametrize("target", ["/persons/P0000001#/custody", "/persons/P0000001;/custody", "/persons/P0000001/custody/.."])
def test_a_target_the_rms_reads_as_another_call_is_refused(stack: tuple[Nginx, Running, Served], target: str) -> None:
    """`#/custody` is not sent on by a client library, but a raw client sends it, nginx keeps it in
    `$request_uri` and the RMS drops it, answering /persons/P0000001 (immigration status,
    citizenship, place of birth, home address): the hook must not decide it as the custody route
    (and record a custody permit). The same for a `;` path parameter and a dot segment."""
    nginx, gateway, rms = stack
    before = sum(rms.hits.values())
    key = [("Authorization", f"Bearer {demo_key('FBI')}"), ("X-Sanctuary-Purpose", "armed robbery investigation")]
    status, headers, body = raw_get(nginx.url, target, key)
    assert status == 403, body
    assert b"undocumented" not in body and b"citizenship" not in body
    assert sum(rms.hits.values()) == before
    logged = gateway.get(f"/v1/audit/entries/{headers['x-sanctuary-log-index']}").json()
    assert logged["decision"] == "deny" and logged["kind"] == "refused"


def test_a_sanctuary_header_given_twice_is_refused(stack: tuple[Nginx, Running, Served]) -> None:
    nginx, gateway, rms = stack
    before = rms.hits["/persons/P0000001/custody"]
    headers = [
        ("Authorization", f"Bearer {demo_key('FBI')}"),
        ("X-Sanctuary-Purpose", "armed robbery investigation"),
        ("X-Sanctuary-Purpose", "removal proceedings for ICE"),
    ]
    answer = httpx.get(nginx.url + "/persons/P0000001/custody", headers=headers, timeout=30)
    assert answer.status_code == 403 and rms.hits["/persons/P0000001/custody"] == before
    logged = gateway.get(f"/v1/admin/log/{answer.headers['X-Sanctuary-Log-Index']}", who="admin").json()["clear"]
    assert "x-sanctuary-purpose" in logged["error"] and "more than once" in logged["error"]


def test_a_cyrillic_look_alike_in_the_purpose_header_is_screened(stack: tuple[Nginx, Running, Served]) -> None:
    nginx, gateway, rms = stack
    before = rms.hits["/persons/P0000001/custody"]
    headers = [("Authorization", f"Bearer {demo_key('FBI')}"), ("X-Sanctuary-Purpose", "assist ІСЕ".encode())]
    answer = httpx.get(nginx.url + "/persons/P0000001/custody", headers=headers, timeout=30)
    assert answer.status_code == 403 and rms.hits["/persons/P0000001/custody"] == before
    assert gateway.get(f"/v1/audit/entries/{answer.headers['X-Sanctuary-Log-Index']}").json()["decision"] == "deny"
