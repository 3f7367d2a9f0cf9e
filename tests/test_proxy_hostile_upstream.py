"""`sanctuary proxy` in front of a hostile department system, over real HTTP: a system that drifted
or was compromised hides withheld values in shapes the route map does not expect (an object where a
name should be, a repeated key, a key reached through a wildcard, NaN, nesting without end). Nothing
withheld may leave, and what the answer and the log say was withheld must be what was.

The property suite builds the system's JSON by construction: every value planted is a unique
sentinel, tagged with the category of the place it sits in, or "hidden" when it sits where no
category can leave (inside an object or array where the map places a scalar, under a name the map
does not write, in a field it does not place). Its oracle: a permitted answer carries no hidden
sentinel and none of a category the decision withholds, carries every sentinel of a category it
may carry, and its `X-Sanctuary-Withheld` (and the log's `withheld`) lists exactly the categories
taken out; an answer that cannot be read as one JSON value is withheld whole (502, `failure:
upstream`)."""

from __future__ import annotations

import asyncio
import itertools
import json
import socketserver
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from proxy_harness import Proxy, Served, serve, start_proxy
from sanctuary.audit import DecisionLog, open_log
from sanctuary.proxy.routes import parse

ROUTES = """
[[route]]
name = "hostile"
method = "GET"
path = "/hostile/{how}"
kind = "database_query"
search = { type = "person", person_id = "P0000001" }
[route.response]
root = "object"
record_id = "$.person_id"
[route.response.categories]
"$.person_id" = "record_number"
"$.first_name" = "person_name"
"$.aliases[*]" = "person_name"
"$.status.immigration_status" = "immigration_status"
"$.status.citizenship" = "citizenship"
"$.contacts[*].phone" = "phone"
"$.contacts[*].address" = "home_address"
"""
PURPOSE = {"X-Sanctuary-Purpose": "retail theft ring investigation"}
BODIES: dict[str, bytes] = {}  # what the system answers, by the {how} of the call


async def _answer(request: Request) -> Response:
    return Response(BODIES[request.path_params["how"]], media_type="application/json")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    home = tmp_path_factory.mktemp("hostile")
    patch = pytest.MonkeyPatch()
    patch.setenv("SANCTUARY_HOME", str(home))
    system: Served = serve(Starlette(routes=[Route("/hostile/{how}", _answer)]))
    proxy = start_proxy(home, system.url, parse(ROUTES))
    yield proxy
    proxy.served.stop()
    system.stop()
    patch.undo()


def call(proxy: Proxy, how: str, body: bytes | str) -> Any:
    BODIES[how] = body.encode() if isinstance(body, str) else body
    return proxy.call("FBI", f"/hostile/{how}", **PURPOSE)


def withheld_header(answer: Any) -> set[str]:
    return {c for c in answer.headers.get("X-Sanctuary-Withheld", "").split(", ") if c}


# -- the findings, one by one -----------------------------------------------------------------


def test_an_object_where_a_name_is_mapped_is_withheld_counted_and_said(hostile: Proxy) -> None:
    body = {"person_id": "P0000001", "first_name": {"immigration_status": "undocumented"}, "status": {"immigration_status": "undocumented"}}
    answer = call(hostile, "object", json.dumps(body))
    assert answer.status_code == 200, answer.text
    assert "undocumented" not in answer.text and answer.json() == {"person_id": "P0000001", "status": {}}
    assert withheld_header(answer) == {"immigration_status", "person_name"}
    item = hostile.protected(int(answer.headers["X-Sanctuary-Log-Index"]))["disclosed"][0]
    assert item["withheld"] == ["immigration_status", "person_name"] and item["nonscalar_removed"] == 1
    assert "person_name" not in item["fields"]


def test_an_array_where_a_name_is_mapped_is_withheld(hostile: Proxy) -> None:
    body = {"person_id": "P0000001", "first_name": ["Maria", "undocumented"], "aliases": ["M. Lopez", {"status": "undocumented"}]}
    answer = call(hostile, "array", json.dumps(body))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"person_id": "P0000001", "aliases": ["M. Lopez"]}
    assert withheld_header(answer) == {"person_name"}
    item = hostile.protected(int(answer.headers["X-Sanctuary-Log-Index"]))["disclosed"][0]
    assert item["nonscalar_removed"] == 2 and "person_name" in item["fields"]  # the one alias that is a name left


def test_a_name_reached_through_a_wildcard_does_not_leave(hostile: Proxy) -> None:
    body = {"person_id": "P0000001", "contacts": {"immigration status: undocumented": {"phone": "555"}}}
    answer = call(hostile, "wildcard", json.dumps(body))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"person_id": "P0000001", "contacts": {}}
    assert answer.headers["X-Sanctuary-Unmapped-Removed"] == "1"


@pytest.mark.parametrize(
    "raw, reason",
    [
        ('{"person_id": "P0000001", "status": {"immigration_status": "x", "immigration_status": "undocumented"}}', "repeats a key"),
        ('{"person_id": "P0000001", "first_name": "undocumented", "first_name": "Maria"}', "repeats a key"),
        ('{"person_id": "P0000001", "first_name": NaN}', "NaN"),
        ('{"person_id": "P0000001", "first_name": -Infinity}', "Infinity"),
        ('{"person_id": "P0000001", "first_name": 1e400}', "too large"),
        ('{"person_id": "P0000001", "x": ' + "[" * 100 + "]" * 100 + "}", "nested deeper"),
        ('{"person_id": "P0000001", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested deeper"),
    ],
    ids=["duplicate-nested", "duplicate-top", "nan", "infinity", "overflow", "deep", "very-deep"],
)
def test_an_answer_that_is_not_one_json_value_is_withheld_whole(hostile: Proxy, raw: str, reason: str) -> None:
    answer = call(hostile, "unreadable", raw)
    assert answer.status_code == 502, answer.text
    assert "undocumented" not in answer.text and "Maria" not in answer.text
    json.loads(answer.text)  # the proxy's own answer is JSON
    index = answer.json()["log_index"]
    assert hostile.entry(index)["failure"] == "upstream"  # the system's fault, not the store's
    protected = hostile.protected(index)
    assert reason in protected["error"] and "withheld whole" in protected["error"] and "disclosed" not in protected


def test_odd_numbers_that_are_json_pass_as_numbers(hostile: Proxy) -> None:
    body = '{"person_id": 12345678901234567890123, "first_name": -0.0, "aliases": [1e308, 5e-324, 0.1]}'
    answer = call(hostile, "numbers", body)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"person_id": 12345678901234567890123, "first_name": -0.0, "aliases": [1e308, 5e-324, 0.1]}


# -- the property suite -----------------------------------------------------------------------

Node = tuple[str, Any]  # ("obj", [(key, node)]), ("arr", [node]), ("raw", json text)


@dataclass
class Planted:
    """What the system's answer holds, and what the oracle expects of the proxy's."""

    counter: itertools.count = field(default_factory=itertools.count)
    by_category: dict[str, set[str]] = field(default_factory=dict)  # scalar sentinels at a place of a category
    hidden: set[str] = field(default_factory=set)  # sentinels where no category can leave
    placed: set[str] = field(default_factory=set)  # categories with a value at one of their places
    nonscalar: set[str] = field(default_factory=set)  # categories with an object or array at a place of theirs
    unreadable: bool = False

    def sentinel(self, category: str | None) -> str:
        value = f"zq{next(self.counter)}{(category or 'hidden')[:3]}qz"
        (self.by_category.setdefault(category, set()) if category else self.hidden).add(value)
        return value


def render(node: Node) -> str:
    kind, value = node
    if kind == "raw":
        return str(value)
    if kind == "arr":
        return "[" + ", ".join(render(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)}: {render(v)}" for k, v in value) + "}"


@st.composite
def hidden_value(draw: st.DrawFn, planted: Planted, depth: int = 0) -> Node:
    """Anything, every string in it (keys too) a hidden sentinel."""
    choice = draw(st.sampled_from(["str", "num", "obj", "arr"] if depth < 3 else ["str", "num"]))
    if choice == "str":
        return ("raw", json.dumps(planted.sentinel(None)))
    if choice == "num":
        return ("raw", json.dumps(draw(st.integers(-(10**6), 10**6) | st.floats(allow_nan=False, allow_infinity=False))))
    items = [draw(hidden_value(planted, depth + 1)) for _ in range(draw(st.integers(0, 2)))]
    if choice == "arr":
        return ("arr", items)
    return ("obj", [(planted.sentinel(None), item) for item in items])


@st.composite
def at_place(draw: st.DrawFn, planted: Planted, category: str) -> Node:
    """The value at a place the map gives `category`: a scalar of it, or a container hiding things."""
    planted.placed.add(category)
    choice = draw(st.sampled_from(["str", "str", "num", "bool", "null", "obj", "arr"]))
    if choice == "str":
        return ("raw", json.dumps(planted.sentinel(category)))
    if choice in ("num", "bool", "null"):
        value = {"num": draw(st.integers(-(10**20), 10**20)), "bool": draw(st.booleans()), "null": None}[choice]
        return ("raw", json.dumps(value))
    planted.nonscalar.add(category)
    inside = [draw(hidden_value(planted, 1)) for _ in range(draw(st.integers(0, 2)))]
    if choice == "arr":
        return ("arr", inside)
    keys = draw(
        st.lists(
            st.sampled_from(["immigration_status", "first_name", "phone", "x"]), unique=True, min_size=len(inside), max_size=len(inside)
        )
    )
    return ("obj", list(zip(keys, inside, strict=True)))


@st.composite
def answers(draw: st.DrawFn) -> tuple[str, Planted]:
    planted = Planted()
    members: list[tuple[str, Node]] = [("person_id", ("raw", '"P0000001"'))]
    if draw(st.booleans()):
        members.append(("first_name", draw(at_place(planted, "person_name"))))
    if draw(st.booleans()):
        status_members = [
            (k, draw(at_place(planted, c)))
            for k, c in (("immigration_status", "immigration_status"), ("citizenship", "citizenship"))
            if draw(st.booleans())
        ]
        if draw(st.booleans()):
            status_members.append((planted.sentinel(None), draw(hidden_value(planted, 1))))
        members.append(("status", ("obj", status_members)))
    if draw(st.booleans()):  # an array of names, or an object whose names are the system's (reached through [*])
        if draw(st.booleans()):
            members.append(("aliases", ("arr", [draw(at_place(planted, "person_name")) for _ in range(draw(st.integers(0, 3)))])))
        else:
            members.append(
                ("aliases", ("obj", [(planted.sentinel(None), draw(hidden_value(planted, 1))) for _ in range(draw(st.integers(0, 2)))]))
            )
    if draw(st.booleans()):
        contacts = []
        for _ in range(draw(st.integers(0, 2))):
            contact = [(k, draw(at_place(planted, c))) for k, c in (("phone", "phone"), ("address", "home_address")) if draw(st.booleans())]
            if draw(st.booleans()):
                contact.append((planted.sentinel(None), draw(hidden_value(planted, 1))))
            contacts.append(("obj", contact))
        members.append(("contacts", ("arr", contacts)))
    for name in draw(st.lists(st.sampled_from(["ssn", "notes", "hidden"]), unique=True, max_size=2)):  # fields the map does not place
        members.append((planted.sentinel(None) if name == "hidden" else name, draw(hidden_value(planted))))
    doc: Node = ("obj", members)
    trouble = draw(st.sampled_from([None] * 6 + ["duplicate", "nan", "infinity", "overflow", "deep"]))
    if trouble is not None:
        planted.unreadable = True
        doc = _spoil(doc, trouble, planted, draw(st.integers(0, 10**6)))
    return render(doc), planted


def _spoil(doc: Node, how: str, planted: Planted, seed: int) -> Node:
    """The answer with one thing that makes it not one JSON value, somewhere in it."""
    objects = [n for n in _nodes(doc) if n[0] == "obj" and n[1]]
    target = objects[seed % len(objects)]
    if how == "duplicate":  # the same key again, the last carrying something withheld
        key, _ = target[1][seed % len(target[1])]
        target[1].append((key, ("raw", json.dumps(planted.sentinel("immigration_status")))))
        return doc
    bad = {"nan": "NaN", "infinity": "Infinity", "overflow": "1e999", "deep": "[" * 70 + "]" * 70}[how]
    target[1].append((planted.sentinel(None), ("raw", bad)))
    return doc


def _nodes(node: Node) -> Iterator[Node]:
    yield node
    if node[0] == "obj":
        for _, child in node[1]:
            yield from _nodes(child)
    elif node[0] == "arr":
        for child in node[1]:
            yield from _nodes(child)


@pytest.fixture(scope="module")
def decisions(hostile: Proxy) -> Iterator[DecisionLog]:
    """The proxy's log, opened once (the suite reads an entry per example)."""
    opened = open_log(hostile.log_url)
    yield opened
    opened.close()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(answers())
def test_no_withheld_value_leaves_whatever_the_system_sends(hostile: Proxy, decisions: DecisionLog, drawn: tuple[str, Planted]) -> None:
    raw, planted = drawn
    answer = call(hostile, "prop", raw)
    index = int(answer.headers["X-Sanctuary-Log-Index"])
    entry = json.loads(decisions.entry(index))
    if planted.unreadable:
        assert answer.status_code == 502 and entry["failure"] == "upstream", answer.text
    else:
        assert answer.status_code == 200, answer.text
        assert {"immigration_status", "citizenship"} <= set(entry["redact"])  # the FBI may not have them: the suite tests something
    redact = set(entry["redact"])
    for sentinel in planted.hidden:
        assert sentinel not in answer.text
    for category, sentinels in planted.by_category.items():
        for sentinel in sentinels:  # a category it may carry, as a scalar where the map places it, leaves
            assert (sentinel in answer.text) == (answer.status_code == 200 and category not in redact), (category, sentinel)
    if answer.status_code != 200:
        return
    expected = (planted.placed & redact) | planted.nonscalar
    assert withheld_header(answer) == expected
    item = decisions.reveal(index)["disclosed"][0]
    assert set(item.get("withheld", [])) == expected


# -- a system that trickles -------------------------------------------------------------------
TRICKLED = json.dumps({"person_id": "P0000001", "first_name": "Maria", "pad": "x" * 40}).encode()


async def _trickle(request: Request) -> Response:
    async def body() -> AsyncIterator[bytes]:
        for i in range(len(TRICKLED)):
            await asyncio.sleep(0.25)
            yield TRICKLED[i : i + 1]

    return StreamingResponse(body(), media_type="application/json")


class HeaderTrickler(socketserver.ThreadingTCPServer):
    """Sends its status line, then its headers one byte every 0.25 s."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _HeaderTrickle)


class _HeaderTrickle(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.recv(65536)
        self.request.sendall(b"HTTP/1.1 200 OK\r\n")
        for byte in b"Content-Type: application/json\r\nX-Padding: " + b"p" * 60 + b"\r\n\r\n":
            time.sleep(0.25)
            try:
                self.request.sendall(bytes([byte]))
            except OSError:
                return


@pytest.mark.parametrize("where", ["body", "headers"])
def test_the_timeout_is_a_deadline_for_the_whole_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    if where == "body":
        system: Any = serve(Starlette(routes=[Route("/hostile/{how}", _trickle)]))
        url, stop = system.url, system.stop
    else:
        system = HeaderTrickler()
        threading.Thread(target=system.serve_forever, daemon=True).start()
        url, stop = f"http://127.0.0.1:{system.server_address[1]}", lambda: (system.shutdown(), system.server_close())
    proxy = start_proxy(tmp_path, url, parse(ROUTES), timeout=1.0)
    try:
        started = time.monotonic()
        answer = proxy.call("FBI", "/hostile/slow", **PURPOSE)
        took = time.monotonic() - started
        assert answer.status_code == 504, answer.text
        assert answer.json()["decision"]["failure"] == "upstream_timeout" and "Maria" not in answer.text
        assert took < 3.0, f"a 1 s deadline held the call {took:.1f} s"  # the trickle alone would take 15 s or more
    finally:
        proxy.served.stop()
        stop()
