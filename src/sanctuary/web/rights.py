"""/rights: what the police will and will not do if an immigration agency asks, from the active rules.

The text is the rules' own `@explain` / `@explain_es` annotations, grouped by effect, so the page
changes when the loaded profiles (the law) change; nothing here restates a rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from sanctuary.policy.engine import PolicyEngine


@dataclass(frozen=True)
class Right:
    text: str
    citation: str
    rule: str
    translated: bool  # False when the rule has no Spanish text and the English is shown


@dataclass(frozen=True)
class Rights:
    laws: list[tuple[str, str]]  # (title, in force)
    will_not: list[Right]
    may: list[Right]


def rights(engine: PolicyEngine, lang: str) -> Rights:
    will_not: list[Right] = []
    may: list[Right] = []
    seen: set[str] = set()
    for rule in engine.rules.values():
        if rule.profile == "baseline":  # "a registered agency may ask": not a statement of the law
            continue
        spanish = lang == "es" and bool(rule.explain_es)
        text = rule.explain_es if spanish else rule.explain
        if text in seen:
            continue
        seen.add(text)
        right = Right(text, rule.citation, rule.id, spanish or lang == "en")
        (will_not if rule.effect == "forbid" else may).append(right)
    return Rights([(p.title, p.in_force) for p in engine.profiles], will_not, may)
