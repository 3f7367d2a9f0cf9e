"""Flag codes, and what one distinct purpose text or one organisation contributes to them.

A scan classifies each DISTINCT reason (and text prompt, and offense type) once with the purpose
screen, and each distinct organisation once with the resolver, then joins those few rows back onto
the millions of searches in SQL.

IMMIGRATION_PURPOSE is the pipeline's own predicate (`policy.immigration.immigration_purpose`), the
one the decisions and the reports use. An export row is not a request: it has no documents (so no
verified criminal warrant) and no declared purpose category, so nothing in it can show a criminal
purpose, and the predicate reads only its words and the agencies it would be judged as (the
searching organisation's readings, and each agency its words name). With nothing to show a criminal
purpose the predicate is an OR over those parts, so each distinct text and each organisation is
judged once and the row is flagged when any of its parts is. Each text is screened on its own (the
pipeline screens a request's fields together). Who asked is apart: IMMIGRATION_AGENCY and
DHS_COMPONENT, for the searching organisation or an agency its words name as the one it serves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sanctuary.agencies import Agency, Registry
from sanctuary.policy.immigration import by_words, immigration_agency, immigration_purpose
from sanctuary.retro.orgs import Org
from sanctuary.screening import screen
from sanctuary.screening.purpose import NEEDS_REVIEW

CODES: dict[str, str] = {
    "IMMIGRATION_PURPOSE": (
        "the search was for civil immigration enforcement, as the pipeline decides it: its words say so, or the searching "
        "organisation or an agency its words name does civil immigration enforcement (ERO) or has a 287(g) agreement "
        "(an export shows no criminal purpose)"
    ),
    "IMMIGRATION_AGENCY": "who asked: the searching organisation, or an agency its words name, is an immigration-enforcement agency",
    "DHS_COMPONENT": "the searching organisation, or an agency its words name, is part of the Department of Homeland Security",
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
    immigration: bool  # IMMIGRATION_PURPOSE (policy.immigration)
    vague: bool
    case_only: bool
    evidence: str | None
    review: bool = False  # needs_review: immigration-adjacent and ambiguous, listed apart from the direct flags
    agency: bool = False  # names an immigration-enforcement agency as the one it serves (IMMIGRATION_AGENCY)
    dhs: bool = False  # names a DHS agency (DHS_COMPONENT)


def is_case_number(text: str) -> bool:
    """ "25-136102", "2026-0380", "Case #CR25-00123": a case number and nothing else."""
    return bool(_CASE_NUMBER.fullmatch(text.strip())) and sum(c.isdigit() for c in text) >= _MIN_CASE_DIGITS


def classify_purpose(text: str, registry: Registry) -> PurposeFlags:
    """One distinct purpose text or case number through the purpose screen and the predicate. A case
    number is screened too ("ERO-2025-0113" names ERO); one that says nothing else is CASE_NUMBER_ONLY."""
    result = by_words(screen(text))
    named = [registry.get(a) for a in result.agencies if _known(registry, a)]
    verdict = immigration_purpose(
        declared=None, screened=result.category, acting=[reading for a in named for reading in registry.readings(a.id)]
    )
    agency = immigration_agency(result.agencies, registry)
    dhs = any(a.dhs for a in named)
    spans = ", ".join(f"{e.text!r} ({e.rule})" for e in result.evidence) or "no span"
    review = result.category == NEEDS_REVIEW and not verdict.immigration
    if verdict.immigration or agency or dhs:
        names = f"; names {', '.join(a.id for a in named)}" if named else ""
        why = f"; {verdict.reason}" if verdict.immigration else ""
        evidence = f"{result.category}: {spans}{names}{why}"
        return PurposeFlags(text, verdict.immigration, False, False, evidence, review=review, agency=agency, dhs=dhs)
    if review:
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


def acting(org: Org, registry: Registry) -> list[Agency]:
    """The agencies a request from `org` would be judged as: each reading of the registry agency it
    resolved to; an organisation on ICE's 287(g) list is a 287(g) agency whatever the registry says."""
    found = list(registry.readings(org.resolved_id)) if org.resolved_id else []
    if org.has_287g and not any(a.has_287g for a in found):
        found.append(Agency(id=org.resolved_id or org.name, name=org.name, level=org.level or "", state=org.state or "", has_287g=True))
    return found


def org_flags(org: Org, home_state: str, registry: Registry) -> dict:
    """The row an organisation adds to the scan's `orgs` table: its flags and why."""
    verdict = immigration_purpose(declared=None, screened=None, acting=acting(org, registry))
    reasons = [f"immigration purpose ({verdict.reason})"] if verdict.immigration else []
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
        "immigration_purpose": verdict.immigration,
        "dhs": org.dhs,
        "has_287g": org.has_287g,
        "out_of_state": out_of_state,
        "evidence": f"org {where}: {', '.join(reasons)}" if reasons else None,
        "how": org.how,
    }
