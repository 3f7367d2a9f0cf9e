"""The rules in force as people read them: each rule's own words, from its annotations.

Nothing here restates the law: a rule's plain words are its `@explain` (`@explain_es` in Spanish),
a profile's title is its `title` (`title_es`) in profile.toml. The few citations that are not a
rule (no rule permits; the request could not be decided) have their words in the catalogs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sanctuary.pipeline import FAIL_CLOSED
from sanctuary.policy.engine import DEFAULT_DENY, PolicyEngine, Rule
from sanctuary.policy.profiles import Profile
from sanctuary.web.i18n import N_, SOURCE, citation, gettext_for

NOT_RULES = {  # citation -> (short name, plain words)
    DEFAULT_DENY: (
        N_("No rule allows it"),
        N_("No rule allows this request, so it is refused: nothing is shared unless a rule of the law allows it."),
    ),
    FAIL_CLOSED: (
        N_("Could not be decided"),
        N_("The request could not be decided (an error, or a service was unavailable), so it was refused."),
    ),
}
BASELINE = {  # the baseline's rules (policy/baseline/baseline.cedar): the department's, not a law's
    "baseline:law-enforcement": (
        N_("Registered agency"),
        N_("The agency is registered as a law-enforcement agency, and no rule of the law forbids the request."),
    ),
    "baseline:public-agency": (
        N_("Registered agency"),
        N_("The agency is registered as a public agency, the department answers every one, and no rule of the law forbids the request."),
    ),
}
_IN_FORCE = re.compile(r"^(\S+) to (\S+)$")


def rule_text(rule: Rule, lang: str) -> str:
    """The rule's plain words in `lang` (its annotation for that language); '' when it has none."""
    return rule.explain if lang == SOURCE else getattr(rule, f"explain_{lang}", "")


def profile_title(profile: Profile, lang: str) -> str:
    return profile.title if lang == SOURCE else getattr(profile, f"title_{lang}", "")


def in_force(text: str, lang: str) -> str:
    """A profile's "2021-01-27 to date" in words of `lang`."""
    words = gettext_for(lang)
    found = _IN_FORCE.match(text.strip())
    if not found:
        return text
    start, end = found.groups()
    if end == "date":
        return words(N_("in force since %(start)s")) % {"start": start}
    return words(N_("in force from %(start)s to %(end)s")) % {"start": start, "end": end}


@dataclass(frozen=True)
class Clause:
    name: str  # the citation in the reader's language (i18n.citation), or a short name for what is not a clause of a law
    words: str  # the plain words, in the reader's language
    law: bool = True  # a clause of a law (not the baseline, "no rule allows it", "could not be decided")


def clauses(engine: PolicyEngine | None, lang: str) -> dict[str, Clause]:
    """Citation -> its name and plain words in `lang`: the first rule that cites it, or the catalog."""
    words = gettext_for(lang)
    found = {citation: Clause(words(name), words(text), law=False) for citation, (name, text) in NOT_RULES.items()}
    for rule in engine.rules.values() if engine is not None else ():
        if rule.citation in found:
            continue
        if rule.profile == "baseline":
            name, text = BASELINE[rule.id]
            found[rule.citation] = Clause(words(name), words(text), law=False)
        else:
            found[rule.citation] = Clause(citation(rule.citation, lang), rule_text(rule, lang))
    return found


@dataclass(frozen=True)
class LawRule:
    citation: str
    effect: str  # permit | forbid
    text: str
    rule: str


@dataclass(frozen=True)
class Law:
    name: str
    title: str
    in_force: str
    sources: tuple[str, ...]
    rules: list[LawRule]


def laws(engine: PolicyEngine, lang: str) -> list[Law]:
    """The profiles in force, each with its rules in plain words (the baseline is not a law)."""
    out = []
    for profile in engine.profiles:
        if profile.name == "baseline":
            continue
        rules = [
            LawRule(r.citation, r.effect, rule_text(r, lang), r.id)
            for r in sorted(engine.rules.values(), key=lambda r: r.citation)
            if r.profile == profile.name
        ]
        out.append(Law(profile.name, profile_title(profile, lang), in_force(profile.in_force, lang), profile.sources, rules))
    return out
