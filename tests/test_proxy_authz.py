"""`/v1/authz` on the gateway (`serve --routes`): the NGINX `auth_request` and Envoy `ext_authz`
request and answer shapes, tested directly (Envoy is not installable here; NGINX is, see
test_proxy_nginx.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway_harness import Running, start
from proxy_harness import EXAMPLE_ROUTES, Served, demo_rms
from sanctuary.agencies import load_registry
from sanctuary.gateway.credentials import demo_key
from sanctuary.gateway.services import Policy
from sanctuary.pipeline import Unloaded
from sanctuary.proxy.routes import load


@pytest.fixture(scope="module")
def rms() -> Iterator[Served]:
    served = demo_rms()
    yield served
    served.stop()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, rms: Served) -> Iterator[Running]:
    home = tmp_path_factory.mktemp("authz")
    patch = pytest.MonkeyPatch()
    patch.setenv("SANCTUARY_HOME", str(home))
    running = start(home, str(home / "records.db"), str(home / "log.db"), persons=None, routes=load(EXAMPLE_ROUTES), upstream=rms.url)
    yield running
    running.stop()
    patch.undo()


def nginx(gateway: Running, who: str | None, method: str, uri: str, **headers: str) -> httpx.Response:
    """The subrequest NGINX sends: the client's headers, the original method and URI, no body."""
    headers = {"X-Original-Method": method, "X-Original-URI": uri, **headers}
    if who:
        headers["Authorization"] = f"Bearer {demo_key(who)}"
    return httpx.get(f"{gateway.url}/v1/authz", headers=headers, timeout=30)


def envoy(gateway: Running, who: str, method: str, path: str, **headers: str) -> httpx.Response:
    """The check request Envoy's HTTP ext_authz sends: the original method, path_prefix + path."""
    headers["Authorization"] = f"Bearer {demo_key(who)}"
    return httpx.request(method, f"{gateway.url}/v1/authz{path}", headers=headers, timeout=30)


def entry(gateway: Running, index: int) -> dict:
    return gateway.get(f"/v1/audit/entries/{index}").json()


def revealed(gateway: Running, index: int) -> dict:
    """The protected record behind an entry (what was disclosed, identifiers): the admin's view."""
    return gateway.get(f"/v1/admin/log/{index}", who="admin").json()["clear"]


def test_the_fbi_may_call_the_custody_route(gateway: Running, rms: Served) -> None:
    facts_asked = rms.hits["/persons/P0000001/facts"]
    answer = nginx(gateway, "FBI", "GET", "/persons/P0000001/custody", **{"X-Sanctuary-Purpose": "armed robbery investigation"})
    assert answer.status_code == 200 and answer.content == b""
    index = int(answer.headers["X-Sanctuary-Log-Index"])
    assert answer.headers["X-Sanctuary-Decision-Id"].startswith("px-")
    logged = entry(gateway, index)
    assert logged["decision"] == "permit" and logged["kind"] == "custody_inquiry"
    carried = sorted(load(EXAMPLE_ROUTES).routes[1].response.carried())
    assert revealed(gateway, index)["disclosed"] == [{"record_id": "route:custody", "fields": carried}]
    assert rms.hits["/persons/P0000001/custody"] == 0  # the hook decides; the web server forwards
    assert rms.hits["/persons/P0000001/facts"] == facts_asked  # no rule of chicago-2021 reads the carve-outs


def test_ice_ero_is_refused_the_custody_route_with_the_clause(gateway: Running, rms: Served) -> None:
    facts_asked = rms.hits["/persons/P0000001/facts"]
    answer = nginx(gateway, "ICE-ERO", "GET", "/persons/P0000001/custody")
    assert rms.hits["/persons/P0000001/facts"] == facts_asked  # no rule of chicago-2021 reads the carve-outs
    assert answer.status_code == 403
    body = answer.json()
    assert body["decision"]["decision"] == "deny" and any("2-173-020" in c for c in body["decision"]["citations"])
    assert entry(gateway, body["log_index"])["decision"] == "deny"


def test_a_route_whose_answer_carries_a_withheld_category_is_refused_pointing_to_the_proxy(gateway: Running) -> None:
    answer = nginx(gateway, "FBI", "GET", "/persons/P0000001", **{"X-Sanctuary-Purpose": "armed robbery investigation"})
    assert answer.status_code == 403
    assert answer.headers["X-Sanctuary-Withheld"] == "citizenship, immigration_status, place_of_birth"
    decision = answer.json()["decision"]
    assert decision["decision"] == "deny" and "sanctuary proxy" in decision["explanation"]
    index = answer.json()["log_index"]
    assert entry(gateway, index)["decision"] == "deny" and "disclosed" not in revealed(gateway, index)


def test_a_route_with_nothing_withheld_is_permitted(gateway: Running) -> None:
    assert nginx(gateway, "FBI", "GET", "/persons/P0000002/warrants").status_code == 200


def test_an_unmapped_route_is_refused_and_recorded(gateway: Running) -> None:
    answer = nginx(gateway, "FBI", "GET", "/persons/P0000001/photo")
    assert answer.status_code == 403
    logged = entry(gateway, answer.json()["log_index"])
    assert logged["kind"] == "refused" and "P0000001" not in str(logged)
    assert nginx(gateway, "FBI", "DELETE", "/persons/P0000001").status_code == 403


def test_no_key_is_401_and_a_staff_key_403(gateway: Running) -> None:
    assert nginx(gateway, None, "GET", "/persons/P0000001/custody").status_code == 401
    assert nginx(gateway, "oversight", "GET", "/persons/P0000001/custody").status_code == 403


def test_the_envoy_shape_carries_the_original_method_and_path(gateway: Running) -> None:
    allowed = envoy(gateway, "FBI", "GET", "/persons/P0000002/warrants?purpose=armed%20robbery")
    assert allowed.status_code == 200 and "X-Sanctuary-Log-Index" in allowed.headers
    denied = envoy(gateway, "ICE-ERO", "GET", "/persons/P0000001/custody")
    assert denied.status_code == 403 and denied.json()["decision"]["decision"] == "deny"
    assert envoy(gateway, "FBI", "POST", "/persons/P0000002/warrants").status_code == 403  # no POST route


def test_the_query_parameter_purpose_is_recorded_like_the_header(gateway: Running) -> None:
    answer = nginx(gateway, "FBI", "GET", "/persons/P0000002/warrants?case=HX-22")
    assert revealed(gateway, int(answer.headers["X-Sanctuary-Log-Index"]))["purpose.case_number"] == "HX-22"


def test_without_a_policy_every_call_fails_closed(tmp_path: Path, rms: Served) -> None:
    patch = pytest.MonkeyPatch()
    patch.setenv("SANCTUARY_HOME", str(tmp_path))
    broken = Policy(Unloaded(["chicago-2021"], load_registry(), "policy: a rule file does not parse"))
    running = start(
        tmp_path, str(tmp_path / "records.db"), str(tmp_path / "log.db"), persons=None, policy=broken, routes=load(EXAMPLE_ROUTES)
    )
    try:
        answer = nginx(running, "FBI", "GET", "/persons/P0000002/warrants")
        assert answer.status_code == 503
        assert entry(running, answer.json()["log_index"])["decision"] == "deny"
    finally:
        running.stop()
        patch.undo()


def test_a_call_held_at_the_hook_waits_for_the_desk_then_passes_once(gateway: Running, rms: Served) -> None:
    import asyncio

    review = {"X-Sanctuary-Purpose": "I-94 check"}  # a permit held for an officer to read the words
    held = nginx(gateway, "FBI", "GET", "/persons/P0000001/custody", **review)
    assert held.status_code == 403 and held.json()["decision"]["held"]["reason"] == "needs_review"
    reference = held.json()["decision"]["held"]["reference"]
    gw = gateway.app.state.gateway
    item = gw.held.get(reference)
    assert item is not None and item.channel == "authz" and item.came == "through the authorization hook"
    again = {**review, "X-Sanctuary-Held-Reference": reference}
    assert nginx(gateway, "FBI", "GET", "/persons/P0000001/custody", **again).status_code == 403  # not resolved yet
    resolved = asyncio.run(gw.resolve_held(item.request, item.decision, [], "Sgt. R. Diaz (read with the agent)", "sgt", hand_out=False))
    assert resolved.decision.decision == "permit" and "result" not in resolved.body  # nothing handed out by the gateway
    passed = nginx(gateway, "FBI", "GET", "/persons/P0000001/custody", **again)
    assert passed.status_code == 200, passed.text
    assert entry(gateway, int(passed.headers["X-Sanctuary-Log-Index"]))["decision"] == "permit"
    assert nginx(gateway, "FBI", "GET", "/persons/P0000001/custody", **again).status_code == 403  # once only


def test_the_envoy_shape_ignores_x_original_uri(gateway: Running, rms: Served) -> None:
    """On the Envoy path the call is the check request's own path: an X-Original-URI a client slipped
    through (a config that forwards it) must not make /persons/P0000001 the custody route."""
    forged = {"X-Original-URI": "/persons/P0000001/custody", "X-Sanctuary-Purpose": "armed robbery investigation"}
    answer = envoy(gateway, "FBI", "GET", "/persons/P0000001", **forged)
    assert answer.status_code == 403 and answer.headers["X-Sanctuary-Withheld"] == "citizenship, immigration_status, place_of_birth"
    assert revealed(gateway, answer.json()["log_index"]).get("disclosed") is None


def test_the_nginx_shape_without_the_original_uri_is_refused_and_recorded(gateway: Running) -> None:
    answer = httpx.get(f"{gateway.url}/v1/authz", headers={"Authorization": f"Bearer {demo_key('FBI')}"}, timeout=30)
    assert answer.status_code == 403 and "x-original-uri" in answer.json()["decision"]["error"]
    assert entry(gateway, answer.json()["log_index"])["kind"] == "refused"


def test_an_original_uri_given_twice_is_refused(gateway: Running) -> None:
    headers = [("X-Original-URI", "/persons/P0000002/warrants"), ("X-Original-URI", "/persons/P0000001")]
    answer = httpx.get(f"{gateway.url}/v1/authz", headers=[*headers, ("Authorization", f"Bearer {demo_key('FBI')}")], timeout=30)
    assert answer.status_code == 403 and answer.headers["X-Sanctuary-Status"] == "400"
    assert entry(gateway, answer.json()["log_index"])["kind"] == "refused"
