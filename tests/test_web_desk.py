"""The desk's words: dates as people type them, what the officer reads out, records as fields, and
the staff list in pages with its CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

import pytest

from sanctuary.agencies import load_registry
from sanctuary.policy.engine import DEFAULT_DENY, PolicyEngine
from sanctuary.policy.jurisdictions import jurisdictions
from sanctuary.web import desk, i18n
from sanctuary.web.deployment import deployment
from test_web_pages import ICE_RELEASE_DATE, desk_post
from web_app import make_site  # noqa: F401 - fixture


@pytest.mark.parametrize(
    ("typed", "iso"),
    [
        ("1988-03-14", "1988-03-14"),
        ("03/14/1988", "1988-03-14"),
        ("3/14/1988", "1988-03-14"),
        ("03-14-1988", "1988-03-14"),
        ("3.4.1990", "1990-03-04"),
    ],
)
def test_dates_of_birth_as_people_type_them(typed: str, iso: str) -> None:
    assert desk.date_of_birth(typed, today=date(2026, 1, 1)) == iso


@pytest.mark.parametrize(
    ("typed", "why"), [("14/03/1988", "calendar"), ("03/14/88", "four digits"), ("yesterday", "not a date"), ("2030-01-01", "cannot be")]
)
def test_a_date_that_is_not_one_names_the_field(typed: str, why: str) -> None:
    with pytest.raises(desk.FormError) as caught:
        desk.date_of_birth(typed, today=date(2026, 1, 1))
    assert caught.value.field == "subject_dob" and why in caught.value.said(lambda m: m)


def test_an_agreement_at_the_desk_names_the_system_it_would_open_and_nothing_else() -> None:
    form = {"channel": "phone", "kind": "agreement", "agency": "ICE-HSI", "purpose_text": "direct access", "system": "CLEAR"}
    built = desk.build_request(form, [], {})
    assert built["kind"] == "agreement" and built["resource"] == {"system": "CLEAR"}
    with pytest.raises(desk.FormError) as caught:
        desk.build_request({**form, "search_type": "person"}, [], {})
    assert caught.value.field == "fields"


def chicago() -> PolicyEngine:
    return PolicyEngine.for_jurisdiction(jurisdictions().by_name["chicago"].name, load_registry())


def read_out(say: str) -> tuple[int, int]:
    """Sentences and words of what the officer reads out."""
    return len([s for s in re.split(r"(?<=[.!?])\s+", say.strip()) if s]), len(say.split())


@pytest.mark.parametrize("lang", i18n.languages())
def test_what_to_say_is_two_sentences_forty_words_with_the_leading_clause(lang: str) -> None:
    engine = chicago()
    words = i18n.gettext_for(lang)
    department = deployment("chicago").department(lang)
    rules = [r for r in engine.rules.values() if r.effect == "forbid" and r.profile != "baseline"]
    held = {"reason": "verification_required", "reference": "H-0123456789abcdef", "lifts": [rules[0].id]}
    decisions = {
        "deny": {"decision": "deny", "rules": [r.id for r in rules[:6]], "citations": [r.citation for r in rules[:6]], "log_index": 12345},
        "held": {"decision": "deny", "rules": [rules[0].id], "citations": [rules[0].citation], "held": held, "log_index": 1},
        "permit": {"decision": "permit", "rules": [], "citations": [], "redact": ["alpr_read", "immigration_status"], "log_index": 2},
        "unregistered": {"decision": "deny", "failure": "unregistered", "citations": ["unregistered requester"], "log_index": 3},
        "error": {"decision": "deny", "error": "subject.dob: " + "x" * 300, "citations": [], "log_index": 4},
        "baseline": {"decision": "deny", "rules": [], "citations": [DEFAULT_DENY], "log_index": 5},
    }
    long_name = "Oficina del Sheriff del Condado de Polk (Florida)"
    for name, decision in decisions.items():
        for found in (None, 0, 3):
            said = desk.script(decision, engine, long_name, found, frozenset({"immigration_status"}), words, lang, department)
            sentences, count = read_out(said.say)
            assert sentences <= 2 and count <= desk.SCRIPT_WORDS, f"{lang} {name}: {said.say!r}"
    lead = i18n.citation(rules[0].citation, lang)
    assert lead in desk.script(decisions["deny"], engine, "ICE", None, frozenset(), words, lang, department).say
    assert lead in desk.script(decisions["held"], engine, "ICE", None, frozenset(), words, lang, department).say
    permit = desk.script(decisions["permit"], engine, "FBI", 0, frozenset({"warrant"}), words, lang, department)
    assert permit.withheld == [] and ("no record" in permit.say or "ningún registro" in permit.say)  # not asked: not said
    asked = desk.script(decisions["permit"], engine, "FBI", 1, frozenset({"immigration_status"}), words, lang, department)
    assert len(asked.withheld) == 1 and "_" not in asked.say
    # The baseline's refusal names no clause as forbidding it: no rule allows it, said as such.
    baseline = desk.script(decisions["baseline"], engine, "FEMA", None, frozenset(), words, lang, department).say
    assert "forbids" not in baseline and "prohíbe" not in baseline
    assert (
        words("The %(department)s will not do this: no rule of the law in force here allows it.") % {"department": department} in baseline
    )
    assert ("Chicago Police Department" if lang == "en" else "Departamento de Policía de Chicago") in baseline


def test_a_record_is_laid_out_as_labelled_fields_never_json() -> None:
    record = {
        "record_id": "W0000001",
        "kind": "warrant",
        "fields": {"court": "Circuit Court", "issued_on": "2025-12-19", "judge": "Hon. L. W."},
    }
    lines = desk.record_fields(record, lambda m: m, "en")
    assert ("Record", "Warrant") in lines and ("Issued on", "December 19, 2025") in lines and ("Court", "Circuit Court") in lines
    assert not any("{" in value for _, value in lines)
    spanish = dict(desk.record_fields(record, i18n.gettext_for("es"), "es"))
    assert spanish["Emitida el"] == "19 de diciembre de 2025" and spanish["Registro"] == "Orden"


def test_every_field_the_store_hands_out_has_a_name() -> None:
    import tomllib
    from pathlib import Path

    from sanctuary.web import labels

    mapped = tomllib.loads((Path(desk.__file__).parents[1] / "records" / "categories.toml").read_text(encoding="utf-8"))
    assert set(mapped) <= set(labels.RECORD_KINDS)
    assert {f for fields in mapped.values() for f in fields} <= set(labels.RECORD_FIELDS)
    from sanctuary.models import DOCUMENT_TYPES

    assert set(DOCUMENT_TYPES) == set(labels.DOCUMENTS)


def test_the_staff_list_pages_by_fifty_and_downloads_every_match_as_csv(make_site) -> None:
    site = make_site(["illinois-trust", "chicago-2021", "illinois-alpr"])
    for n in range(62):
        body = {"id": f"p-{n}", "kind": "custody_inquiry", "requester": {"agency": "CBP-USBP" if n % 2 else "FBI"}}
        body["resource"] = {"fields": ["custody_status"]}
        site.api({**body, "subject": {"person_id": "P0000001"}, "purpose": {"category": "criminal", "text": "armed robbery"}})
    staff = site.client("oversight")
    first = staff.get("/decisions").text
    assert first.count('<tr class="') == 50 and "Decisions 1 to 50 of 62, newest first." in first
    assert 'id="newer"' not in first and "U.S. Border Patrol" in first and "CBP-USBP" not in first  # names, not codes
    older = re.search(r'href="/decisions\?before=(\d+)" rel="next" id="older"', first)
    second = staff.get(f"/decisions?before={older.group(1)}").text
    assert second.count('<tr class="') == 12 and "Decisions 51 to 62 of 62" in second and 'id="older"' not in second
    assert 'href="/decisions?" rel="prev" id="newer"' in second  # back to the first page
    filtered = staff.get("/decisions", params={"family": "DOJ"}).text
    assert "31 of 62 decisions match." in html_text(filtered)
    download = staff.get("/decisions.csv", params={"family": "DOJ"})
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert len(rows) == 31 and {r["requester"] for r in rows} == {"FBI"} and rows[0]["requester_name"] == "Federal Bureau of Investigation"
    assert site.client().get("/decisions.csv").status_code == 303  # staff only: sign in first
    public = site.client().get("/report/decisions", params={"lang": "es"}).text
    assert "Decisiones 1 a 25 de 62" in public and "Patrulla Fronteriza de EE. UU." in public


def html_text(page: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_desk_remembers_the_officers_language_and_accepts_a_us_date(make_site) -> None:
    site = make_site()
    officer = site.client("desk")
    officer.get("/desk", params={"lang": "es"})
    answer = desk_post(officer, {**ICE_RELEASE_DATE, "subject_dob": "03/14/1988"})
    assert '<html lang="es">' in answer.text and "DENEGADA" in answer.text and "1988-03-14" in answer.text
    entry = json.loads(site.app.state.gateway.log.get().entry(0))
    assert entry["kind"] == "custody_inquiry"
    wrong = desk_post(officer, {**ICE_RELEASE_DATE, "subject_dob": "14/03/1988"})
    assert wrong.status_code == 422 and "subject_dob" in wrong.text and site.app.state.gateway.log.get().size() == 1
