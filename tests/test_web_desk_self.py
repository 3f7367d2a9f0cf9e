"""The desk enters a person's request for her own records (requester SUBJECT-SELF, docs/requests.md):
the person herself at the counter, her identification checked by the signed-in desk user, who vouches
for it; the answer under each law in force, said; a missing or mismatched identity named by its field;
her person number in the sealed record only, never on a public page or in a public log entry."""

from __future__ import annotations

import html
import json
import re

import pytest

from sanctuary.policy.engine import DEFAULT_DENY
from sanctuary.web import desk, i18n
from sanctuary.web.deployment import deployment
from test_web_desk import chicago, read_out
from test_web_pages import desk_post, public_pages_name_no_one
from web_app import csrf_of, make_site  # noqa: F401 - fixture

PERSON = "P0000001"
OWN = {
    "channel": "in_person",
    "agency": "SUBJECT-SELF",
    "kind": "database_query",
    "purpose_text": "renewal appointment Tuesday",
    "id_document": "passport",
    "requester_person_id": PERSON,
    "subject_person_id": PERSON,
    "system": "DMV",
    "fields": "application_documents, license_federal_standard",
}


def page_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_desk_offers_the_person_herself_and_asks_for_the_identity_check(make_site) -> None:
    desk = make_site().client("desk")
    first = desk.get("/desk").text
    assert 'id="own"' in first and "The person herself, asking for her own records" in html.unescape(first)
    details = desk.get("/desk", params={"own": "1", "channel": "in_person", "kind": "database_query"})
    shown = html.unescape(details.text)
    assert details.status_code == 200 and 'name="agency" value="SUBJECT-SELF"' in details.text
    assert 'id="id_document"' in details.text and 'id="requester_person_id"' in details.text and 'id="officer"' not in details.text
    assert "The identity check" in shown and "under your sign-in" in shown and 'id="identity-warning"' not in details.text
    by_phone = desk.get("/desk", params={"own": "1", "channel": "phone", "kind": "database_query"})
    assert by_phone.status_code == 422 and 'href="#channel"' in by_phone.text and "checked in person" in by_phone.text
    chosen_from_the_list = desk.get("/desk", params={"agency": "SUBJECT-SELF", "channel": "phone", "kind": "database_query"})
    assert chosen_from_the_list.status_code == 422 and 'href="#channel"' in chosen_from_the_list.text
    with_agency = desk.get("/desk", params={"own": "1", "agency": "ICE-ERO", "channel": "in_person", "kind": "database_query"})
    assert (
        with_agency.status_code == 422
        and 'href="#agency"' in with_agency.text
        and 'id="own" name="own" value="1" checked' in with_agency.text
    )


def test_under_new_york_she_gets_her_own_records_and_her_number_stays_sealed(make_site) -> None:
    site = make_site(["new-york-dmv"])
    answer = desk_post(site.client("desk"), OWN)
    shown = page_text(answer.text)
    assert answer.status_code == 200 and "ALLOWED" in shown, shown[:2000]
    assert "your own records" in shown and "criminal law enforcement only" not in shown
    assert "Passport, checked at the desk by desk" in shown  # the desk user vouches, recorded as such
    log = site.app.state.gateway.log.get()
    entry = json.loads(log.entry(0))
    assert entry["requester"] == "SUBJECT-SELF" and entry["decision"] == "permit"
    assert PERSON not in log.entry(0).decode() and "passport" not in log.entry(0).decode()
    sealed = log.reveal(0)
    assert sealed["requester.person_id"] == PERSON and sealed["requester.officer"] == "identity checked at the desk by desk: passport"
    public_pages_name_no_one(site, (PERSON, "passport", "renewal appointment"))


def test_where_no_law_speaks_to_her_the_desk_submits_and_says_the_refusal(make_site) -> None:
    site = make_site(["chicago-2021"])
    answer = desk_post(site.client("desk"), OWN)
    shown = page_text(answer.text)
    assert (
        answer.status_code == 200
        and "REFUSED" in shown
        and "No law in force here lets the department give a person her own records" in shown
    )
    assert "No rule allows this request, so it is refused" in shown  # the baseline's refusal, in plain words
    decision = json.loads(site.app.state.gateway.log.get().entry(0))
    assert decision["decision"] == "deny" and decision["requester"] == "SUBJECT-SELF" and "failure" not in decision
    officer = site.client("desk")
    officer.get("/desk", params={"lang": "es"})
    spanish = desk_post(officer, OWN)
    assert "DENEGADA" in spanish.text and "Pasaporte, comprobado en el mostrador por desk" in html.unescape(spanish.text)
    public_pages_name_no_one(site, (PERSON, "passport", "renewal appointment"))


@pytest.mark.parametrize(
    ("change", "field", "said"),
    [
        ({"requester_person_id": ""}, "requester_person_id", "the person number her identification matched"),
        ({"requester_person_id": "P0000002"}, "requester_person_id", "may ask only for her own records"),
        ({"subject_person_id": ""}, "subject_person_id", "by her person number"),
        ({"id_document": ""}, "id_document", "which identification you checked"),
        ({"id_document": "library_card"}, "id_document", "not one of the choices"),
    ],
)
def test_a_missing_or_mismatched_identity_check_names_its_field_and_records_nothing(
    make_site, change: dict[str, str], field: str, said: str
) -> None:
    site = make_site(["new-york-dmv"])
    answer = desk_post(site.client("desk"), {**OWN, **change})
    assert answer.status_code == 422 and f'href="#{field}"' in answer.text and said in html.unescape(answer.text)
    assert f'id="{field}"' in answer.text and site.app.state.gateway.log.get().size() == 0


@pytest.mark.parametrize(
    ("channel", "user", "field"), [("phone", "desk", "channel"), ("email", "desk", "channel"), ("in_person", "", "requester_person_id")]
)
def test_only_a_signed_in_desk_user_vouches_and_only_in_person(channel: str, user: str, field: str) -> None:
    with pytest.raises(desk.FormError) as caught:
        desk.checked_identity(OWN, channel, user)
    assert caught.value.field == field
    assert desk.checked_identity(OWN, "in_person", "desk") == {
        "person_id": PERSON,
        "officer": "identity checked at the desk by desk: passport",
    }


@pytest.mark.parametrize("lang", i18n.languages())
def test_what_she_is_told_is_two_sentences_and_names_no_agency_duty(lang: str) -> None:
    words = i18n.gettext_for(lang)
    department = deployment("chicago").department(lang)
    refused = {"decision": "deny", "requester": "SUBJECT-SELF", "citations": [DEFAULT_DENY], "log_index": 7}
    given = {"decision": "permit", "requester": "SUBJECT-SELF", "citations": [], "redact": [], "log_index": 8}
    for decision in (refused, given):
        for found in (None, 0, 2):
            said = desk.script(decision, chicago(), "—", found, frozenset(), words, lang, department)
            sentences, count = read_out(said.say)
            assert sentences <= 2 and count <= desk.SCRIPT_WORDS, said.say
    assert (
        words("No law in force here lets the department give a person her own records.")
        in desk.script(refused, chicago(), "—", None, frozenset(), words, lang, department).say
    )
    permit = desk.script(given, chicago(), "—", 2, frozenset(), words, lang, department)
    assert words("These are your own records, given to you alone.") in permit.say and permit.more == [
        words("The request is recorded in the department's decision log as number %(index)s.") % {"index": 8}
    ]


def test_the_identity_check_as_entered_reads_in_the_officers_language_and_a_free_text_one_as_it_was() -> None:
    entered = {
        "kind": "database_query",
        "requester": {"agency": "SUBJECT-SELF", "officer": "identity checked at the desk by ana: passport"},
    }
    spanish = dict(desk.as_entered(entered, "in_person", i18n.gettext_for("es")))
    assert spanish["Comprobación de identidad"] == "Pasaporte, comprobado en el mostrador por ana"
    assert spanish["Agencia solicitante (tal como se dio)"].startswith("La persona misma")
    typed = {**entered, "requester": {"agency": "SUBJECT-SELF", "officer": "Clerk Ana looked at her license"}}
    assert dict(desk.as_entered(typed, "", lambda m: m))["Identity check"] == "Clerk Ana looked at her license"
    agency = {**entered, "requester": {"agency": "FBI", "officer": "identity checked at the desk by ana: passport"}}
    assert dict(desk.as_entered(agency, "", lambda m: m))["Requesting officer"] == "identity checked at the desk by ana: passport"


@pytest.mark.parametrize("user", ["ice", "ero-clerk", "alien.smith"])
def test_the_desk_users_name_in_the_vouching_line_changes_no_decision_and_reaches_no_public_entry(make_site, user: str) -> None:
    """The vouching line (`requester.officer` of a person's own request) is the department's statement of
    its identity check, not her words: a desk user whose sign-in reads as an agency ("ice", "ero") or as
    immigration words ("alien") gets the decision any other desk user gets, and the public entry names
    no agency on her behalf and holds nothing for review."""
    site = make_site(["new-york-dmv"])
    site.app.state.gateway.cfg.users.add(user, "desk", "desk-password-9")
    client = site.client()
    page = client.get("/login")
    assert client.post("/login", data={"csrf": csrf_of(page.text), "name": user, "password": "desk-password-9"}).status_code == 303
    answer = desk_post(client, OWN)
    assert answer.status_code == 200 and "ALLOWED" in page_text(answer.text), page_text(answer.text)[:2000]
    log = site.app.state.gateway.log.get()
    entry = json.loads(log.entry(0))
    assert entry["decision"] == "permit" and entry["on_behalf_of"] == [] and "judged_as" not in entry and "held" not in entry
    assert f'"{user}' not in log.entry(0).decode() and "ICE" not in log.entry(0).decode()  # no value of hers, no agency
    assert log.reveal(0)["requester.officer"] == f"identity checked at the desk by {user}: passport"  # sealed, as entered
