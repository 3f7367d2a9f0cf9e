"""The held queue: every held request, from the desk or the API, kept once per reference, listed waiting
first, resolved at the desk with a second decision linked to the first."""

from __future__ import annotations

import html
import json
import re
import sqlite3
from pathlib import Path

from fastapi.testclient import TestClient

from sanctuary.gateway.held import HeldQueue
from sanctuary.models import Decision, Held, parse_request
from test_web_pages import desk_post
from web_app import csrf_of, make_site  # noqa: F401 - fixture

REQUEST = parse_request(
    '{"id": "desk-1", "kind": "detention_hold", "requester": {"agency": "USMS"}, "subject": {"name": "James Carter"},'
    ' "documents": [{"type": "judicial_warrant", "court": "U.S. District Court", "number": "W-1"}]}'
)


def held_decision(reference: str, index: int) -> Decision:
    return Decision(
        id="desk-1",
        decision="deny",
        citations=["MCC 2-173-020(a)(1)"],
        explanation="Held: the warrant must be verified.",
        profiles=["chicago-2021"],
        policy_hash="x",
        log_index=index,
        held=Held(reason="verification_required", reference=reference, lifts=["chicago-2021:020-a1-detention"]),
    )


def test_held_requests_wait_and_are_resolved_once(tmp_path: Path) -> None:
    queue = HeldQueue(tmp_path / "held.db")
    first = queue.add(REQUEST, held_decision("H-1", 4), "desk", "desk")
    assert queue.add(REQUEST, held_decision("H-1", 4), "desk", "desk") == first and queue.waiting() == 1
    queue.add(REQUEST, held_decision("H-2", 5), "key usms", "api")
    item = queue.get("H-1")
    assert item is not None and item.request == REQUEST and item.log_index == 4 and "verified" in item.reason
    assert item.channel == "desk" and queue.get("H-2").channel == "api" and queue.get("H-2").entered_by == "key usms"
    resolution = held_decision("H-1", 9).model_copy(update={"decision": "permit", "held": None})
    queue.resolve("H-1", resolution, "desk")
    done = queue.get("H-1")
    assert done is not None and done.resolved_index == 9 and done.resolved_outcome == "permit"
    assert done.request is None  # the request as entered is not kept once resolved
    assert [i.reference for i in queue.items()] == ["H-2", "H-1"]  # waiting first
    queue.resolve("H-1", held_decision("H-1", 10), "someone else")  # a second resolution changes nothing
    assert queue.get("H-1").resolved_index == 9
    reopened = HeldQueue(tmp_path / "held.db")
    assert reopened.waiting() == 1


def test_a_queue_kept_before_api_holds_were_queued_opens_with_its_items_from_the_desk(tmp_path: Path) -> None:
    path = tmp_path / "desk-held.db"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE held (reference TEXT PRIMARY KEY, at TEXT NOT NULL, entered_by TEXT NOT NULL, log_index INTEGER,"
        " request TEXT, decision TEXT NOT NULL, resolved_at TEXT, resolved_by TEXT, resolved_index INTEGER, resolved_outcome TEXT)"
    )
    old.execute(
        "INSERT INTO held (reference, at, entered_by, log_index, request, decision) VALUES (?, ?, ?, ?, ?, ?)",
        ("H-old", "2026-11-01T10:00:00+00:00", "desk", 3, REQUEST.model_dump_json(), held_decision("H-old", 3).model_dump_json()),
    )
    old.commit()
    old.close()
    queue = HeldQueue(path)
    kept = queue.get("H-old")
    assert kept is not None and kept.channel == "desk" and kept.request == REQUEST and queue.waiting() == 1
    queue.add(REQUEST.model_copy(update={"id": "api-2"}), held_decision("H-new", 7), "key usms", "api")
    assert [(i.reference, i.channel) for i in queue.items()] == [("H-old", "desk"), ("H-new", "api")]


def test_the_held_queue_pages_are_for_the_desk(make_site) -> None:
    site = make_site()
    desk = site.client("desk")
    empty = desk.get("/desk/held")
    assert empty.status_code == 200 and "0 waiting" in empty.text and "No request is held" in empty.text
    assert site.client("oversight").get("/desk/held").status_code == 403
    assert desk.get("/desk/held/H-nothing").status_code == 404
    site.app.state.gateway.held.add(REQUEST, held_decision("H-abc", 0), "desk", "desk")
    listed = desk.get("/desk/held").text
    assert "1 waiting" in listed and 'href="/desk/held/H-abc"' in listed and "by desk, at the desk" in listed
    item = html.unescape(desk.get("/desk/held/H-abc").text)
    assert "James Carter" in item and "U.S. District Court" in item and "log entry 0" in item


HELD_QUERY = {  # ICE-ERO asks for a person's record on a court order it describes: held until the order is verified
    "channel": "phone",
    "agency": "ICE-ERO",
    "kind": "database_query",
    "purpose_category": "criminal",
    "purpose_text": "retail theft ring",
    "subject_person_id": "P0000001",
    "search_type": "person",
    "doc1_type": "court_order",
    "doc1_court": "Circuit Court of Cook County",
    "doc1_signed_by": "Judge A. Novak",
}


def test_an_officer_resolves_a_held_request_with_a_linked_second_decision(make_site) -> None:
    site = make_site()
    desk = site.client("desk")
    first = desk_post(desk, HELD_QUERY)
    assert "ON HOLD" in first.text and "cannot act on this request" in first.text
    reference = re.search(r'href="/desk/held/(H-[0-9a-f]+)"', first.text).group(1)
    log = site.app.state.gateway.log.get()
    assert log.size() == 1
    page = desk.get(f"/desk/held/{reference}")
    assert "Circuit Court of Cook County" in page.text and 'id="verified_0"' in page.text
    unticked = desk.post(f"/desk/held/{reference}", data={"csrf": csrf_of(page.text), "how": "called the clerk"})
    assert unticked.status_code == 422 and "tick each document" in unticked.text and log.size() == 1
    resolved = desk.post(
        f"/desk/held/{reference}",
        data={"csrf": csrf_of(page.text), "verified_0": "1", "how": "called the clerk of the Circuit Court; order confirmed"},
    )
    assert resolved.status_code == 303 and log.size() == 2
    result = html.unescape(desk.get(resolved.headers["location"]).text)
    assert "ALLOWED" in result and f'resolves held request <a href="/desk/held/{reference}">' in result and "log entry 0" in result
    say = re.search(r'<blockquote class="say">(.*?)</blockquote>', result, re.S).group(1)
    assert "custody_facility" not in say and "Facility where held" in say  # withheld items in plain words
    assert desk.get(resolved.headers["location"]).status_code == 200 and log.size() == 2  # a reload records nothing
    again = desk.post(f"/desk/held/{reference}", data={"csrf": csrf_of(page.text), "verified_0": "1", "how": "twice"})
    assert again.status_code == 303 and log.size() == 2  # resolved once only
    done = html.unescape(desk.get(f"/desk/held/{reference}").text)
    assert "Resolved" in done and "log entry 1" in done and "0 waiting" in desk.get("/desk/held").text
    second = json.loads(log.entry(1))
    assert second["decision"] == "permit"


API_HELD_QUERY = {  # HELD_QUERY as an agency's system sends it to POST /v1/requests
    "id": "ice-api-7",
    "kind": "database_query",
    "requester": {"agency": "ICE-ERO"},
    "purpose": {"category": "criminal", "text": "retail theft ring"},
    "subject": {"person_id": "P0000001"},
    "resource": {"search": {"type": "person"}},
    "documents": [{"type": "court_order", "court": "Circuit Court of Cook County", "signed_by": "Judge A. Novak"}],
}


def test_a_request_held_through_the_api_waits_in_the_same_queue_and_is_resolved_the_same_way(make_site) -> None:
    site = make_site()
    key = "sk_iceero_" + "i" * 32
    site.keys.add(key, "agency", "ICE-ERO", "ICE-ERO records system")
    answered = TestClient(site.app).post("/v1/requests", json=API_HELD_QUERY, headers={"Authorization": f"Bearer {key}"})
    body = answered.json()
    assert answered.status_code == 403 and "result" not in body  # held: nothing disclosed
    reference = body["decision"]["held"]["reference"]
    assert body["decision"]["held"]["reason"] == "verification_required" and body["log_index"] == 0
    log = site.app.state.gateway.log.get()
    first = json.loads(log.entry(0))
    assert first["decision"] == "deny" and first["held"]["reason"] == "verification_required"
    assert log.reveal(0)["held.reference"] == reference and "disclosed" not in log.reveal(0)  # nothing handed out

    desk = site.client("desk")
    listed = desk.get("/desk/held").text
    assert "1 waiting" in listed and f'href="/desk/held/{reference}"' in listed and "by key iceero, through the API" in listed
    page = desk.get(f"/desk/held/{reference}")
    shown = html.unescape(page.text)
    assert "Circuit Court of Cook County" in shown and "through the API" in shown and "log entry 0" in shown
    resolved = desk.post(
        f"/desk/held/{reference}",
        data={"csrf": csrf_of(page.text), "verified_0": "1", "how": "called the clerk of the Circuit Court; order confirmed"},
    )
    assert resolved.status_code == 303 and log.size() == 2
    result = html.unescape(desk.get(resolved.headers["location"]).text)
    assert "ALLOWED" in result and f'resolves held request <a href="/desk/held/{reference}">' in result
    second = json.loads(log.entry(1))
    assert second["decision"] == "permit" and second["resolves"] == first["held"]["ref"]  # linked to the held decision
    assert log.reveal(1)["resolves"] == reference and log.reveal(1)["disclosed"]
    done = html.unescape(desk.get(f"/desk/held/{reference}").text)
    assert "Resolved" in done and "log entry 1" in done and "0 waiting" in desk.get("/desk/held").text
    looked_up = TestClient(site.app).get("/v1/decisions/ice-api-7", headers={"Authorization": f"Bearer {key}"}).json()
    assert looked_up["log_index"] == 1 and looked_up["decision"]["decision"] == "permit"  # the agency sees the outcome


def test_a_resolution_that_fails_closed_leaves_the_request_waiting(make_site) -> None:
    site = make_site()
    site.api({**API_HELD_QUERY, "id": "desk-key-3"})
    gateway = site.app.state.gateway
    (item,) = gateway.held.items()
    assert item.channel == "api" and item.entered_by.startswith("key ") and item.request is not None
    desk = site.client("desk")
    page = desk.get(f"/desk/held/{item.reference}")
    gateway.store.get = lambda: (_ for _ in ()).throw(RuntimeError("store down"))  # the permit cannot be fulfilled
    failed = desk.post(f"/desk/held/{item.reference}", data={"csrf": csrf_of(page.text), "verified_0": "1", "how": "called the clerk"})
    assert failed.status_code == 303
    recorded = json.loads(gateway.log.get().entry(1))
    assert recorded["decision"] == "deny" and recorded["failure"] == "store" and "resolves" in recorded
    still = gateway.held.get(item.reference)
    assert still is not None and still.resolved_at is None and still.request is not None and gateway.held.waiting() == 1
