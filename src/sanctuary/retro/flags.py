"""Flag codes, and what one distinct purpose text or one organisation contributes to them.

A scan classifies each DISTINCT reason (and text prompt, and offense type) once with the purpose
screen, and each distinct organisation once with the resolver, then joins those few rows back onto
the millions of searches in SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sanctuary.agencies import Registry
from sanctuary.retro.orgs import Org
from sanctuary.screening import screen

CODES: dict[str, str] = {
    "IMMIGRATION_PURPOSE": "the stated purpose is civil immigration, or names an immigration agency (purpose screen)",
    "IMMIGRATION_AGENCY": "the searching organisation is an immigration-enforcement agency",
    "DHS_COMPONENT": "the searching organisation is part of the Department of Homeland Security",
    "HAS_287G": "the searching organisation has a 287(g) agreement with ICE",
    "OUT_OF_STATE": "the searching organisation is in another state",
    "NATIONAL_LOOKUP": "the search reached more networks than the national-lookup threshold",
    "VAGUE_REASON": "the reason is blank, redacted or too vague to check",
    "CASE_NUMBER_ONLY": "the reason is only a case number",
    "PROXY_PATTERN": "the same plate or person was searched shortly after an immigration agency asked for it",
    "NEEDS_REVIEW": "the stated purpose or case number is immigration-adjacent and ambiguous: a person should look (purpose screen)",
}
# Codes that point at immigration enforcement itself; the others are risk factors to look into.
DIRECT = ("IMMIGRATION_PURPOSE", "IMMIGRATION_AGENCY", "DHS_COMPONENT", "PROXY_PATTERN")

_CASE_NUMBER = re.compile(r"(?:case|cad|inc|incident|rpt|report|cr|dr|no\.?|#)?\s*[#:]?\s*[A-Z]{0,4}[-\s]?\d[\d\-/.]*[A-Z]?", re.IGNORECASE)
_MIN_CASE_DIGITS = 4


@dataclass(frozen=True)
class PurposeFlags:
    value: str
    immigration: bool
    vague: bool
    case_only: bool
    evidence: str | None
    review: bool = False  # needs_review: immigration-adjacent and ambiguous, listed apart from the direct flags


def is_case_number(text: str) -> bool:
    """ "25-136102", "2026-0380", "Case #CR25-00123": a case number and nothing else."""
    return bool(_CASE_NUMBER.fullmatch(text.strip())) and sum(c.isdigit() for c in text) >= _MIN_CASE_DIGITS


def classify_purpose(text: str, registry: Registry) -> PurposeFlags:
    """One distinct purpose text or case number through the purpose screen. A case number is screened
    too ("ERO-2025-0113" names ERO); one that says nothing else is CASE_NUMBER_ONLY."""
    result = screen(text)
    named = [registry.get(a) for a in result.agencies if _known(registry, a)]
    immigration_agencies = [a.id for a in named if a.immigration_enforcement or a.dhs]
    spans = ", ".join(f"{e.text!r} ({e.rule})" for e in result.evidence) or "no span"
    if result.category == "civil_immigration" or immigration_agencies:
        names = f"; names {', '.join(immigration_agencies)}" if immigration_agencies else ""
        return PurposeFlags(text, True, False, False, f"{result.category}: {spans}{names}")
    if result.category == "needs_review":
        return PurposeFlags(text, False, False, False, f"needs_review: {spans}", review=True)
    if is_case_number(text):
        return PurposeFlags(text, False, False, True, "is a case number only")
    if result.category == "vague":
        return PurposeFlags(text, False, True, False, "is vague")
    return PurposeFlags(text, False, False, False, None)


def _known(registry: Registry, agency_id: str) -> bool:
    try:
        registry.get(agency_id)
    except KeyError:
        return False
    return True


def org_flags(org: Org, home_state: str) -> dict:
    """The row an organisation adds to the scan's `orgs` table: its flags and why."""
    reasons = []
    if org.immigration:
        reasons.append("immigration enforcement")
    if org.dhs:
        reasons.append("DHS component")
    if org.has_287g:
        reasons.append("287(g) agreement")
    out_of_state = org.out_of(home_state)
    if out_of_state:
        reasons.append("out of state")
    where = org.resolved_id or f"{org.level or '?'}, {org.state or '?'}"
    return {
        "name": org.name,
        "resolved_id": org.resolved_id,
        "level": org.level,
        "state": org.state,
        "resolved": org.resolved,
        "immigration": org.immigration,
        "dhs": org.dhs,
        "has_287g": org.has_287g,
        "out_of_state": out_of_state,
        "evidence": f"org {where}: {', '.join(reasons)}" if reasons else None,
        "how": org.how,
    }
