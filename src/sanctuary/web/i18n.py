"""The pages' languages: gettext catalogs read with Babel, one per language, beside the templates.

Messages are written in English in the templates (`{% trans %}`, `_()`) and in code (`N_()`, which
only marks them for extraction); each other language is a catalog,
`locales/<lang>/LC_MESSAGES/messages.po`. The catalogs are compiled in memory when first used
(Babel's read_po and write_mo), so a .po file is the one thing to edit and no .mo can go stale.
Adding a language is adding its catalog (`pybabel init`, see docs/web.md) and the rules' own texts
for it (`@explain_<lang>`, `title_<lang>`), no Python.

The rules' texts are not here: they stay in the rules' annotations and the profiles' files. What
must be said one way everywhere and is data rather than a message (legal terms, the agencies' names,
the words of the citations) is in each language's glossary, `locales/<lang>/glossary.toml`.
"""

from __future__ import annotations

import gettext
import io
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = Path(__file__).parent / "locales"
SOURCE = "en"  # the language the messages are written in


def N_(text: str) -> str:
    """Mark `text` for the catalogs; it is translated where it is shown, in the reader's language."""
    return text


def NP_(context: str, text: str) -> tuple[str, str]:
    """Mark `text` for the catalogs in a context (the same English, other words elsewhere: "Denied"
    heading a count, "Denied" of one decision); shown with `pgettext(*marked)`."""
    return context, text


@cache
def languages() -> tuple[str, ...]:
    """The source language, then every language that has a catalog."""
    found = sorted(p.parent.parent.name for p in LOCALES.glob("*/LC_MESSAGES/messages.po"))
    return (SOURCE, *(lang for lang in found if lang != SOURCE))


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of `lang` (the source language translates to itself)."""
    if lang == SOURCE or lang not in languages():
        return gettext.NullTranslations()
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def localized(thing: object, name: str, lang: str) -> str:
    """`thing`'s text `name` in `lang` (its `<name>_<lang>` attribute, as in `title_es`), or the
    source language's when it has none in `lang`."""
    source: str = getattr(thing, name)
    return source if lang == SOURCE else getattr(thing, f"{name}_{lang}", "") or source


def gettext_for(lang: str):  # noqa: ANN201 - a gettext function
    return translations(lang).gettext


def lang_of(value: str | None) -> str:
    """`value` if it is one of the languages, else the source language."""
    return value if value in languages() else SOURCE


def negotiate(asked: str | None, accept_language: str | None) -> str:
    """The language of a page: `?lang=` when it names one of ours, else the browser's preference."""
    if asked in languages():
        return asked
    preferred = []
    for part in (accept_language or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            preferred.append((float(q) if q else 1.0, tag.strip().replace("-", "_")))
        except ValueError:
            continue
    ordered = [tag for _, tag in sorted(preferred, key=lambda p: -p[0]) if tag and tag != "*"]
    return negotiate_locale(ordered, list(languages()), sep="_") or SOURCE


@cache
def language_name(lang: str) -> str:
    """The language's name in that language ("English", "español")."""
    return Locale.parse(lang).get_display_name(lang) or lang


@cache
def glossary(lang: str) -> dict[str, dict[str, Any]]:
    """`locales/<lang>/glossary.toml`: [terms], [agencies], [citations], [titles] (empty for the
    source language, or a language without one)."""
    path = LOCALES / lang / "glossary.toml"
    if lang == SOURCE or not path.exists():
        return {"terms": {}, "agencies": {}, "citations": {}, "titles": {}}
    with path.open("rb") as handle:
        found = tomllib.load(handle)
    return {part: found.get(part, {}) for part in ("terms", "agencies", "citations", "titles")}


def agency_name(agency_id: str, lang: str) -> str:
    """An agency's name in `lang` (its glossary), or '' (the source language: the registry's name)."""
    return str(glossary(lang)["agencies"].get(agency_id, ""))


# "5 ILCS 805/15 (non-public databases)": a code section, then words in parentheses (a section's
# own letters in parentheses, "MCC 2-173-020(a)(3)", follow it without a space and are not words).
_TITLED = re.compile(r"^(?P<code>.*?\S) \((?P<title>[^()]*[a-z]{3,}[^()]*)\)$")


def citation(text: str, lang: str) -> str:
    """A citation as a reader of `lang` reads it: code sections as written, words in `lang` (the
    glossary's [citations] for a citation in words, [titles] for the words after a code section)."""
    if lang == SOURCE:
        return text
    words = glossary(lang)
    if text in words["citations"]:
        return str(words["citations"][text])
    for start, said in words["citations"].items():
        if text.startswith(f"{start} "):
            return f"{said}{text[len(start) :]}"
    found = _TITLED.match(text)
    if found and found["title"] in words["titles"]:
        return f"{found['code']} ({words['titles'][found['title']]})"
    return text
