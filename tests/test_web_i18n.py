"""Languages: every message of the pages and every rule text the public pages show exists in Spanish.

The catalog is checked against the messages extracted from the code and templates right now (so a
new English message without its translation fails), the Spanish against English left in, and the
rendered Spanish pages against English words outside the parts marked `lang="en"` (agency names,
commands to type).
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
SAME = {"ICE, CBP, USCIS"}
ENGLISH = re.compile(
    r"\b(the|and|of|with|from|which|what|who|will|you|your|this|that|police|sign|request|requests|rule|rules|"
    r"denied|permitted|decided|quarter|inquiry|detainer|release)\b",
    re.IGNORECASE,
)
PAGES = ("/", "/login", "/report", "/report/decisions", "/report/dictionary", "/laws", "/rights", "/verify", "/no-such-page")


def extracted() -> set[str | tuple[str, str]]:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(WEB), method_map, options, keywords):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def catalog(lang: str):
    with (i18n.LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=lang)


@pytest.mark.parametrize("lang", [lang for lang in i18n.languages() if lang != i18n.SOURCE])
def test_every_message_is_translated_and_none_is_left_in_english(lang: str) -> None:
    messages = {m.id if isinstance(m.id, str) else tuple(m.id): m for m in catalog(lang) if m.id}
    wanted = extracted()
    assert wanted, "no messages extracted: the extraction is broken"
    assert sorted(map(str, wanted - set(messages))) == [], "messages with no translation (run pybabel update, docs/web.md)"
    assert sorted(map(str, set(messages) - wanted)) == [], "translations of messages no longer used"
    for key, message in messages.items():
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(strings), f"empty translation: {key!r}"
        assert not message.fuzzy, f"fuzzy translation: {key!r}"
        ids = [key] if isinstance(key, str) else list(key)
        for string in strings:
            assert string not in ids or key in SAME, f"left in English: {key!r}"
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


def visible_text(page: str) -> str:
    main = page.split('<main id="main" tabindex="-1">', 1)[-1]
    main = re.sub(r'<(\w+)[^>]*\blang="en"[^>]*>.*?</\1>', " ", main, flags=re.S)  # marked English: names, commands
    main = re.sub(r"<(svg|select|pre|code)\b.*?</\1>", " ", main, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


def test_spanish_pages_say_lang_es_and_show_no_english(make_site) -> None:
    site = make_site()
    desk_post(site.client("desk"), ICE_RELEASE_DATE)
    reader = site.client()
    for path in PAGES:
        page = reader.get(path, params={"lang": "es"})
        assert '<html lang="es">' in page.text, path
        english = ENGLISH.findall(re.sub(r"\b(permit|deny|held|all)\b", "", visible_text(page.text)))
        assert english == [], f"{path}: English left: {english}"
    english_page = reader.get("/report")
    assert '<html lang="en">' in english_page.text and "Requests decided" in english_page.text
    browser_prefers_spanish = reader.get("/no-such-page", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert browser_prefers_spanish.status_code == 404 and "Página no encontrada" in browser_prefers_spanish.text


def test_an_unknown_language_falls_back_to_english() -> None:
    assert i18n.negotiate("xx", None) == "en"
    assert i18n.negotiate(None, "fr-FR, es;q=0.5") == "es"
    assert i18n.negotiate("es", "en") == "es"
