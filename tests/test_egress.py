"""Data categories, whatever the route: the field map covers the store, the egress check removes
what a decision withholds (and anything unclassified), and the same information asked through every
request kind and search type gets the same disclosure decision."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PROFILES, pipeline_for, request
from sanctuary.egress import asked_categories, check
from sanctuary.models import parse_request
from sanctuary.policy.categories import SEARCHES, store_field_map, vocabulary
from sanctuary.records import Record, open_store, parse_search
from sanctuary.records.demo import DEMO_PERSONS, DEMO_PLATE, fill
from sanctuary.records.schema import RECORD_TABLES
from sanctuary.records.searches import SEARCH_NAMES
from sanctuary.records.store import TABLES
from strategies import AGENCIES, DOCS, TEXTS

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_every_store_column_maps_to_exactly_one_leaf_category() -> None:
    fmap = store_field_map()
    assert {s.record_kind for s in SEARCHES.values()} == set(TABLES)  # every search returns a kind the store has, and each kind is searched
    for kind, (table, key) in TABLES.items():
        columns = {c.name for c in table.columns} - {key, "name_key"}
        unmapped = {c for c in columns if (kind, c) not in fmap}
        assert not unmapped, f"{table.name}: columns with no data category: {sorted(unmapped)}"
    assert {t.name for t, _ in TABLES.values()} == {t.name for t in RECORD_TABLES}
    assert set(fmap.values()) <= set(vocabulary().categories)


def test_every_field_every_search_returns_is_mapped(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "r.db"))
    fill(store, persons=20, seed=3)
    fmap = store_field_map()
    seen = set()
    for search in SEARCH_NAMES:
        for person in DEMO_PERSONS:
            query = {"search": search, "plate": DEMO_PLATE} if search == "plate" else {"search": search, "person_id": person.person_id}
            for record in store.search(parse_search(query)):
                seen.add(record.kind)
                assert all((record.kind, f) in fmap for f in record.fields), (record.kind, sorted(record.fields))
    store.close()
    assert seen == {s.record_kind for s in SEARCHES.values()}


def test_check_removes_withheld_and_unmapped_fields_and_counts_them() -> None:
    person = Record("P1", "person", {"first_name": "Maria", "citizenship": "Mexico", "place_of_birth": "Morelia", "shoe_size": 38})
    booking = Record("B1", "booking", {"facility": "jail", "release_date": "2026-01-20", "charge": "theft"})
    out = check([person, booking], ["citizenship", "place_of_birth", "release_date"])
    assert [r.fields for r in out.records] == [{"first_name": "Maria"}, {"facility": "jail", "charge": "theft"}]
    assert (out.withheld, out.unmapped) == (3, 1)
    assert person.fields["citizenship"] == "Mexico"  # the input is not changed
    assert check([person], []).records[0].fields == {"first_name": "Maria", "citizenship": "Mexico", "place_of_birth": "Morelia"}


def test_a_custody_search_asks_what_a_custody_inquiry_asks() -> None:
    inquiry = parse_request(
        request("custody_inquiry", "FBI", subject={"person_id": "P1"}, resource={"fields": ["custody_status", "release_date"]})
    )
    search = parse_request(request("database_query", "FBI", resource={"search": {"type": "custody", "person_id": "P1"}}))
    assert asked_categories(inquiry) == asked_categories(search) == {"custody_status", "custody_facility", "release_date"}
    contact = parse_request(request("custody_inquiry", "FBI", resource={"fields": ["contact_information"]}))
    by_search = parse_request(request("database_query", "FBI", resource={"search": {"type": "contact", "person_id": "P1"}}))
    assert asked_categories(contact) == asked_categories(by_search) == {"home_address", "phone", "email", "employer"}


def test_the_identity_a_requester_supplies_is_not_asked() -> None:
    named = parse_request(
        request("database_query", "FBI", resource={"search": {"type": "person", "name": "Maria Lopez", "dob": "1988-03-14"}})
    )
    asked = asked_categories(named)
    assert "person_name" not in asked and "date_of_birth" not in asked and {"immigration_status", "record_number"} <= asked


def test_a_custody_topic_may_be_named_by_the_category_it_shows() -> None:
    """The place of custody is shown with the custody status: asking it asks that topic."""
    by_category = parse_request(request("custody_inquiry", "FBI", resource={"fields": ["custody_facility"]}))
    by_topic = parse_request(request("custody_inquiry", "FBI", resource={"fields": ["custody_status"]}))
    assert asked_categories(by_category) == asked_categories(by_topic) and "custody_facility" in asked_categories(by_topic)
    unknown = pipeline_for("chicago-2021").decide(parse_request(request("custody_inquiry", "FBI", resource={"fields": ["arrest_record"]})))
    assert unknown.decision == "deny" and unknown.error is not None and "unknown custody topic(s) ['arrest_record']" in unknown.error


def test_the_warrant_topic_asks_only_its_nature() -> None:
    """Topic `warrant` (is the requester's own warrant or NCIC record civil or criminal?) asks one
    category, answered in words from no record: nothing about custody, release or contact."""
    alone = parse_request(request("custody_inquiry", "ICE-ERO", resource={"fields": ["warrant"]}))
    with_release = parse_request(request("custody_inquiry", "ICE-ERO", resource={"fields": ["warrant", "release_date"]}))
    assert asked_categories(alone) == {"warrant_nature"}
    release_only = parse_request(request("custody_inquiry", "ICE-ERO", resource={"fields": ["release_date"]}))
    assert asked_categories(with_release) == {"warrant_nature"} | asked_categories(release_only)


def test_a_database_query_asks_the_fields_it_names() -> None:
    """`resource.fields` of a database query are the record fields wanted (docs/requests.md): a
    category, a group or a field of the store names what is asked; a query with a name that is none
    of these, or with none, asks what its search returns."""
    search = {"type": "person", "person_id": "P0000001"}

    def asked(fields: list[str]) -> frozenset[str]:
        return asked_categories(parse_request(request("database_query", "FBI", resource={"fields": fields, "search": search})))

    assert asked(["immigration_status", "citizenship"]) == {"immigration_status", "citizenship"}
    assert asked(["status"]) == vocabulary().leaves("status") >= {"immigration_status", "citizenship", "place_of_birth"}
    assert asked(["address"]) == {"home_address"}  # a store field, by its category
    assert asked(["address", "no_such_field"]) == asked([])  # a name of nothing: what is asked is unknown
    assert asked(["person_id", "immigration_status"]) == {"immigration_status"}  # the identity supplied is not asked
    assert asked(["no_such_field"]) == asked([]) and "record_number" not in asked([])
    assert asked(["fingerprints", "mugshot"]) == {"biometric", "photo"}  # a category's words (categories.toml)


def test_a_category_word_may_not_be_a_category_a_group_or_another_word(tmp_path: Path) -> None:
    """A word names one category: one that is already a name would name two things."""
    from sanctuary.policy.errors import PolicyError

    base = (
        '[group.g]\ntitle = "G"\n[category.a]\ngroup = "g"\ntitle = "A"\nwords = ["x"]\n'
        '[category.b]\ngroup = "g"\ntitle = "B"\nwords = ["{word}"]\n'
    )
    for word in ("a", "g", "x"):
        path = tmp_path / f"{word}.toml"
        path.write_text(base.format(word=word), encoding="utf-8")
        with pytest.raises(PolicyError, match=f"word '{word}'"):
            vocabulary(path)
    path = tmp_path / "ok.toml"
    path.write_text(base.format(word="y"), encoding="utf-8")
    assert vocabulary(path).named("y") == {"b"} and vocabulary(path).named("z") is None


def test_a_query_asking_only_status_is_refused_where_status_is_withheld() -> None:
    """MCC 2-173-030(a)(1): the FBI asking a person's status and nothing else gets a deny, not a
    permit with everything withheld; asking the name too, a permit that keeps the status back."""
    fields = {"search": {"type": "person", "person_id": "P0000001"}}
    only = request(
        "database_query", "FBI", purpose={"text": "robbery", "category": "criminal"}, resource={**fields, "fields": ["immigration_status"]}
    )
    both = request(
        "database_query",
        "FBI",
        purpose={"text": "robbery", "category": "criminal"},
        resource={**fields, "fields": ["immigration_status", "sex"]},
    )
    a, b = (pipeline_for("chicago-2021").decide(parse_request(r)) for r in (only, both))
    assert a.decision == "deny" and "MCC 2-173-030(a)(1)" in a.citations
    assert b.decision == "permit" and "immigration_status" in b.redact and "sex" not in b.redact


@pytest.mark.parametrize("profile", ["chicago-2021", "illinois-trust"])
def test_a_route_around_the_custody_rule_gets_the_same_deny(profile) -> None:
    """ICE-ERO asked custody through a database search with a criminal purpose and got it (issue #10)."""
    purpose = {"text": "robbery", "category": "criminal"}
    by_search = request("database_query", "ICE-ERO", purpose=purpose, resource={"search": {"type": "custody", "person_id": "P0000001"}})
    by_inquiry = request("custody_inquiry", "ICE-ERO", purpose=purpose, subject={"person_id": "P0000001"}, resource={"fields": []})
    a, b = (pipeline_for(profile).decide(parse_request(r)) for r in (by_search, by_inquiry))
    assert a.decision == b.decision == "deny"
    assert set(a.rules) & set(b.rules)


CHANNEL_LAWS = ("chicago-2019-mayoral", "chicago-2019-proposed-eo")  # their texts name database access
SAME_QUESTION = [
    # (custody-inquiry topics, the database search that returns the same categories)
    (["custody_status", "release_date"], "custody"),
    (["contact_information"], "contact"),
]


@FAST
@given(
    agency=st.sampled_from(AGENCIES),
    on_behalf_of=st.sampled_from([None, *AGENCIES]),
    text=st.sampled_from(TEXTS),
    category=st.sampled_from([None, "criminal", "civil_immigration", "other"]),
    documents=st.lists(st.sampled_from(DOCS), max_size=2),
    question=st.sampled_from(SAME_QUESTION),
    profiles=st.sampled_from([(p,) for p in PROFILES if p not in CHANNEL_LAWS] + [("chicago-2021", "illinois-trust")]),
    trusted=st.booleans(),
)
def test_the_same_information_gets_the_same_disclosure_decision(
    agency, on_behalf_of, text, category, documents, question, profiles, trusted
):
    """Protect data, not request kinds: where the law speaks of the information, asking it as a
    custody inquiry or as a database search gets the same answer. The laws that speak of the channel
    itself are left out (CHANNEL_LAWS: the 2019 directive and proposed order cut off database
    access, not officers' answers), and chicago-2012 is read with its inquiries narrowed to custody
    topics (chicago-2012.inquiry_scope: the default refuses ICE's inquiries whole, as its words do):
    those differences are the law's, shown both ways in the packs' scenario tables (profiles/*/scenarios.toml)."""
    topics, search = question
    purpose = {k: v for k, v in (("text", text), ("category", category)) if v is not None}
    common = {"purpose": purpose, "documents": documents, **({"on_behalf_of": on_behalf_of} if on_behalf_of else {})}
    inquiry = request("custody_inquiry", agency, subject={"person_id": "P0000001"}, resource={"fields": topics}, **common)
    query = request("database_query", agency, resource={"search": {"type": search, "person_id": "P0000001"}}, **common)
    narrowed = (("chicago-2012.inquiry_scope", ("custody_topics",)),) if "chicago-2012" in profiles else ()
    pipeline = pipeline_for(*profiles, params=narrowed, trusted=trusted)
    a, b = (pipeline.decide(parse_request(r)) for r in (inquiry, query))
    assert (a.decision, a.redact, a.held is None, a.error) == (b.decision, b.redact, b.held is None, b.error)
