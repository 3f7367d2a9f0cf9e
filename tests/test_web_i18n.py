"""Languages: every message of the pages and every rule text the pages show exists in Spanish.

The catalog is checked against the messages extracted from the code and templates right now (so a
new English message without its translation fails), the Spanish against English left in and against
the reviewed glossary's legal terms (locales/es/glossary.toml), the glossary against the registry and
the citations of every shipped profile, and the rendered Spanish pages, public and staff, against
English words, English clause titles, the agencies' English names and internal codes (`permit`,
`judicial_warrant`, `CBP-USBP`). Acronyms (ICE, FBI) and code sections (5 ILCS 805/15) stay as they
are; only commands to type (`<pre>`, `<code>`) and, on staff pages, text marked `lang="en"` (a
verifier's or a scan's own message) are left out.
"""

from __future__ import annotations

import html
import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from sanctuary.agencies import load_registry
from sanctuary.policy.categories import vocabulary
from sanctuary.policy.engine import PolicyEngine
from sanctuary.policy.jurisdictions import jurisdictions
from sanctuary.policy.profiles import available, expand
from sanctuary.web import i18n
from sanctuary.web.rights import DEMO_CONTACTS
from test_web_pages import ICE_RELEASE_DATE, desk_post
from web_app import make_site  # noqa: F401 - fixture

WEB = Path(i18n.__file__).parent
# Words that are the same in Spanish (codes, acronyms, names): the only msgstr allowed to equal its msgid.
SAME = {"ICE, CBP, USCIS", "No", "no"}
ENGLISH = re.compile(
    r"\b(the|and|of|with|from|which|what|who|will|you|your|this|that|police|sign|request|requests|rule|rules|"
    r"denied|permitted|decided|quarter|inquiry|detainer|release)\b",
    re.IGNORECASE,
)
PAGES = (
    "/",
    "/login",
    "/report",
    "/report/decisions",
    "/report/dictionary",
    "/laws",
    "/laws/compare",
    "/rights",
    "/verify",
    "/no-such-page",
)
STAFF_PAGES = (
    "/desk",
    "/desk?agency=HSI&kind=database_query",
    "/desk?agency=DHS&kind=custody_inquiry",
    "/desk?own=1&channel=in_person&kind=database_query",  # a person's own request: her identity check
    "/desk/held",
    "/decisions",
    "/decisions/0",
    "/policy",
    "/policy/whatif",
    "/audit",
)
# A word of an internal code: snake_case (not a file's name, verify_log.py), or an outcome as the log spells it.
CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b(?!\.\w)|\b(?:permit|deny|held)\b")


def extracted() -> set[str | tuple[str, ...]]:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "NP_": ((1, "c"), 2), "pgettext": ((1, "c"), 2)}
    found: set[str | tuple[str, ...]] = set()
    for _file, _line, message, _comments, context in extract_from_dir(str(WEB), method_map, options, keywords):
        key = message if isinstance(message, str) else tuple(message)
        found.add(("ctx", context, key) if context else key)  # type: ignore[arg-type]
    return found


def key_of(message) -> str | tuple[str, ...]:  # noqa: ANN001 - a babel Message
    key = message.id if isinstance(message.id, str) else tuple(message.id)
    return ("ctx", message.context, key) if message.context else key  # type: ignore[return-value]


def catalog(lang: str):
    with (i18n.LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=lang)


@pytest.mark.parametrize("lang", [lang for lang in i18n.languages() if lang != i18n.SOURCE])
def test_every_message_is_translated_and_none_is_left_in_english(lang: str) -> None:
    messages = {key_of(m): m for m in catalog(lang) if m.id}
    wanted = extracted()
    assert wanted, "no messages extracted: the extraction is broken"
    assert sorted(map(str, wanted - set(messages))) == [], "messages with no translation (run pybabel update, docs/web.md)"
    assert sorted(map(str, set(messages) - wanted)) == [], "translations of messages no longer used"
    for key, message in messages.items():
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(strings), f"empty translation: {key!r}"
        assert not message.fuzzy, f"fuzzy translation: {key!r}"
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        for string in strings:
            assert string not in ids or message.id in SAME, f"left in English: {key!r}"
            assert not ENGLISH.search(re.sub(r"'[a-z]+'|%\(\w+\)s|permit|deny|held|all", "", string)), f"English words in {string!r}"


def test_the_rules_and_files_the_public_pages_show_have_their_spanish() -> None:
    registry = load_registry()
    for jurisdiction in jurisdictions().by_name.values():
        names = [p for p in jurisdiction.profiles if p in available()]
        for profile in expand(names):
            assert profile.title_es, f"{profile.name}: no title_es in profile.toml"
        engine = PolicyEngine.load(names, registry)
        for rule in engine.rules.values():
            if rule.profile != "baseline":
                assert rule.explain_es and rule.explain_es != rule.explain, f"{rule.id}: no @explain_es"
        assert jurisdiction.title_es
    for category in [*vocabulary().categories.values(), *vocabulary().groups.values()]:
        assert category.title_es, f"category {category.name}: no title_es"
    demo = tomllib.loads(DEMO_CONTACTS.read_text(encoding="utf-8"))
    for contact in demo["call"] + demo["complain"]:
        assert contact["name_es"] and contact["what_es"]


@pytest.mark.parametrize("lang", [lang for lang in i18n.languages() if lang != i18n.SOURCE])
def test_every_translation_says_a_legal_term_as_the_glossary_does(lang: str) -> None:
    """One reviewed word for each legal term: where the English message has the term, the
    translation has one of the glossary's forms of it (the longest term first: "judicial criminal
    warrant" before "warrant")."""
    terms = sorted(i18n.glossary(lang)["terms"].items(), key=lambda t: -len(t[0]))
    assert terms, f"{lang}: the glossary has no [terms]"
    off = []
    for message in catalog(lang):
        if not message.id:
            continue
        english = re.sub(r"%\(\w+\)s", " ", " ".join([message.id] if isinstance(message.id, str) else message.id).lower())
        said = " ".join([message.string] if isinstance(message.string, str) else message.string).lower()
        for term, forms in terms:
            if re.search(rf"\b{re.escape(term)}\b", english):
                english = re.sub(rf"\b{re.escape(term)}\b", " ", english)
                if not any(form.lower() in said for form in forms):
                    off.append((term, message.id if isinstance(message.id, str) else message.id[0]))
    assert off == [], f"translations that do not use the glossary's term: {off}"


@pytest.mark.parametrize("lang", [lang for lang in i18n.languages() if lang != i18n.SOURCE])
def test_the_glossary_names_every_agency_and_every_citations_words(lang: str) -> None:
    registry = load_registry()
    words = i18n.glossary(lang)
    assert sorted(a.id for a in registry if a.id not in words["agencies"]) == [], "agencies without a Spanish name"
    untranslated = set()
    for name in available():
        for rule in PolicyEngine.load([name], registry).rules.values():
            said = i18n.citation(rule.citation, lang)
            if english_words(said):
                untranslated.add(rule.citation)
    assert sorted(untranslated) == [], "citations whose words are not in the glossary ([citations] or [titles])"


# Words of citations that are abbreviations of the law's own name, not English to translate.
CITATION_WORDS = {"cal", "gov", "code", "veh", "traf", "law", "ilcs", "mcc", "ors", "rcw", "eo", "ab", "sb", "hb"}


def english_words(citation: str) -> list[str]:
    """The words of a citation in `lang` that look English: lower-case words of three letters or
    more that are not the law's own abbreviations (code sections are digits and letters in brackets)."""
    spanish = set("de del la las los el en y o a con sin para por una un no que se su civil personal".split())
    return [
        w
        for w in re.findall(r"[A-Za-zÁÉÍÓÚáéíóúñÑü]+", citation)
        if w.lower() not in CITATION_WORDS
        and w.lower() not in spanish
        and len(w) >= 3
        and w.isascii()
        and w.islower()
        and w.lower() in ENGLISH_HINTS
    ]


ENGLISH_HINTS = set(
    "access and transfer custody release contact information declaration before sharing with out state agency detainers "
    "immigration warrants warrant hold request interviews assistance enforcement enforce interferes reproductive "
    "other lawful health care investigate status databases public recipient certification secondary section "
    "retrieved support operations baseline registered directive mayoral proposed permitting rule default deny fail "
    "closed decided unregistered requester held document verified refused officer review acted".split()
)


def visible_text(page: str, staff: bool = False) -> str:
    main = page.split('<main id="main" tabindex="-1">', 1)[-1].split("</main>", 1)[0]
    if staff:  # a verifier's or a scan's own message, marked as English
        main = re.sub(r'<(\w+)[^>]*\blang="en"[^>]*>.*?</\1>', " ", main, flags=re.S)
    main = re.sub(r"<(svg|pre|code|script)\b.*?</\1>", " ", main, flags=re.S)
    main = re.sub(r'<option value="[^"]*"', "<option", main)  # a choice's value is a code the form sends
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


def english_left(text: str) -> list[str]:
    """English words, an English clause title, an agency's English name or an internal code in `text`."""
    registry = load_registry()
    found = ENGLISH.findall(text)
    found += [title for title in i18n.glossary("es")["titles"] if title in text]
    found += [cited for cited in i18n.glossary("es")["citations"] if cited in text]
    spanish_names = " ".join(i18n.glossary("es")["agencies"].values())
    found += [a.name for a in registry if a.name in text and a.name not in spanish_names]
    found += [a.id for a in registry if "-" in a.id and re.search(rf"(?<![\w-]){re.escape(a.id)}(?![\w-])", text)]
    found += CODE.findall(text)
    return found


def test_spanish_pages_say_lang_es_and_show_no_english(make_site) -> None:
    site = make_site(["illinois-trust", "chicago-2021", "illinois-alpr"])
    desk = site.client("desk")
    desk_post(desk, ICE_RELEASE_DATE)
    site.api(  # a held request: its documents by name, its citations' words in Spanish
        {
            "id": "hsi-1",
            "kind": "database_query",
            "requester": {"agency": "ICE-HSI"},
            "purpose": {"category": "criminal", "text": "narcotics trafficking"},
            "subject": {"person_id": "P0000001"},
            "resource": {"search": {"type": "person"}},
            "documents": [
                {"type": "judicial_warrant", "court": "United States District Court", "signed_by": "Hon. M. Rivera", "criminal": True}
            ],
        }
    )
    reader = site.client()
    for path in PAGES:
        page = reader.get(path, params={"lang": "es"})
        assert '<html lang="es">' in page.text, path
        assert english_left(visible_text(page.text)) == [], f"{path}: English left"
    clients = {role: site.client(role) for role in ("desk", "oversight")}
    for role, paths in (("desk", STAFF_PAGES), ("oversight", ("/retro",))):
        for path in paths:
            page = clients[role].get(path, params={"lang": "es"})
            assert page.status_code in (200, 422) and '<html lang="es">' in page.text, path
            assert english_left(visible_text(page.text, staff=True)) == [], f"{path}: English left"
    typed = {**ICE_RELEASE_DATE, "agency": "ICE ERO", "subject_dob": "03/14/1988"}  # the record shows the agency as typed
    result = desk_post(clients["desk"], typed)  # the language stays chosen, through the form and the redirect
    assert '<html lang="es">' in result.text and "DENEGADA" in result.text
    assert english_left(visible_text(result.text, staff=True)) == [], "the desk's result: English left"
    english_page = reader.get("/report", params={"lang": "en"})
    assert '<html lang="en">' in english_page.text and "Requests decided" in english_page.text
    fresh = site.client()
    browser_prefers_spanish = fresh.get("/no-such-page", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert browser_prefers_spanish.status_code == 404 and "Página no encontrada" in browser_prefers_spanish.text
    staff_prefers_spanish = site.client("oversight").get("/decisions", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert '<html lang="es">' in staff_prefers_spanish.text and "Decisiones" in staff_prefers_spanish.text


def test_the_english_words_check_catches_what_the_spanish_pages_used_to_show() -> None:
    """The check above is not blind: the old /report/decisions row, the old /report clause row."""
    assert english_left("(5 ILCS 805/15 (detainers and civil immigration warrants))")
    assert english_left("Documentos: judicial_warrant / court_order / ncic_ivf")
    assert english_left("U.S. Border Patrol") and english_left("CBP-USBP") and english_left("Denegadas: deny")
    assert english_left("Baseline: registered law-enforcement agency")
    assert english_left("Solicitud de ICE (Servicio de Inmigración y Control de Aduanas de EE. UU.): 5 ILCS 805/15") == []


def test_an_unknown_language_falls_back_to_english() -> None:
    assert i18n.negotiate("xx", None) == "en"
    assert i18n.negotiate(None, "fr-FR, es;q=0.5") == "es"
    assert i18n.negotiate("es", "en") == "es"
