"""Bad input gets a clear error naming the field, never a traceback, never a permit; limits hold."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from gateway_harness import BODIES, Running, start


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    home = tmp_path_factory.mktemp("gw-limits")
    patch = pytest.MonkeyPatch()
    patch.setenv("SANCTUARY_HOME", str(home))
    running = start(home, str(home / "records.db"), str(home / "log.db"), max_body=4096)
    yield running
    running.stop()
    patch.undo()


def raw_post(gateway: Running, content: bytes, who: str = "FBI") -> httpx.Response:
    return httpx.post(
        f"{gateway.url}/v1/requests",
        content=content,
        headers={"Authorization": f"Bearer {gateway.key(who)}", "Content-Type": "application/json"},
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": "x" * 129}, "id"),
        ({"id": "has spaces"}, "id"),
        ({"kind": "wiretap"}, "kind"),
        ({"sql": "SELECT * FROM persons"}, "sql"),
        ({"purpose": {"text": "y" * 2001}}, "purpose.text"),
        ({"resource": {"search": {"type": "person", "name": "A B", "dob": "yesterday"}}}, "resource.search.dob"),
        ({"resource": {"search": {"type": "everything"}}}, "resource.search.type"),
        ({"resource": {"search": {"type": "plate", "plate": "AB*123"}}}, "resource.search.plate"),
        ({"resource": {"search": {"type": "warrant"}}}, "resource.search"),
        ({"kind": "custody_inquiry", "resource": {}}, "subject"),
        ({"requester": "FBI"}, "requester"),
    ],
)
def test_malformed_requests_name_the_field_and_get_no_permit(gateway: Running, change: dict, field: str) -> None:
    response = gateway.post("FBI", {**BODIES["warrant"], **change})
    assert response.status_code in (400, 422)
    assert response.json()["error"]["field"] == field, response.json()
    assert "decision" not in response.json() and "result" not in response.json()


def test_not_json_and_not_an_object(gateway: Running) -> None:
    response = raw_post(gateway, b"{not json")
    assert response.status_code == 400 and response.json()["error"]["field"] == "body"
    response = raw_post(gateway, b"[1, 2]")
    assert response.status_code == 422 and response.json()["error"]["field"] == "body"


def test_body_size_is_limited(gateway: Running) -> None:
    big = raw_post(gateway, b'{"id": "' + b"a" * 5000 + b'"}')
    assert big.status_code == 413 and big.json()["error"]["field"] == "body"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        yield b'{"id": "'
        for _ in range(10):
            yield b"b" * 1000
        yield b'"}'

    streamed = httpx.post(f"{gateway.url}/v1/requests", content=chunks(), headers={"Authorization": f"Bearer {gateway.key('FBI')}"})
    assert streamed.status_code == 413


def test_rate_is_limited_per_key(gateway: Running) -> None:
    limiter = gateway.gateway.limiter
    limiter.rate, limiter.burst = 1.0, 2.0
    try:
        statuses = [gateway.post("ISP", {**BODIES["warrant"], "id": f"t-rate-{i}"}).status_code for i in range(4)]
        other = gateway.post("CCSO", BODIES["warrant"])
    finally:
        limiter.rate = 0
    assert statuses[:2] == [200, 200] and statuses[2:] == [429, 429]
    assert other.status_code == 200, "another key has its own bucket"
    limiter.rate, limiter.burst = 1.0, 1.0
    try:
        gateway.post("USMS", BODIES["warrant"])
        limited = gateway.post("USMS", BODIES["warrant"])
    finally:
        limiter.rate = 0
    assert limited.status_code == 429
    assert limited.json()["error"]["field"] == "Authorization" and int(limited.headers["Retry-After"]) >= 1


def test_unknown_paths_and_methods_are_json_errors(gateway: Running) -> None:
    assert httpx.get(f"{gateway.url}/v1/nothing").status_code == 404
    assert httpx.get(f"{gateway.url}/v1/requests").status_code == 405
    for path in ("/v1/audit/proof/abc", "/v1/audit/proof/-1", f"/v1/audit/entries/{2**64}", f"/v1/audit/entries/{2**63}"):
        bad_index = gateway.get(path)
        assert bad_index.status_code == 422 and bad_index.json()["error"]["field"] == "index", path
