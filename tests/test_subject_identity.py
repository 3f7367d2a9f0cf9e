"""One subject per request (issue 25): who a request is about is resolved once (`policy.facts.subject_of`)
and used by the facts lookup, the records fetch and the log's sealed record. A request whose subject
and search (or, in the proxy, the path parameter) name different people is refused, the error naming
both fields, and recorded: before, under chicago-2012, ICE-ERO naming P0000002 (an active warrant: a
carve-out) as the subject and P0000001 in the search got P0000001's booking. Where facts about the
person decide, a request that could reach more than one person is refused too: a subject and a search
sharing no identifier, a name alone, a name and date of birth the records know for several people."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert

from conftest import registry, request
from gateway_harness import start
from proxy_harness import demo_rms, start_proxy
from sanctuary.models import Failure, RequestError, parse_request
from sanctuary.pipeline import Pipeline
from sanctuary.policy.engine import PolicyEngine
from sanctuary.policy.facts import Identity, subject_of
from sanctuary.policy.profiles import available
from sanctuary.proxy.routes import parse
from sanctuary.records import open_store
from sanctuary.records.demo import fill
from sanctuary.records.facts import StoreFacts
from sanctuary.records.schema import Person

MARIA, JAMES = "P0000001", "P0000002"  # demo store: no carve-out; an active criminal warrant
# Every profile whose rules read facts about the person (the carve-outs, a felony conviction).
READS_FACTS = [p for p in available() if PolicyEngine.load([p], registry()).reads_subject]


def _parsed(**fields) -> object:
    return parse_request(request("custody_inquiry", "ICE-ERO", **fields))


def test_the_profiles_whose_rules_read_facts() -> None:
    assert {"chicago-2012", "california"} <= set(READS_FACTS)


@pytest.mark.parametrize(
    ("subject", "search", "who"),
    [
        ({"person_id": JAMES}, None, Identity(person_id=JAMES)),
        ({}, {"type": "custody", "person_id": MARIA}, Identity(person_id=MARIA)),
        ({"person_id": MARIA}, {"type": "custody", "person_id": MARIA, "name": "Maria Lopez"}, Identity(MARIA, "Maria Lopez")),
        (
            {"name": "maria  LOPEZ", "dob": "1988-03-14"},
            {"type": "person", "name": "Maria Lopez"},
            Identity(None, "Maria Lopez", "1988-03-14"),
        ),
        ({"person_id": JAMES}, {"type": "plate", "plate": "ABC123"}, Identity(person_id=JAMES)),  # a plate names no person
    ],
)
def test_one_person_named_in_one_or_both_places(subject, search, who) -> None:
    resource = {"search": search} if search else {}
    assert subject_of(_parsed(subject=subject, resource=resource)) == who


@pytest.mark.parametrize(
    ("subject", "search"),
    [
        ({"person_id": JAMES}, {"type": "custody", "person_id": MARIA}),
        ({"name": "James Carter"}, {"type": "person", "name": "Maria Lopez"}),
        ({"name": "Maria Lopez", "dob": "1979-11-02"}, {"type": "person", "name": "Maria Lopez", "dob": "1988-03-14"}),
    ],
)
def test_two_people_are_refused_naming_both_fields(subject, search) -> None:
    with pytest.raises(RequestError) as caught:
        subject_of(_parsed(subject=subject, resource={"search": search}))
    assert caught.value.field == "subject, resource.search"
    assert "do not name the same person" in caught.value.reason


def test_places_sharing_no_identifier_are_taken_together_where_no_facts_decide() -> None:
    """Each identifier narrows the search: the records are of a person who is both."""
    apart = _parsed(subject={"person_id": JAMES}, resource={"search": {"type": "person", "name": "Maria Lopez", "dob": "1988-03-14"}})
    assert subject_of(apart) == Identity(JAMES, "Maria Lopez", "1988-03-14")
    assert subject_of(_parsed(subject={"name": "Maria Lopez"})) == Identity(name="Maria Lopez")


@pytest.mark.parametrize(
    ("subject", "search", "field"),
    [
        ({"person_id": JAMES}, {"type": "person", "name": "Maria Lopez"}, "subject, resource.search"),
        ({"person_id": JAMES}, {"type": "person", "name": "Maria Lopez", "dob": "1988-03-14"}, "subject, resource.search"),
        ({"name": "Maria Lopez"}, {"type": "custody", "person_id": MARIA}, "subject, resource.search"),
        ({"name": "Maria Lopez"}, None, "subject"),
        ({}, {"type": "person", "name": "Maria Lopez"}, "resource.search"),
        ({"name": "Maria Lopez"}, {"type": "person", "name": "maria lopez"}, "subject, resource.search"),
    ],
)
def test_where_facts_decide_a_request_that_could_reach_several_people_is_refused(subject, search, field) -> None:
    parsed = _parsed(subject=subject, resource={"search": search} if search else {})
    subject_of(parsed)  # taken together where no facts decide
    with pytest.raises(RequestError) as caught:
        subject_of(parsed, facts_decide=True)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("subject", "search"),
    [
        ({"person_id": MARIA}, {"type": "custody", "person_id": MARIA, "name": "Maria Lopez"}),
        ({"name": "Maria Lopez", "dob": "1988-03-14"}, None),
        ({"name": "Maria Lopez"}, {"type": "person", "name": "Maria Lopez", "dob": "1988-03-14"}),
    ],
)
def test_where_facts_decide_one_person_named_alike_is_decided(subject, search) -> None:
    parsed = _parsed(subject=subject, resource={"search": search} if search else {})
    assert subject_of(parsed, facts_decide=True) == subject_of(parsed)


def test_at_the_department_s_own_tool_the_subject_is_its_statement_of_who_the_person_is() -> None:
    """`sanctuary decide`: the department names the subject itself, so a search by name and date of
    birth beside it is taken with it; the same request from outside is refused."""
    apart = parse_request(
        request(
            "database_query",
            "ICE-ERO",
            subject={"person_id": JAMES},
            resource={"search": {"type": "person", "name": "James Carter", "dob": "1979-11-02"}},
        )
    )
    engine = PolicyEngine.load(["chicago-2012"], registry())
    assert Pipeline(engine, trusted=True).decide(apart).failure is None
    outside = Pipeline(engine).decide(apart)
    assert outside.failure == Failure.input and outside.error is not None and "share no identifier" in outside.error


def _twin_of_maria(url: str) -> None:
    """A second person with Maria Lopez's name and date of birth in the store at `url`."""
    records = open_store(url)
    with records.connect() as connection:
        values = {"first_name": "Maria", "last_name": "Lopez", "name_key": "lopez maria", "date_of_birth": date(1988, 3, 14)}
        connection.execute(insert(Person).values(person_id="P0009999", sex="F", ir_number="IR-TWIN-1", **values))
    records.close()


@pytest.mark.parametrize("profile", READS_FACTS)
def test_where_facts_decide_a_name_and_dob_the_records_know_for_two_people_is_refused(profile: str, tmp_path: Path) -> None:
    url = str(tmp_path / "records.db")
    records = open_store(url)
    fill(records, persons=10, seed=3)
    records.close()
    by_name = parse_request(request("custody_inquiry", "ICE-ERO", subject={"name": "Maria Lopez", "dob": "1988-03-14"}))
    engine = PolicyEngine.load([profile], registry())
    store = open_store(url)
    try:
        one = Pipeline(engine, facts=StoreFacts(lambda: store)).decide(by_name)
        assert one.failure is None and "subject found" in one.facts_source
        _twin_of_maria(url)
        two = Pipeline(engine, facts=StoreFacts(lambda: store)).decide(by_name)
    finally:
        store.close()
    assert two.decision == "deny" and two.failure == Failure.input
    assert two.error is not None and two.error.startswith("subject:") and "more than one person" in two.error


LEAK = {
    "id": "t-leak",
    "kind": "custody_inquiry",
    "purpose": {"text": "custody check", "category": "civil_immigration"},
    "subject": {"person_id": JAMES},
    "resource": {"fields": ["custody_status", "release_date"], "search": {"type": "custody", "person_id": MARIA}},
}


@pytest.mark.parametrize("profile", READS_FACTS)
def test_over_http_the_gateway_refuses_a_subject_and_a_search_naming_two_people(
    profile: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    running = start(tmp_path, str(tmp_path / "records.db"), str(tmp_path / "log.db"), profiles=[profile])
    try:
        log = running.gateway.log.get()
        before = log.size()
        response = running.post("ICE-ERO", LEAK)
        assert response.status_code in (403, 422), response.text
        body = response.text
        assert "result" not in response.json() and "booking" not in body and 'release_date": "20' not in body
        assert "subject" in body and "resource.search" in body and "do not name the same person" in body
        assert log.size() == before + 1  # refused and recorded
        one = {**LEAK, "id": "t-one", "purpose": {"text": "robbery", "category": "criminal"}, "subject": {"person_id": MARIA}}
        same = running.post("FBI", one)
        assert same.status_code in (200, 403), same.text  # one person: decided as the law says
        assert log.size() == before + 2
        sealed = log.reveal(same.json()["log_index"])  # the person decided about, in the sealed record only
        assert sealed["identity.person_id"] == MARIA and MARIA not in log.entry(same.json()["log_index"]).decode()
    finally:
        running.stop()


MISMATCHED_ROUTES = """
system = "RMS"
[facts]
path = "/persons/{person_id}/facts"
outstanding_criminal_warrant = "$.active_criminal_warrant"
gang_member = "$.gang_database"

[[route]]
name = "person"
method = "GET"
path = "/persons/{person_id}"
kind = "database_query"
query = ["about"]
search = { type = "person", person_id = "{person_id}" }
subject = { person_id = "{about}" }
[route.response]
root = "object"
record_id = "$.person_id"
[route.response.categories]
"$.person_id" = "record_number"
"$.first_name" = "person_name"
"$.last_name" = "person_name"
"$.contacts[*].address" = "home_address"
"""


@pytest.mark.parametrize("profile", READS_FACTS)
def test_over_http_the_proxy_refuses_a_path_parameter_and_a_subject_naming_two_people(
    profile: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    rms = demo_rms()
    proxy = start_proxy(tmp_path, rms.url, parse(MISMATCHED_ROUTES, "routes.toml"), profiles=[profile])
    try:
        before = proxy.size()
        response = proxy.call("ICE-ERO", f"/persons/{MARIA}?about={JAMES}", **{"X-Sanctuary-Purpose": "locate"})
        assert response.status_code in (403, 422), response.text
        assert "subject" in response.text and "resource.search" in response.text
        assert "first_name" not in response.text
        assert proxy.size() == before + 1  # refused and recorded
        entry = proxy.entry(before)
        assert entry["decision"] == "deny" and entry.get("failure") == "input"
    finally:
        proxy.served.stop()
        rms.stop()


@pytest.mark.parametrize("profile", READS_FACTS)
def test_over_http_where_facts_decide_the_gateway_refuses_a_subject_and_a_search_sharing_no_identifier(
    profile: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    running = start(tmp_path, str(tmp_path / "records.db"), str(tmp_path / "log.db"), profiles=[profile])
    try:
        log = running.gateway.log.get()
        before = log.size()
        apart = {
            "id": "t-apart",
            "kind": "database_query",
            "purpose": {"text": "robbery investigation", "category": "criminal"},
            "subject": {"person_id": JAMES},
            "resource": {"search": {"type": "person", "name": "Maria Lopez", "dob": "1988-03-14"}},
        }
        response = running.post("FBI", apart)
        assert response.status_code in (403, 422), response.text
        assert "subject, resource.search: " in response.text and "share no identifier" in response.text
        assert "result" not in response.json() and "first_name" not in response.text
        assert log.size() == before + 1  # refused and recorded
    finally:
        running.stop()


NAMED_ROUTES = """
system = "RMS"
[facts]
path = "/persons/{person_id}/facts"
outstanding_criminal_warrant = "$.active_criminal_warrant"
gang_member = "$.gang_database"

[[route]]
name = "by-name"
method = "GET"
path = "/people/{name}"
kind = "database_query"
search = { type = "person", name = "{name}" }
[route.response]
root = "object"
record_id = "$.person_id"
[route.response.categories]
"$.person_id" = "record_number"
"$.first_name" = "person_name"
"$.last_name" = "person_name"

[[route]]
name = "person"
method = "GET"
path = "/persons/{person_id}"
kind = "database_query"
query = ["name"]
search = { type = "person", person_id = "{person_id}" }
subject = { name = "{name}" }
[route.response]
root = "object"
record_id = "$.person_id"
[route.response.categories]
"$.person_id" = "record_number"
"$.first_name" = "person_name"
"$.last_name" = "person_name"
"""


@pytest.mark.parametrize("profile", READS_FACTS)
def test_over_http_where_facts_decide_the_proxy_refuses_a_name_alone_and_a_path_parameter_sharing_no_identifier(
    profile: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    rms = demo_rms()
    proxy = start_proxy(tmp_path, rms.url, parse(NAMED_ROUTES, "routes.toml"), profiles=[profile])
    try:
        for path, field in (
            ("/people/Maria%20Lopez", "resource.search"),
            (f"/persons/{JAMES}?name=Maria%20Lopez", "subject, resource.search"),
        ):
            before = proxy.size()
            response = proxy.call("FBI", path, **{"X-Sanctuary-Purpose": "robbery investigation"})
            assert response.status_code in (403, 422), response.text
            assert field in response.text and "first_name" not in response.text
            assert proxy.size() == before + 1  # refused and recorded
            entry = proxy.entry(before)
            assert entry["decision"] == "deny" and entry.get("failure") == "input"
    finally:
        proxy.served.stop()
        rms.stop()
