"""Who may ask: keys (stored hashed), the requester taken from the key, roles, admin endpoints."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway_harness import BODIES, Running, start
from sanctuary.audit.entry import mac
from sanctuary.gateway.credentials import CredentialError, KeyRing, Refusal, authenticate, demo_key, key_hash


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    home = tmp_path_factory.mktemp("gw-keys")
    patch = pytest.MonkeyPatch()
    patch.setenv("SANCTUARY_HOME", str(home))
    running = start(home, str(home / "records.db"), str(home / "log.db"), keys=KeyRing(home / "keys.json"))
    yield running
    running.stop()
    patch.undo()


def log_size(gateway: Running) -> int:
    return gateway.gateway.log.get().size()


def test_no_key_wrong_key_and_wrong_scheme_are_401(gateway: Running) -> None:
    url = f"{gateway.url}/v1/requests"
    before = log_size(gateway)
    for headers in (
        {},
        {"Authorization": "Bearer sk_nobody_0123456789abcdef0123"},
        {"Authorization": f"Basic {demo_key('FBI')}"},
        {"Authorization": "Bearer"},
    ):
        response = httpx.post(url, json=BODIES["warrant"], headers=headers)
        assert response.status_code == 401, headers
        assert response.json()["error"]["field"] == "Authorization"
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert log_size(gateway) == before


def test_the_requester_is_the_keys_agency_never_the_bodys(gateway: Running) -> None:
    before = log_size(gateway)
    claim = {**BODIES["warrant"], "requester": {"agency": "ICE-ERO"}}
    response = gateway.post("FBI", claim)
    assert response.status_code == 403
    assert response.json()["error"]["field"] == "requester.agency"
    assert "FBI" in response.json()["error"]["reason"]
    # the attempt is refused, decides nothing, and is on the record for oversight: the hash of what
    # was sent, the field and the reason, never the body itself
    index = response.json()["log_index"]
    assert index == before and log_size(gateway) == before + 1
    decision_log = gateway.gateway.log.get()
    entry = json.loads(decision_log.entry(index))
    assert entry["kind"] == "refused" and entry["decision"] == "deny" and entry["failure"] == "identity"
    error = decision_log.reveal(index)["error"]
    assert error.startswith("requester.agency:") and "ICE-ERO" in error and "ICE-ERO" not in json.dumps(entry)
    assert entry["request_hmac"] == mac(decision_log.hmac_key(), "request", response.request.content)
    # a name the registry resolves to the key's own agency is fine; leaving it out is too
    alias = gateway.post("FBI", {**BODIES["warrant"], "requester": {"agency": "Federal Bureau of Investigation", "officer": "SA Jones"}})
    assert alias.status_code == 200 and alias.json()["decision"]["requester"] == "FBI"
    assert gateway.post("FBI", BODIES["warrant"]).json()["decision"]["requester"] == "FBI"


def test_an_immigration_agency_cannot_borrow_a_criminal_agencys_name(gateway: Running) -> None:
    body = {**BODIES["person"], "requester": {"agency": "FBI"}}
    assert gateway.post("ICE-ERO", body).status_code == 403
    on_behalf = {**BODIES["person"], "id": "t-behalf", "on_behalf_of": "ICE-ERO"}
    answer = gateway.post("FBI", on_behalf).json()
    assert answer["decision"]["decision"] == "deny" and answer["decision"]["on_behalf_of"] == ["ICE-ERO"]
    assert "result" not in answer


def test_the_desk_names_the_requester_and_oversight_cannot_submit(gateway: Running) -> None:
    desk = gateway.post("desk", {**BODIES["warrant"], "requester": {"agency": "ISP", "officer": "desk 4"}})
    assert desk.status_code == 200 and desk.json()["decision"]["requester"] == "ISP"
    missing = gateway.post("desk", BODIES["warrant"])
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "requester"
    for role in ("oversight", "admin"):
        refused = gateway.post(role, BODIES["warrant"])
        assert refused.status_code == 403 and refused.json()["error"]["field"] == "Authorization"


def test_admin_endpoints_need_the_admin_role(gateway: Running) -> None:
    index = gateway.post("FBI", {**BODIES["warrant"], "id": "case-4411-carter"}).json()["log_index"]
    for who in ("FBI", "oversight", "desk"):
        assert gateway.get("/v1/admin/keys", who).status_code == 403
        assert gateway.get(f"/v1/admin/log/{index}", who).status_code == 403
    revealed = gateway.get(f"/v1/admin/log/{index}", "admin").json()
    assert revealed["clear"]["id"] == "case-4411-carter"
    assert revealed["clear"]["resource.search.name"] == "James Carter"
    public = gateway.get(f"/v1/audit/entries/{index}").text
    assert "James Carter" not in public and "case-4411-carter" not in public


def test_admin_issues_and_revokes_keys_stored_only_as_hashes(gateway: Running, tmp_path: Path) -> None:
    admin = {"Authorization": f"Bearer {gateway.key('admin')}"}
    issued = httpx.post(
        f"{gateway.url}/v1/admin/keys", json={"role": "agency", "agency": "Illinois State Police", "label": "ISP Zone 3"}, headers=admin
    )
    assert issued.status_code == 201
    new = issued.json()
    assert new["agency"] == "ISP"
    stored = Path(gateway.keys.path).read_text()
    assert new["key"] not in stored and new["key_id"] in stored
    listed = httpx.get(f"{gateway.url}/v1/admin/keys", headers=admin).json()
    assert any(k["key_id"] == new["key_id"] for k in listed) and all("sha256" not in k for k in listed)
    use = httpx.post(f"{gateway.url}/v1/requests", json=BODIES["warrant"], headers={"Authorization": f"Bearer {new['key']}"})
    assert use.json()["decision"]["requester"] == "ISP"
    assert httpx.delete(f"{gateway.url}/v1/admin/keys/{new['key_id']}", headers=admin).status_code == 204
    again = httpx.post(f"{gateway.url}/v1/requests", json=BODIES["warrant"], headers={"Authorization": f"Bearer {new['key']}"})
    assert again.status_code == 401
    bad = httpx.post(f"{gateway.url}/v1/admin/keys", json={"role": "agency", "agency": "Nowhere PD"}, headers=admin)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "agency"
    staff = httpx.post(f"{gateway.url}/v1/admin/keys", json={"role": "king"}, headers=admin)
    assert staff.status_code == 422 and staff.json()["error"]["field"] == "role"


def test_a_persons_own_request_is_bound_at_the_desk_never_by_a_key(gateway: Running) -> None:
    """docs/requests.md: no key speaks for SUBJECT-SELF; the desk enters the identity check."""
    admin = {"Authorization": f"Bearer {gateway.key('admin')}"}
    issued = httpx.post(f"{gateway.url}/v1/admin/keys", json={"role": "agency", "agency": "SUBJECT-SELF"}, headers=admin)
    assert issued.status_code == 422 and issued.json()["error"]["field"] == "agency"
    own = {**BODIES["person"], "id": "t-own", "requester": {"agency": "SUBJECT-SELF", "person_id": "P0000001"}}
    own["subject"] = {"person_id": "P0000001"}
    own["resource"] = {**own["resource"], "search": {"type": "person", "person_id": "P0000001"}}
    desk = gateway.post("desk", own).json()
    # chicago-2021 says nothing of a person's own request: the baseline refuses her, on the record
    assert desk["decision"]["decision"] == "deny" and desk["decision"]["requester"] == "SUBJECT-SELF" and "result" not in desk
    assert "P0000001" not in gateway.get(f"/v1/audit/entries/{desk['log_index']}").text
    assert gateway.gateway.log.get().reveal(desk["log_index"])["requester.person_id"] == "P0000001"
    unbound = gateway.post("desk", {**own, "id": "t-own-2", "requester": {"agency": "SUBJECT-SELF"}}).json()["decision"]
    assert unbound["decision"] == "deny" and unbound["error"].startswith("requester.person_id:")
    borrowed = gateway.post("FBI", {**own, "id": "t-own-3", "requester": {"person_id": "P0000001"}}).json()["decision"]
    assert borrowed["decision"] == "deny" and borrowed["error"].startswith("requester.person_id:")


def test_key_ring_file_round_trip_and_damage(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    ring = KeyRing(path)
    key, principal = ring.issue("oversight", None, "IG office")
    assert KeyRing(path).authenticate(key) == principal
    with pytest.raises(CredentialError):
        ring.issue("agency", None, "no agency named")
    path.write_text(json.dumps([{"key_id": "x"}]))
    with pytest.raises(CredentialError) as info:
        KeyRing(path)
    assert info.value.field == str(path)


def test_a_request_refused_as_unreadable_is_recorded_without_its_body(gateway: Running) -> None:
    before = log_size(gateway)
    response = gateway.post("FBI", {**BODIES["warrant"], "purpose": {"text": "x", "secret_note": "Maria Lopez"}})
    assert response.status_code == 422 and response.json()["error"]["field"] == "purpose.secret_note"
    index = response.json()["log_index"]
    assert index == before and log_size(gateway) == before + 1
    entry = gateway.gateway.log.get().entry(index)
    assert json.loads(entry)["kind"] == "refused" and b"Maria" not in entry


def test_an_agency_key_that_names_no_agency_is_refused_never_taken_for_a_desk_key(tmp_path: Path) -> None:
    key = demo_key("FBI")
    damaged = {"key_id": "demofbi", "role": "agency", "agency": None, "label": "damaged", "sha256": key_hash(key), "created": "2024-01-01"}
    (tmp_path / "keys.json").write_text(json.dumps([damaged]))
    keys = KeyRing(tmp_path / "keys.json")
    found = authenticate(keys, f"Bearer {key}", ("agency", "desk"))
    assert isinstance(found, Refusal) and found.status == 403 and found.field == "Authorization"
    assert found.headers is None  # a 403 carries no Bearer challenge; a 401 does
    assert authenticate(keys, None, ("agency",)) == Refusal(401, "missing; send Authorization: Bearer <key>")
    assert authenticate(keys, None, ("agency",)).headers == {"WWW-Authenticate": "Bearer"}  # type: ignore[union-attr]
