"""The desk's held queue: kept once per reference, listed waiting first, resolved with the second decision."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from sanctuary.models import Decision, Held, parse_request
from sanctuary.web.held import HeldQueue
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
