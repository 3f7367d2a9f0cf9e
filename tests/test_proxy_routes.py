"""The route map: checked in full at start, every error naming the file, line and route; calls
matched to routes, and every call or parameter the map does not know refused."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctuary.models import Kind, RequestError
from sanctuary.proxy.guard import build_request
from sanctuary.proxy.routes import RouteMapError, load, parse
from sanctuary.proxy.target import BadTarget
from sanctuary.proxy.target import parse as parse_target

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "rms" / "routes.toml"

GOOD = """
system = "RMS"
[query]
purpose = "reason"

[[route]]
name = "person"
method = "GET"
path = "/persons/{person_id}"
kind = "database_query"
query = ["dob"]
search = { type = "person", person_id = "{person_id}", dob = "{dob}" }
[route.response]
root = "object"
record_id = "$.id"
[route.response.categories]
"$.id" = "record_number"
"$.name" = "person_name"
"$.status" = "immigration_status"
"""


def test_the_example_map_loads_and_places_every_category_it_names() -> None:
    routes = load(EXAMPLE)
    assert [r.name for r in routes.routes] == ["person", "custody", "warrants", "plate-reads"]
    person = routes.routes[0]
    assert {"immigration_status", "citizenship", "place_of_birth", "home_address"} <= person.response.carried()
    assert routes.routes[1].kind is Kind.custody_inquiry


def test_a_call_is_matched_with_its_parameters() -> None:
    routes = parse(GOOD)
    found = routes.match("GET", "/persons/P%2D1?dob=1988-03-14&reason=armed%20robbery")
    assert found.route.name == "person"
    assert found.params == {"person_id": "P-1", "dob": "1988-03-14"}
    assert found.purpose == {"purpose": "armed robbery"}
    assert routes.match("HEAD", "/persons/P1").route.name == "person"


@pytest.mark.parametrize(
    "method, uri",
    [
        ("GET", "/persons"),
        ("GET", "/persons/P1/photo"),
        ("POST", "/persons/P1"),
        ("DELETE", "/persons/P1"),
        ("GET", "/persons/P1?include=ssn"),  # a parameter the route does not take
        ("GET", "/persons/P1?dob=1&dob=2"),  # given twice
        ("GET", "/other/persons/P1"),
        ("GET", "/persons/P1%2Fcustody"),  # one segment here, two on a system that decodes it
        ("GET", "/persons/P1%252Fcustody"),  # decoded twice
        ("GET", "/persons/%2E%2E"),
        ("GET", "/persons/.."),
        ("GET", "/persons/P1%5Ccustody"),
        # read by some system as another call than the one decided (proxy.target)
        ("GET", "/persons/P1#/custody"),  # dropped by the system: served as /persons/P1
        ("GET", "/persons/P1;/custody"),  # a path parameter, stripped by some
        ("GET", "/persons/P1/custody;x"),
        ("GET", "/persons/P1%3B/custody"),
        ("GET", "/persons/P1/%2e"),
        ("GET", "/persons//P1"),
        ("GET", "/persons/P1/"),
        ("GET", "/persons/P1/./custody"),
        ("GET", "/persons/P1%00"),
        ("GET", "/persons/P1%23/custody"),
        ("GET", "/persons/P1%3Fx=1"),
        ("GET", "/persons/P1 /custody"),
        ("GET", "/persons/P1\tx"),
        ("GET", "/persons/P\u0131"),  # non-ASCII, raw
        ("GET", "/persons/P1%FF"),  # not UTF-8
        ("GET", "/persons/P1%G1"),
        ("GET", "/persons/P1%2"),
        ("GET", "/persons/P1<x>"),
        ("GET", "/persons/P1?dob=1;dob=2"),
        ("GET", "/persons/P1?dob=%FF"),
        ("GET", "/persons/P1?dob=1#x"),
        ("GET", "http://rms/persons/P1"),  # absolute form
        ("GET", "*"),
    ],
)
def test_calls_the_map_does_not_know_are_refused(method: str, uri: str) -> None:
    with pytest.raises(RequestError) as caught:
        parse(GOOD).match(method, uri)
    assert "P1" not in str(caught.value) and "ssn" not in str(caught.value)  # refusals are recorded in public


@pytest.mark.parametrize(
    "uri, target, person",
    [
        ("/persons/%50%31", "/persons/P1", "P1"),  # encoded unreserved characters mean themselves
        ("/persons/P%7e1?dob=%31", "/persons/P~1?dob=%31", "P~1"),
        ("/persons/Jos%c3%a9", "/persons/Jos%C3%A9", "José"),
        ("/persons/P1?dob=1988-03-14", "/persons/P1?dob=1988-03-14", "P1"),
    ],
)
def test_a_call_is_decided_and_forwarded_as_the_system_reads_it(uri: str, target: str, person: str) -> None:
    found = parse(GOOD).match("GET", uri)
    assert found.target == target and found.params["person_id"] == person


def test_the_request_is_built_from_the_route_key_and_headers() -> None:
    found = parse(GOOD).match("GET", "/persons/P1?dob=1988-03-14")
    headers = {"x-sanctuary-purpose": "armed robbery investigation", "x-sanctuary-case-number": "HX-1", "x-sanctuary-on-behalf-of": "FBI"}
    request = build_request(found, "ISP", headers, "px-1")
    assert request.requester.agency == "ISP"
    assert request.kind is Kind.database_query and request.resource.system == "RMS"
    assert request.resource.search is not None and request.resource.search.person_id == "P1"
    assert request.resource.search.dob == "1988-03-14"
    assert request.purpose.text == "armed robbery investigation" and request.purpose.case_number == "HX-1"
    assert request.on_behalf_of == "FBI"


def test_without_a_purpose_the_purpose_is_undeclared() -> None:
    request = build_request(parse(GOOD).match("GET", "/persons/P1"), "FBI", {}, "px-2")
    assert request.purpose.text is None and request.purpose.category is None


def test_a_purpose_given_two_ways_that_disagree_is_an_error() -> None:
    found = parse(GOOD).match("GET", "/persons/P1?reason=a")
    with pytest.raises(ValueError, match="x-sanctuary-purpose"):
        build_request(found, "FBI", {"x-sanctuary-purpose": "b"}, "px-3")


BAD = [
    ('name = "x"\n', "unknown key"),
    ("[[route]]\nname = 'a'\n", "method"),
    (GOOD.replace('method = "GET"', 'method = "POST"'), "only GET, HEAD"),
    (GOOD.replace('kind = "database_query"', 'kind = "lookup"'), "kind"),
    (GOOD.replace('"$.status" = "immigration_status"', '"$.status" = "status"'), "a group: name its leaves"),
    (GOOD.replace('"$.status" = "immigration_status"', '"$.status" = "immigration"'), "not a leaf data category"),
    (GOOD.replace('"$.name" =', '"$.name[" ='), "JSONPath"),
    (GOOD.replace('"$.name" =', '"name" ='), "not a JSONPath"),
    (GOOD.replace('dob = "{dob}"', 'dob = "{birth}"'), "no path parameter"),
    (GOOD.replace('type = "person"', 'type = "everything"'), "search type"),
    (GOOD.replace('root = "object"', 'root = "text"'), "object or array"),
    (
        GOOD
        + '\n[[route]]\nname = "person"\nmethod = "GET"\npath = "/x"\nkind = "database_query"\n[route.response]\n[route.response.categories]\n"$.a" = "sex"\n',
        "used by an earlier route",
    ),
    (GOOD.replace("[query]\npurpose", "[query]\nreason"), "query"),
    ("not toml [", "not TOML"),
    (GOOD + '[facts]\npath = "/p/{person_id}"\ngang = "$.g"\n', "unknown fact about a subject"),
    (GOOD + '[facts]\npath = "/p/{ssn}"\ngang_member = "$.g"\n', "only the subject's"),
    (GOOD + '[facts]\npath = "/p/{person_id}"\n', "names no carve-out"),
]


@pytest.mark.parametrize("text, expected", BAD)
def test_a_bad_map_is_refused_at_start_naming_what(text: str, expected: str) -> None:
    with pytest.raises(RouteMapError) as caught:
        parse(text, "routes.toml")
    assert expected in str(caught.value)
    assert caught.value.field.startswith("routes.toml")


def test_an_error_names_the_line_and_the_route(tmp_path: Path) -> None:
    second = '\n[[route]]\nname = "second"\nmethod = "GET"\npath = "/b"\nkind = "custody_inquiry"\nfields = ["shoe_size"]\n'
    path = tmp_path / "routes.toml"
    path.write_text(GOOD + second + '[route.response]\n[route.response.categories]\n"$.a" = "sex"\n')
    line = (GOOD + second).splitlines().index("[[route]]", 10) + 1
    with pytest.raises(RouteMapError) as caught:
        load(path)
    assert caught.value.field == f"{path}:{line} (route 'second')"
    assert "custody topics" in caught.value.reason


TARGET_CHARS = st.sampled_from([*"/?#;%.&=+ \t\\aFé", "P0000001", "%2F", "%2e", "%3B", "%41", "%7e", "%C3%A9", "%FF", "%00", "%G"])


@settings(max_examples=400, deadline=None)
@given(raw=st.lists(TARGET_CHARS, max_size=12).map(lambda parts: "/" + "".join(parts)))
def test_a_target_taken_is_one_every_system_reads_alike(raw: str) -> None:
    """Whatever the caller writes, a target `proxy.target` takes is normalised (taking it again
    changes nothing), RFC 3986 characters only, and has no segment systems resolve differently."""
    try:
        target = parse_target(raw)
    except BadTarget as refused:
        assert refused.field == "target" and "P0000001" not in refused.reason  # refusals are recorded in public
        return
    assert parse_target(str(target)) == target
    assert "#" not in str(target) and ";" not in target.path and all(c.isascii() and c.isprintable() and c != " " for c in str(target))
    segments = target.path.split("/")[1:]
    assert target.path == "/" or all(s not in ("", ".", "..") for s in segments)
    for segment in segments:
        assert not {"/", "\\", ";", "?", "#", "%"} & set(unquote(segment, errors="strict")), segment
