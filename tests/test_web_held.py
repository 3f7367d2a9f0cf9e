"""The desk's held queue: kept once per reference, listed waiting first, resolved with the second decision."""

from __future__ import annotations

import html
from pathlib import Path

from sanctuary.models import Decision, Held, parse_request
from sanctuary.web.held import HeldQueue
from web_app import make_site  # noqa: F401 - fixture

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
    first = queue.add(REQUEST, held_decision("H-1", 4), "desk")
    assert queue.add(REQUEST, held_decision("H-1", 4), "desk") == first and queue.waiting() == 1
    queue.add(REQUEST, held_decision("H-2", 5), "desk")
    item = queue.get("H-1")
    assert item is not None and item.request == REQUEST and item.log_index == 4 and "verified" in item.reason
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


def test_the_held_queue_pages_are_for_the_desk(make_site) -> None:
    site = make_site()
    desk = site.client("desk")
    empty = desk.get("/desk/held")
    assert empty.status_code == 200 and "0 waiting" in empty.text and "No request is held" in empty.text
    assert site.client("oversight").get("/desk/held").status_code == 403
    assert desk.get("/desk/held/H-nothing").status_code == 404
    site.app.state.pages.held.add(REQUEST, held_decision("H-abc", 0), "desk")
    listed = desk.get("/desk/held").text
    assert "1 waiting" in listed and 'href="/desk/held/H-abc"' in listed
    item = html.unescape(desk.get("/desk/held/H-abc").text)
    assert "James Carter" in item and "U.S. District Court" in item and "log entry 0" in item
