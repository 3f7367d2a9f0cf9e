"""/rights: what the police will and will not do if an immigration agency asks, whom to call.

"Will not" is the active rules' own plain words (their `@explain` / `@explain_<lang>` annotations),
so the page changes when the law the server runs changes. "Will do" is what those same rules leave
standing (their `unless` / `!` exceptions: a judicial criminal warrant, a criminal purpose), said in
the catalogs' words with the clauses that make the exception. Contacts (whom to call, how to
complain) come from the department's file (`SANCTUARY_CONTACTS`, TOML; `sanctuary serve --demo`
uses the shipped demo file); without one the page says they are not set.
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sanctuary.policy.engine import PolicyEngine
from sanctuary.web.i18n import N_, SOURCE, gettext_for
from sanctuary.web.laws import in_force, profile_title, rule_text

log = logging.getLogger("sanctuary.web")
DEMO_CONTACTS = Path(__file__).parent / "contacts.demo.toml"

# What the rules leave standing, and the clauses whose exception says so (shown when one is in force).
WILL = (
    (
        N_("The police act on a warrant signed by a judge in a criminal case (a judicial criminal warrant), as they would for anyone."),
        ("MCC 2-173-020(a)(1)", "MCC 2-173-020(a)(5)", "5 ILCS 805/15 (detainers and civil immigration warrants)"),
    ),
    (
        N_("They share citizenship or immigration status only when a court order or judicial warrant requires it."),
        ("MCC 2-173-030(a)(1)",),
    ),
    (
        N_(
            "They work with other agencies, federal ones included, on criminal investigations whose purpose is not civil immigration enforcement."
        ),
        ("MCC 2-173-030(b)", "MCC 2-173-020(a)"),
    ),
)

GLOSSARY = (
    (
        N_("Immigration detainer (form I-247)"),
        N_("A request from ICE to keep a person in jail after they would be released, so ICE can take them. It is not signed by a judge."),
    ),
    (
        N_("Administrative warrant (forms I-200, I-205)"),
        N_("A form signed by an immigration officer, not by a judge. It is not a judicial warrant."),
    ),
    (N_("Judicial criminal warrant"), N_("An order signed by a judge in a criminal case. The police act on it.")),
    (
        N_("NCIC"),
        N_(
            "The FBI's National Crime Information Center, a database police check; it can hold immigration entries that are administrative, not criminal."
        ),
    ),
    (N_("MCC"), N_("Municipal Code of Chicago; chapter 2-173 is the Welcoming City Ordinance.")),
    (N_("ILCS"), N_("Illinois Compiled Statutes; 5 ILCS 805 is the Illinois TRUST Act.")),
    (
        N_("ICE, CBP, USCIS"),
        N_(
            "Immigration and Customs Enforcement, Customs and Border Protection, Citizenship and Immigration Services: parts of the Department of Homeland Security (DHS)."
        ),
    ),
    (N_("Civil immigration enforcement"), N_("Action to find, hold or deport a person for an immigration reason, not for a crime.")),
)
# Terms of GLOSSARY that are codes of law: explained only where a citation in force names the code, so
# a page under another place's law never explains Chicago's or Illinois's.
CODES = frozenset({"MCC", "ILCS"})

WHAT_TO_DO = (
    N_("You do not have to answer questions about where you were born or your immigration status."),
    N_("Ask whether the officer has a warrant signed by a judge, and ask to see it."),
    N_("Write down the officer's name, badge number, agency and what happened, with the date and time."),
    N_(
        "If the police did something this page says they will not do, you can complain (see below); you do not need to give your immigration status to complain."
    ),
)


@dataclass(frozen=True)
class Right:
    text: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class Rights:
    laws: list[tuple[str, str]]  # (title, in force)
    will_not: list[Right]
    will: list[Right]


def rights(engine: PolicyEngine, lang: str) -> Rights:
    words = gettext_for(lang)
    will_not: dict[str, list[str]] = {}
    for rule in engine.rules.values():
        if rule.profile == "baseline" or rule.effect != "forbid":
            continue
        will_not.setdefault(rule_text(rule, lang), []).append(rule.citation)
    cited = {r.citation for r in engine.rules.values()}
    will = [Right(words(text), tuple(c for c in clauses if c in cited)) for text, clauses in WILL if cited.intersection(clauses)]
    return Rights(
        [(profile_title(p, lang), in_force(p.in_force, lang)) for p in engine.profiles if p.name != "baseline"],
        [Right(text, tuple(c)) for text, c in will_not.items()],
        will,
    )


def glossary(engine: PolicyEngine) -> list[tuple[str, str]]:
    """The words the page explains under `engine`'s rules (msgids): every term but a code of law no
    citation in force names."""
    named = {word for rule in engine.rules.values() for word in rule.citation.split()}
    return [(term, meaning) for term, meaning in GLOSSARY if term not in CODES or term in named]


@dataclass(frozen=True)
class Contact:
    name: str
    what: str
    phone: str
    web: str
    email: str


@dataclass(frozen=True)
class Contacts:
    source: str  # "file", "demo", "unreadable" or "" (not set)
    call: list[Contact]
    complain: list[Contact]


def contacts_path() -> Path | None:
    value = os.environ.get("SANCTUARY_CONTACTS", "")
    return Path(value) if value else None


def contacts(path: Path | None, lang: str) -> Contacts:
    """The contacts of the department's file in `lang` (`name_es`, `what_es`, ...); none when unset."""
    path = path or contacts_path()
    if path is None:
        return Contacts("", [], [])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        log.error("contacts file %s unreadable: %s", path, exc)
        return Contacts("unreadable", [], [])

    def one(spec: dict) -> Contact:
        local = (lambda k: spec.get(k, "")) if lang == SOURCE else (lambda k: spec.get(f"{k}_{lang}") or spec.get(k, ""))
        return Contact(local("name"), local("what"), spec.get("phone", ""), spec.get("web", ""), spec.get("email", ""))

    source = "demo" if path.resolve() == DEMO_CONTACTS.resolve() else "file"
    return Contacts(source, [one(c) for c in data.get("call", [])], [one(c) for c in data.get("complain", [])])
