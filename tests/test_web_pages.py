"""The pages in-process: sign-in and roles, CSRF, the desk on the API's pipeline, proofs, report, rights."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from sanctuary.agencies import load_registry
from sanctuary.pipeline import Pipeline
from sanctuary.policy.engine import PolicyEngine
from sanctuary.web import site as site_module
from sanctuary.web.record import PublicRecord
from web_app import LOG_NAME, csrf_of, make_site  # noqa: F401 - fixture

FIXTURES = Path(__file__).resolve().parent / "data" / "flock-portal"  # real public exports (PROVENANCE.md)
ICE_RELEASE_DATE = {
    "channel": "phone",
    "agency": "ICE-ERO",
    "officer": "Agent Quincy Marsh",
    "kind": "custody_inquiry",
    "purpose_text": "locate for removal",
    "purpose_category": "civil_immigration",
    "subject_name": "Maria Lopez",
    "subject_dob": "1988-03-14",
    "topics": ["release_date"],
}


def desk_post(client, form: dict, files: dict | None = None):
    """Post a desk request and follow the redirect to its result (or get the form back, on bad input)."""
    page = client.get("/desk")
    assert page.status_code == 200
    return client.post("/desk", data={"csrf": csrf_of(page.text), **form}, files=files, follow_redirects=True)


def test_signed_out_visitors_see_public_pages_and_are_sent_to_sign_in(make_site) -> None:
    client = make_site().client()
    for path in ("/", "/login", "/report", "/report?lang=es", "/rights", "/rights?lang=es", "/report.csv"):
        assert client.get(path).status_code == 200, path
    for path in ("/desk", "/decisions", "/decisions/0", "/policy", "/policy/whatif", "/audit", "/retro"):
        answer = client.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=/"), path


def test_sign_in_checks_the_password_and_replaces_the_session(make_site) -> None:
    client = make_site().client()
    page = client.get("/login")
    before = client.cookies.get("sanctuary_session")
    wrong = client.post("/login", data={"csrf": csrf_of(page.text), "name": "desk", "password": "not-the-password"})
    assert wrong.status_code == 401 and "do not match" in wrong.text
    right = client.post(
        "/login", data={"csrf": csrf_of(page.text), "name": "desk", "password": "desk-password-1", "next": "//evil.example/"}
    )
    assert right.status_code == 303 and right.headers["location"] == "/desk"  # no off-site redirect; desk staff land on the desk
    assert client.cookies.get("sanctuary_session") not in (None, before)
    assert "desk (desk)" in client.get("/").text


def test_forms_without_the_session_token_are_refused(make_site) -> None:
    site = make_site()
    anonymous = site.client()
    anonymous.get("/login")
    assert anonymous.post("/login", data={"name": "desk", "password": "desk-password-1"}).status_code == 403
    desk = site.client("desk")
    refused = desk.post("/desk", data={**ICE_RELEASE_DATE, "csrf": "forged"})
    assert refused.status_code == 403 and "Form expired" in refused.text
    oversight = site.client("oversight")
    assert oversight.post("/audit/verify", data={"csrf": "forged"}).status_code == 403


def test_roles_limit_the_pages(make_site) -> None:
    site = make_site()
    desk, oversight = site.client("desk"), site.client("oversight")
    assert desk.get("/retro").status_code == 403
    assert desk.get("/audit").status_code == 200 and "Run a full verification" not in desk.get("/audit").text
    assert oversight.get("/desk").status_code == 403
    assert oversight.get("/retro").status_code == 200


def test_desk_decides_with_the_api_pipeline_and_records_it(make_site) -> None:
    site = make_site()
    answer = desk_post(site.client("desk"), ICE_RELEASE_DATE)
    assert answer.status_code == 200
    page = html.unescape(answer.text)
    assert "REFUSED" in page and "number 0" in page
    assert "MCC 2-173-020(a)(3)" in page and "What to say to the caller" in page
    rules = PolicyEngine.load(["chicago-2021"], load_registry()).rules
    assert rules["chicago-2021:020-a3-custody-contact"].explain in page  # the rule's own words, not a copy
    # The same request through the API with a desk key: the same decision, the next log entry.
    body = {
        "id": "api-1",
        "kind": "custody_inquiry",
        "requester": {"agency": "ICE-ERO"},
        "purpose": {"text": "locate for removal", "category": "civil_immigration"},
        "subject": {"name": "Maria Lopez", "dob": "1988-03-14"},
        "resource": {"fields": ["release_date"]},
    }
    api = site.api(body)
    assert api.status_code == 403 and api.json()["log_index"] == 1
    entries = site.app.state.gateway.log.get()
    desk_entry, api_entry = (json.loads(entries.entry(i)) for i in (0, 1))
    for key in ("decision", "citations", "rules", "requester", "kind", "policy_hash"):
        assert desk_entry[key] == api_entry[key], key
    assert "Quincy" not in entries.entry(0).decode()  # the officer is not in the public entry (protected record only)


def test_desk_asks_agency_and_kind_first_and_shows_only_that_kind(make_site) -> None:
    desk = make_site().client("desk")
    first = desk.get("/desk").text
    assert re.search(r'<input id="agency"[^>]*autofocus', first) and 'method="post"' not in first.split("<main")[1]
    inquiry = desk.get("/desk", params={"agency": "ICE-ERO", "kind": "custody_inquiry"}).text
    assert 'name="topics"' in inquiry and 'name="operation_type"' not in inquiry and 'name="system"' not in inquiry
    support = desk.get("/desk", params={"agency": "ICE-ERO", "kind": "operational_support"}).text
    assert 'name="operation_type"' in support and 'name="subject_name"' not in support and 'name="topics"' not in support
    assert "identity-warning" not in inquiry
    for vague in ("DHS", "Homeland Security"):
        warned = desk.get("/desk", params={"agency": vague, "kind": "custody_inquiry"}).text
        assert 'id="identity-warning"' in warned and "any of its units" in warned and "ICE" in warned
    for read_as_itself in ("FBI", "Federal Bureau of Investigation", "USMS"):  # no unit it may be: no warning
        assert "identity-warning" not in desk.get("/desk", params={"agency": read_as_itself, "kind": "custody_inquiry"}).text
    unknown = desk.get("/desk", params={"agency": "Acme Bounty Hunters", "kind": "custody_inquiry"}).text
    assert "not in the agency registry" in unknown


def test_a_reloaded_desk_result_records_nothing_new(make_site) -> None:
    site = make_site()
    desk = site.client("desk")
    page = desk.get("/desk")
    posted = desk.post("/desk", data={"csrf": csrf_of(page.text), **ICE_RELEASE_DATE})
    assert posted.status_code == 303 and posted.headers["location"].startswith("/desk/result/")
    log = site.app.state.gateway.log.get()
    assert log.size() == 1
    for _ in range(3):  # a reload, the back button, a second tab: the same result, nothing recorded
        again = desk.get(posted.headers["location"])
        assert again.status_code == 200 and "REFUSED" in again.text
    assert log.size() == 1
    result = html.unescape(again.text)
    assert 'action="/desk"' not in result and 'id="new-call"' in result  # the result replaces the form
    for printed in ("Maria Lopez", "1988-03-14", "Release date", "(UTC)", "number 0", "/verify", "Agent Quincy Marsh"):
        assert printed in result, printed  # the request as entered, when, the log entry and how to check it
    assert "The police do not answer ICE about a person" in result  # the clause in plain words
    assert site.client("desk").get(posted.headers["location"]).status_code == 404  # only for its own session


def test_desk_permits_what_the_law_allows_and_reads_uploaded_documents(make_site) -> None:
    site = make_site()
    desk = site.client("desk")
    fbi = desk_post(
        desk,
        {
            "channel": "email",
            "agency": "FBI",
            "kind": "custody_inquiry",
            "purpose_category": "criminal",
            "purpose_text": "bank robbery investigation",
            "subject_person_id": "P0000001",
            "topics": ["custody_status"],
        },
    )
    assert "ALLOWED" in fbi.text and "Released: 1 record" in fbi.text
    detainer = Path(__file__).resolve().parents[1] / "src/sanctuary/screening/samples/i247a_detainer.txt"
    hold = desk_post(
        desk,
        {"channel": "in_person", "agency": "ICE-ERO", "kind": "detention_hold", "doc1_type": "I-247A"},
        files={"doc1_file": ("detainer.txt", detainer.read_bytes(), "text/plain")},
    )
    assert "REFUSED" in hold.text and "MCC 2-173-020(a)(1)" in hold.text
    entry = json.loads(site.app.state.gateway.log.get().entry(1))
    assert entry["documents"] == ["I-247A"] and entry["kind"] == "detention_hold"


def test_desk_tells_an_unregistered_agency_why_and_records_it(make_site) -> None:
    site = make_site()
    answer = desk_post(site.client("desk"), {**ICE_RELEASE_DATE, "agency": "Acme Bounty Hunters"})
    assert "REFUSED" in answer.text and "acts only on requests from registered agencies" in answer.text
    assert json.loads(site.app.state.gateway.log.get().entry(0))["citations"] == ["unregistered requester"]


@pytest.mark.parametrize(
    ("form", "field", "recorded"),
    [
        ({**ICE_RELEASE_DATE, "agency": ""}, "agency", False),
        ({**ICE_RELEASE_DATE, "kind": "arrest_everyone"}, "kind", False),
        ({**ICE_RELEASE_DATE, "kind": "operational_support"}, "operation_type", False),
        ({**ICE_RELEASE_DATE, "subject_dob": "x" * 300}, "subject.dob", True),
        ({**ICE_RELEASE_DATE, "kind": "database_query", "search_type": "plate"}, "search_plate", False),
    ],
)
def test_desk_names_the_field_of_bad_input(make_site, form: dict, field: str, recorded: bool) -> None:
    """A form that does not make a request records nothing; a request the contract refuses is
    recorded as a refusal, exactly as the API records it."""
    site = make_site()
    answer = desk_post(site.client("desk"), form)
    assert answer.status_code == 422
    assert "could not be entered:</strong>" in answer.text and f'href="#{field.replace(".", "_")}"' in answer.text
    control = re.search(r'<(?:input|select)[^>]*aria-invalid="true"[^>]*>', answer.text)
    assert control and 'aria-describedby="' in control.group(0) and "form-error" in control.group(0)
    log = site.app.state.gateway.log.get()
    assert log.size() == (1 if recorded else 0)
    if recorded:
        entry = json.loads(log.entry(0))
        assert entry["kind"] == "refused" and entry["failure"] == "input" and log.reveal(0)["error"].startswith(field)


def test_decisions_filter_and_proof_checked_against_the_signed_checkpoint(make_site) -> None:
    site = make_site()
    desk = site.client("desk")
    desk_post(desk, ICE_RELEASE_DATE)
    desk_post(
        desk,
        {
            "channel": "phone",
            "agency": "FBI",
            "kind": "custody_inquiry",
            "purpose_category": "criminal",
            "subject_person_id": "P0000001",
            "topics": ["custody_status"],
        },
    )
    oversight = site.client("oversight")
    listing = oversight.get("/decisions", params={"outcome": "deny"}).text
    assert "1 of 2 decisions match" in listing and 'href="/decisions/0"' in listing and 'href="/decisions/1"' not in listing
    assert "1 of 2" in oversight.get("/decisions", params={"family": "DOJ"}).text
    assert "0 of 2" in oversight.get("/decisions", params={"since": "2000-01-01", "until": "2000-12-31"}).text
    bad = oversight.get("/decisions", params={"since": "yesterday"})
    assert bad.status_code == 422 and "since:" in bad.text
    detail = oversight.get("/decisions/0").text
    assert "Verified:</strong> entry 0 is in the signed tree of 2 entries" in detail
    assert LOG_NAME in detail  # the signed checkpoint it was checked against is shown
    # Rewrite entry 0 behind the log's back: the same page must now refuse to vouch for it.
    with sqlite3.connect(site.home / "log.db") as db:
        db.execute("""UPDATE entry SET data = CAST(REPLACE(CAST(data AS TEXT), '"deny"', '"permit"') AS BLOB) WHERE idx = 0""")
    tampered = oversight.get("/decisions/0").text
    assert "NOT verified" in tampered and "permit" in tampered
    assert oversight.get("/decisions/99").status_code == 404


def test_full_verification_from_the_audit_page(make_site) -> None:
    site = make_site()
    desk_post(site.client("desk"), ICE_RELEASE_DATE)
    oversight = site.client("oversight")
    page = oversight.get("/audit")
    assert page.status_code == 200 and "holds 1 entry" in page.text
    assert "No full verification has been run" in page.text
    ran = oversight.post("/audit/verify", data={"csrf": csrf_of(page.text)})
    assert ran.status_code == 303
    after = oversight.get("/audit").text
    assert "Passed" in after and "every leaf and node recomputed" in after and "run by oversight" in after
    desk_post(site.client("desk"), ICE_RELEASE_DATE)
    history = oversight.get("/audit").text  # a second checkpoint, proved consistent with the first
    assert "consistent with size 1" in history


def test_policy_pages_and_what_if_between_the_2019_directive_and_the_proposed_order(make_site) -> None:
    site = make_site()
    site.api(
        {
            "id": "tsa-1",
            "kind": "database_query",
            "requester": {"agency": "TSA"},
            "purpose": {"category": "criminal"},
            "resource": {"system": "CLEAR", "fields": ["arrests"]},
        }
    )
    site.api(
        {
            "id": "fbi-1",
            "kind": "database_query",
            "requester": {"agency": "FBI"},
            "purpose": {"category": "criminal"},
            "resource": {"system": "CLEAR", "fields": ["arrests"]},
        }
    )
    client = site.client("oversight")
    policy = client.get("/policy", params={"profile": "chicago-2012"}).text
    assert "MCC 2-173-042(b)(1) (2012)" in policy
    assert client.get("/policy", params={"profile": "no-such-law"}).status_code == 404
    whatif = client.get("/policy/whatif", params={"a": "chicago-2019-mayoral", "b": "chicago-2019-proposed-eo"}).text
    assert "1 of 2 recorded requests" in whatif  # TSA is DHS: §3 of the order cuts it off
    assert "Database request, from Transportation Security Administration" in whatif and "Investigation" not in whatif
    assert "database_query" not in whatif and "by TSA" not in whatif  # names, not codes
    same = client.get("/policy/whatif", params={"a": "chicago-2021", "b": "chicago-2021"}).text
    assert "0 of 2 recorded requests" in same


def test_what_if_decides_a_stated_window_from_the_public_record_without_reading_the_log_again(make_site, monkeypatch) -> None:
    site = make_site()
    query = {"kind": "database_query", "purpose": {"category": "criminal"}, "resource": {"system": "CLEAR", "fields": ["arrests"]}}
    for i, agency in enumerate(("TSA", "FBI", "TSA")):
        site.api({**query, "id": f"w-{i}", "requester": {"agency": agency}})
    client = site.client("oversight")
    pair = {"a": "chicago-2019-mayoral", "b": "chicago-2019-proposed-eo"}
    whole = client.get("/policy/whatif", params=pair).text
    assert "decides the newest 1,000 requests of the period" in whole and "up to 5,000" in whole  # the bound, stated
    assert "2 of 3 recorded requests" in whole
    log = site.app.state.gateway.log.get()
    reads: list[tuple[int, int]] = []
    real = log.entries

    def counted(start: int, end: int) -> list[bytes]:
        reads.append((start, end))
        return real(start, end)

    monkeypatch.setattr(log, "entries", counted)
    newest = client.get("/policy/whatif", params={**pair, "last": "1"}).text
    assert "1 of 1 recorded request would" in newest and "the newest 1 of the 3 in the period" in newest
    assert reads == []  # nothing new in the log: no entry read again
    site.api({**query, "id": "w-3", "requester": {"agency": "FBI"}})
    again = client.get("/policy/whatif", params={**pair, "last": "2"}).text
    assert "1 of 2 recorded requests" in again and reads == [(3, 4)]  # only the new entry
    none = client.get("/policy/whatif", params={**pair, "since": "2099-01-01"}).text
    assert "0 of 0 recorded requests" in none
    for params, field in (({"last": "0"}, "last"), ({"last": "5001"}, "last"), ({"last": "ten"}, "last"), ({"since": "May"}, "since")):
        bad = client.get("/policy/whatif", params={**pair, **params})
        assert bad.status_code == 422 and f"{field}: " in html.unescape(bad.text), params
    unknown = client.get("/policy/whatif", params={"a": "no-such-law", "b": "chicago-2021"})
    assert unknown.status_code == 422 and "no-such-law" in unknown.text


def test_report_counts_per_quarter_and_never_shows_a_person(make_site) -> None:
    site = make_site()
    desk = site.client("desk")
    desk_post(desk, ICE_RELEASE_DATE)
    desk_post(
        desk,
        {
            "channel": "in_person",
            "agency": "ICE-ERO",
            "kind": "detention_hold",
            "doc1_type": "I-247A",
            "doc1_number": "DET-55-Marsh",
            "subject_name": "Maria Lopez",
        },
    )
    desk_post(
        desk,
        {
            "channel": "phone",
            "agency": "USMS",
            "kind": "custody_transfer",
            "purpose_category": "criminal",
            "subject_name": "James Carter",
            "doc1_type": "judicial_warrant",
            "doc1_court": "U.S. District Court",
            "doc1_signed_by": "Hon. A. Judge",
            "doc1_signer_title": "U.S. District Judge",
        },
    )
    public = site.client()
    report = public.get("/report")
    assert report.status_code == 200 and "Requests decided" in report.text
    rows = list(csv.DictReader(io.StringIO(public.get("/report.csv").text)))
    assert sum(int(r["count"]) for r in rows if r["measure"] == "requests" and r["outcome"] == "all") == 3
    assert sum(int(r["count"]) for r in rows if r["measure"] == "kind" and r["outcome"] == "all") == 3
    assert sum(int(r["count"]) for r in rows if r["measure"] == "detainers" and r["outcome"] == "all") == 1
    transfers = [r for r in rows if r["measure"] == "transfers" and r["outcome"] == "all"]
    assert [(r["category"], r["count"]) for r in transfers] == [("U.S. Marshals Service", "1")]
    assert "<td>U.S. Marshals Service</td><td>1</td>" in report.text
    spanish = public.get("/report", params={"lang": "es"}).text
    assert '<html lang="es">' in spanish and "Solicitudes decididas" in spanish
    data = public.get("/report.json").json()
    assert data["dictionary"]["measures"]["transfers"] and data["period"]["first"] and data["updated"]
    assert sum(r["count"] for r in data["counts"] if r["measure"] == "requests" and r["outcome"] == "all") == 3
    public_pages_name_no_one(site, ("Maria", "Lopez", "James Carter", "Quincy", "DET-55", "desk-phone-", "1988-03-14", "Agent Quincy"))
    listing = public.get("/report/decisions", params={"lang": "en"}).text
    assert "I-247A" in listing and "ICE Enforcement and Removal Operations" in listing  # the shape is there
    assert public.get("/report/decisions", params={"since": "yesterday"}).status_code == 422


def public_pages_name_no_one(site, personal: tuple[str, ...]) -> None:  # noqa: ANN001 - the make_site fixture's Site
    """No personal value (`personal`), pseudonym or record id the log keeps reaches a public page: the
    report and its itemised decisions, in each format and language."""
    public = site.client()
    pages = [public.get(path, params={"lang": lang}).text for path in ("/report", "/report.csv", "/report.json") for lang in ("en", "es")]
    pages += [
        public.get(path, params=params).text
        for path in ("/report/decisions", "/report/decisions.csv", "/report/decisions.json")
        for params in ({}, {"lang": "es"}, {"kind": "detention_hold"})
    ]
    log = site.app.state.gateway.log.get()
    secrets = set(personal)
    for i in range(log.size()):  # the pseudonyms and record ids the log keeps must not reach the public
        kept = json.loads(log.entry(i))
        secrets |= set(kept.get("identifiers", {}).values())
        secrets |= {d.get("record_id") for d in kept.get("disclosed") or [] if d.get("record_id")}
    for page in pages:
        for value in secrets:
            assert value not in page, value
        assert not re.search(r"\bP\d{7}\b", page)  # no record id of the store's people


def test_rights_come_from_the_active_profile_and_change_with_it(make_site) -> None:
    now = make_site(["chicago-2021"]).client().get("/rights").text
    rules = PolicyEngine.load(["chicago-2021"], load_registry()).rules.values()
    for rule in rules:
        if rule.profile != "baseline":
            assert rule.explain in html.unescape(now)
    spanish = make_site(["chicago-2021"]).client().get("/rights", params={"lang": "es"}).text
    assert "La policía no colabora" in spanish and '<html lang="es">' in spanish
    then = make_site(["chicago-2012"]).client().get("/rights").text
    assert "MCC 2-173-042" in then and "MCC 2-173-020(a)(3)" not in then and "MCC 2-173-020(a)(3)" in now
    page = html.unescape(now)
    assert "What the police will still do" in page and "judicial criminal warrant" in page  # honoured, said so
    assert "word for word" not in page and "NCIC" in page and "detainer" in page  # a glossary, no false claim


def test_rights_contacts_come_from_the_department_file_never_the_demo_by_default(make_site, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SANCTUARY_CONTACTS", raising=False)
    site = make_site()
    unset = html.unescape(site.client().get("/rights").text)
    assert "has not set its contacts" in unset and "555" not in unset
    contacts = tmp_path / "contacts.toml"
    contacts.write_text(
        '[[call]]\nname = "Legal aid line"\nname_es = "Línea de ayuda legal"\nwhat = "Free advice"\nwhat_es = "Asesoría gratuita"\n'
        'phone = "312-000-1111"\n\n[[complain]]\nname = "Accountability office"\nname_es = "Oficina de rendición de cuentas"\n'
        'what = "Complaints"\nwhat_es = "Quejas"\nweb = "https://accountability.example.org/"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("SANCTUARY_CONTACTS", str(contacts))
    shown = html.unescape(site.client().get("/rights").text)
    assert "Legal aid line" in shown and "312-000-1111" in shown and "Accountability office" in shown
    assert "made up" not in shown and "has not set" not in shown
    spanish = html.unescape(site.client().get("/rights", params={"lang": "es"}).text)
    assert "Línea de ayuda legal" in spanish and "Asesoría gratuita" in spanish


def test_retro_upload_shows_flags_and_the_report(make_site) -> None:
    site = make_site()
    client = site.client("oversight")
    page = client.get("/retro")
    data = (FIXTURES / "search_audit.a871b2fc.csv").read_bytes()
    answer = client.post(
        "/retro",
        data={"csrf": csrf_of(page.text), "what": "export", "home_state": "CA"},
        files={"file": ("search_audit.csv", data, "text/csv")},
    )
    assert answer.status_code == 303
    result = client.get(answer.headers["location"]).text
    assert "84 of 91 searches flagged" in result and "VAGUE_REASON" in result
    report = client.get(answer.headers["location"] + "/report.html")
    assert report.status_code == 200 and '<header class="top">' in report.text  # in the site's layout and headers
    assert "frame-ancestors 'none'" in report.headers["content-security-policy"]
    text = html.unescape(report.text)
    assert text.index("Direct immigration flags: 0 searches") < text.index("Weaker signals: 84 more searches")
    assert str(site.home) not in text and "sanctuary scan" not in text and "search_audit.csv" in text
    assert "search_audit.csv" in client.get("/retro").text  # earlier runs, by file name and date
    assert client.get(answer.headers["location"] + "/../../etc/passwd").status_code == 404
    bad = client.post(
        "/retro",
        data={"csrf": csrf_of(page.text), "what": "export", "home_state": "CA"},
        files={"file": ("notes.exe", b"MZ", "application/octet-stream")},
    )
    assert bad.status_code == 422 and "file:" in bad.text
    wrong = client.post(
        "/retro",
        data={"csrf": csrf_of(page.text), "what": "export", "home_state": "CA"},
        files={"file": ("cats.csv", b"name,colour\nTom,grey\n", "text/csv")},
    )
    assert wrong.status_code == 422 and "cats.csv" in wrong.text and "web-retro" not in wrong.text
    state = client.post(
        "/retro",
        data={"csrf": csrf_of(page.text), "what": "export", "home_state": "ZZ"},
        files={"file": ("search_audit.csv", data, "text/csv")},
    )
    assert state.status_code == 422 and "home_state:" in state.text
    assert len(list((site.home / "web-retro").iterdir())) == 1  # failed scans leave nothing behind


def test_retro_sharing_list_lists_partners_without_a_declaration(make_site) -> None:
    client = make_site().client("admin")
    page = client.get("/retro")
    sharing = (
        b"Organization Name,State\nU.S. Customs and Border Protection,\nEvanston Police Department,IL\nPolk County Sheriff's Office,FL\n"
    )
    answer = client.post(
        "/retro",
        data={"csrf": csrf_of(page.text), "what": "partners", "home_state": "IL"},
        files={"file": ("sharing.csv", sharing, "text/csv")},
    )
    assert answer.status_code == 303
    result = html.unescape(client.get(answer.headers["location"]).text)
    assert "3 partners" in result
    assert "without a declaration on file (625 ILCS 5/2-130): 2" in result
    assert "Customs and Border Protection" in result and "Polk County" in result


def test_an_unreachable_log_shows_no_numbers_and_the_desk_fails_closed(make_site, tmp_path: Path) -> None:
    (tmp_path / "not-a-folder").write_text("")
    site = make_site(log_url=str(tmp_path / "not-a-folder" / "log.db"))
    public = site.client()
    report = public.get("/report")
    assert report.status_code == 503 and "Decision log unavailable" in report.text and "Requests decided" not in report.text
    assert public.get("/report.csv").status_code == 503
    assert site.client("oversight").get("/decisions").status_code == 503
    answer = desk_post(site.client("desk"), ICE_RELEASE_DATE)
    assert "REFUSED" in answer.text and "not recorded: the log could not take it" in answer.text
    assert "decision log unavailable" in answer.text and "HTTP 503" not in answer.text


def test_sign_in_is_throttled_per_user_name_and_pages_carry_security_headers(make_site) -> None:
    client = make_site().client()
    page = client.get("/login")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text and "onclick" not in page.text  # nothing inline for the policy to allow
    for _ in range(5):
        assert client.post("/login", data={"csrf": csrf_of(page.text), "name": "admin", "password": "guess-guess"}).status_code == 401
    blocked = client.post("/login", data={"csrf": csrf_of(page.text), "name": "admin", "password": "admin-password-3"})
    assert blocked.status_code == 429 and "Too many attempts" in blocked.text
    other = client.post("/login", data={"csrf": csrf_of(page.text), "name": "desk", "password": "desk-password-1"})
    assert other.status_code == 303


def test_requests_refused_unread_are_counted_and_shown(make_site) -> None:
    site = make_site()
    gw = site.app.state.gateway
    refused = Pipeline(gw.policy.engine, gw.log.get()).handle_raw('{"id": "bad-1", "kind": "kidnap"}').decision
    assert refused.log_index == 0
    desk_post(site.client("desk"), ICE_RELEASE_DATE)
    report = site.client().get("/report").text
    assert '<dd class="n">2</dd>' in report and "Refused unread (not a valid request)" in report
    oversight = site.client("oversight")
    listing = oversight.get("/decisions", params={"family": "Unreadable request"}).text
    assert "1 of 2 decisions match" in listing
    detail = oversight.get("/decisions/0")
    assert detail.status_code == 200 and "Verified:</strong> entry 0" in detail.text
    assert "bad-1" not in detail.text and "kidnap" not in detail.text


def test_a_large_backlog_is_counted_in_the_background_and_the_report_says_so(make_site, monkeypatch) -> None:
    site = make_site()
    desk = site.client("desk")
    desk_post(desk, ICE_RELEASE_DATE)
    desk_post(desk, {**ICE_RELEASE_DATE, "agency": "FBI", "purpose_category": "criminal"})
    monkeypatch.setattr(site_module, "INLINE_CATCH_UP", 1)  # two new entries: more than a request counts itself
    release = threading.Event()
    real = PublicRecord.catch_up

    def held_back(self, decision_log, wait: bool = True) -> int:
        if wait:  # the background count waits until the test has seen the page meanwhile
            release.wait(10)
        return real(self, decision_log, wait)

    monkeypatch.setattr(PublicRecord, "catch_up", held_back)
    public = site.client()
    meanwhile = public.get("/report")
    assert meanwhile.status_code == 200 and "Counting the log: 0 of its 2 entries" in meanwhile.text
    release.set()
    for _ in range(100):
        done = public.get("/report").text
        if "Counting the log" not in done:
            break
        time.sleep(0.05)
    assert "Counting the log" not in done and '<dd class="n">2</dd>' in done


def test_laws_and_rights_say_so_while_the_rules_are_not_loaded(make_site) -> None:
    client = make_site(["no-such-profile"]).client()
    for path in ("/laws", "/rights"):
        down = client.get(path, params={"lang": "en"})  # a language chosen with ?lang= stays chosen: choose again
        assert down.status_code == 503 and "The rules could not be loaded" in down.text and "no-such-profile" in down.text
        spanish = client.get(path, params={"lang": "es"})
        assert spanish.status_code == 503 and "No se pudieron cargar las reglas" in html.unescape(spanish.text)


def test_laws_compare_shows_the_same_requests_under_each_place(make_site) -> None:
    client = make_site().client()
    page = html.unescape(client.get("/laws/compare").text)
    for title in ("City of Chicago, Illinois", "A California law-enforcement agency", "An Oregon public body (law enforcement)"):
        assert title in page
    assert "ICE asks when a person in custody will be released" in page and "decided differently" in page
    assert "The police do not answer ICE about a person" in page  # the deciding rule's own words in its cell
    two = html.unescape(client.get("/laws/compare", params=[("j", "chicago"), ("j", "california")]).text)
    assert "A Washington law-enforcement agency</th>" not in two and "Una agencia" not in two
    spanish = html.unescape(client.get("/laws/compare", params={"lang": "es"}).text)
    assert "Una agencia policial de California" in spanish and "ICE pregunta cuándo saldrá en libertad" in spanish
    bad = client.get("/laws/compare", params=[("j", "chicago"), ("j", "atlantis"), ("lang", "en")])
    assert bad.status_code == 422 and "Check the places to compare" in bad.text
    assert "j: 'atlantis' is not one of the places on the list" in html.unescape(bad.text) and "YYYY-MM-DD" not in bad.text
    bad_es = html.unescape(client.get("/laws/compare", params={"j": "atlantis", "lang": "es"}).text)
    assert "j: 'atlantis' no es uno de los lugares de la lista" in bad_es and "AAAA-MM-DD" not in bad_es
