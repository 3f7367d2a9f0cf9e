"""schemathesis against the published OpenAPI schema, over real HTTP: valid and invalid input of
every operation. No server error, and no permit for a request the contract does not accept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from gateway_harness import Running, start
from sanctuary.gateway.fetch import plan
from sanctuary.models import RequestError, parse_request


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    home = tmp_path_factory.mktemp("gw-fuzz")
    patch = pytest.MonkeyPatch()
    patch.setenv("SANCTUARY_HOME", str(home))
    gateway = start(home, str(home / "records.db"), str(home / "log.db"))
    yield gateway
    gateway.stop()
    patch.undo()


def contract_accepts(body: object) -> bool:
    """Would the contract (with the requester taken from the FBI key) accept this body?"""
    if not isinstance(body, dict):
        return False
    requester = body.get("requester", {})
    if not isinstance(requester, dict):
        return False
    try:
        request = parse_request({**body, "requester": {**requester, "agency": "FBI"}})
        plan(request)
    except (RequestError, Exception):
        return False
    return True


@pytest.mark.parametrize("mode", list(schemathesis.GenerationMode))
def test_no_server_errors_and_no_permit_for_malformed_input(running: Running, mode: schemathesis.GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{running.url}/openapi.json")

    @given(case=schema.as_strategy(mode))
    @settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case: schemathesis.Case) -> None:
        who = "admin" if case.path.startswith("/v1/admin") else "FBI"
        response = case.call(base_url=running.url, headers={"Authorization": f"Bearer {running.key(who)}"})
        assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:500])
        if case.path == "/v1/requests" and response.status_code == 200:
            assert contract_accepts(case.body), ("permitted a malformed request", case.body)
            assert response.json()["decision"]["decision"] == "permit"
        if case.path == "/v1/requests" and response.status_code >= 400:
            assert "result" not in response.json()

    check()
