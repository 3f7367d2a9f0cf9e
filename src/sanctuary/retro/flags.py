"""Flag codes, and what one distinct purpose text or one organisation contributes to them.

A scan classifies each DISTINCT reason (and text prompt, offense type, case number) once with the
purpose screen, and each distinct organisation once with the resolver, then joins those few rows back
onto the millions of searches in SQL (`retro/flags.sql`, the same file on DuckDB and on Spark).

Both go through the pipeline's own predicate (`policy.immigration.immigration_purpose`): once for
the words of each text (judged as the agencies they name), once for each organisation that searched
(judged as each of its readings). An export row is not a request: it has no documents and no declared
category, and an audit asks "did this happen?", so the retro audit acts on the predicate's grounds
apart (the gate acts on all of them):

- IMMIGRATION_PURPOSE is evidence in the row itself: a text whose words read as civil immigration
  enforcement or name a form (ground `words`), or whose words name an immigration agency that may be
  ERO (ICE, ERO) as the one the search served (ground `mission`) while no text of the row names a
  crime. Who searched never makes it.
- PRESUMED_IMMIGRATION is the weaker signal: the searching organisation has a 287(g) agreement or
  may be ERO (ground `287g` or `mission` for the organisation), or the words name DHS or a 287(g)
  agency as the one served, and no text of the row names a crime (the screen reads it as criminal:
  a criminal purpose shown) or is evidence.
- Who asked stays apart: IMMIGRATION_AGENCY and DHS_COMPONENT, for the searching organisation or an
  agency its words name as the one it serves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sanctuary.agencies import Agency, Registry
from sanctuary.policy.immigration import CRIMINAL, Ground, by_words, immigration_agency, immigration_purpose
from sanctuary.retro.orgs import Org
from sanctuary.screening import screen
from sanctuary.screening.purpose import NEEDS_REVIEW

CODES: dict[str, str] = {
    "IMMIGRATION_PURPOSE": (
        "evidence in the row itself: its reason, text prompt, offense type or case number reads as civil immigration "
        "enforcement or names an immigration form, or names ICE or ERO as the agency the search served, and no text of "
        "the row names a crime"
    ),
    "IMMIGRATION_AGENCY": "who asked: the searching organisation, or an agency its words name, is an immigration-enforcement agency",
    "DHS_COMPONENT": "the searching organisation, or an agency its words name, is part of the Department of Homeland Security",
    "PROXY_PATTERN": "the same plate or person was searched shortly after an immigration agency asked for it",
    "PRESUMED_IMMIGRATION": (
        "a presumption, not evidence: the searching organisation has a 287(g) agreement or may be ICE's ERO (or the words "
        "name DHS or a 287(g) agency as the one served), and the row shows neither a crime nor immigration evidence"
    ),
    "HAS_287G": "the searching organisation has a 287(g) agreement with ICE",
    "NEEDS_REVIEW": "the stated purpose or case number is immigration-adjacent and ambiguous: a person should look (purpose screen)",
    "VAGUE_REASON": "the reason is blank, redacted or too vague to check",
    "CASE_NUMBER_ONLY": "the reason is only a case number",
    "OUT_OF_STATE": "the searching organisation is in another state",
    "NATIONAL_LOOKUP": "the search reached more networks than the national-lookup threshold",
}
# Codes that point at immigration enforcement itself, on evidence in the row or on who searched.
DIRECT = ("IMMIGRATION_PURPOSE", "IMMIGRATION_AGENCY", "DHS_COMPONENT", "PROXY_PATTERN")
# Weaker signals about purpose: each a reason to look, reported on its own line.
PURPOSE_SIGNALS = ("PRESUMED_IMMIGRATION", "HAS_287G", "NEEDS_REVIEW", "VAGUE_REASON", "CASE_NUMBER_ONLY")
# Who could see the data, not why they searched: reported apart from purpose.
REACH = ("OUT_OF_STATE", "NATIONAL_LOOKUP")
# The grounds the audit reads as evidence in a text (with an immigration agency named, for `mission`),
# and those it reads as a presumption.
EVIDENCE = frozenset({Ground.WORDS})
PRESUMPTION = frozenset({Ground.MISSION, Ground.AGREEMENT})


def code_table() -> list[tuple[int, str]]:
    """Each combination of codes as flags.sql numbers it (bit i: the i-th code of CODES) and as
    flags.parquet writes it (the codes in CODES order, joined by ';'): 2,047 rows, so the string is
    built once per combination rather than once per flagged row."""
    names = list(CODES)
    return [(bits, ";".join(n for i, n in enumerate(names) if bits >> i & 1)) for bits in range(1, 1 << len(names))]


_CASE_NUMBER = re.compile(r"(?:case|cad|inc|incident|rpt|report|cr|dr|no\.?|#)?\s*[#:]?\s*[A-Z]{0,4}[-\s]?\d[\d\-/.]*[A-Z]?", re.IGNORECASE)
_MIN_CASE_DIGITS = 4
# A long run of digits in a text without a letter: a case or report number's serial part. Without a
# letter no rule of the screen can read it as anything but a number (the A-number rules need an "A" or
# immigration words beside it; statutes the screen knows are at most five digits a run), so texts
# that differ only there are classified once (`shape`): a state's exports hold millions of them.
_SERIAL = re.compile(r"\d{6,}")
_SERIAL_SHAPE = "000000"


@dataclass(frozen=True)
class PurposeFlags:
    value: str
    words: bool  # its words read as civil immigration enforcement (ground `words`): evidence
    vague: bool
    case_only: bool
    evidence: str | None
    named: bool = False  # names ICE or ERO as the agency served (ground `mission`): evidence unless a crime is named
    presumed: bool = False  # names DHS or a 287(g) agency as the one served: a presumption
    crime: bool = False  # the screen reads it as naming a crime: a criminal purpose shown
    review: bool = False  # needs_review: immigration-adjacent and ambiguous, listed apart from the direct flags
    agency: bool = False  # names an immigration-enforcement agency as the one it serves (IMMIGRATION_AGENCY)
    dhs: bool = False  # names a DHS agency (DHS_COMPONENT)

    @property
    def immigration(self) -> bool:
        """Evidence of an immigration purpose in this text alone (a crime in another text of the
        row lifts `named`: see flags.sql)."""
        return self.words or self.named


def lettered(text: str) -> bool:
    """Whether `text` has a letter (`str.isalpha`); ASCII text has one exactly when it has a case,
    which C string methods tell without a Python loop over its characters."""
    if text.isascii():
        return text.lower() != text.upper()
    return any(c.isalpha() for c in text)


def shape(text: str) -> str:
    """The text a distinct value is classified as: itself, or, without a letter, with each run of six
    or more digits written 000000 ("24-136102" and "25-000417" are one shape, "24-000000")."""
    if lettered(text):
        return text
    return _SERIAL.sub(_SERIAL_SHAPE, text)


def is_case_number(text: str) -> bool:
    """ "25-136102", "2026-0380", "Case #CR25-00123": a case number and nothing else."""
    return bool(_CASE_NUMBER.fullmatch(text.strip())) and sum(c.isdigit() for c in text) >= _MIN_CASE_DIGITS


def classify_purpose(text: str, registry: Registry) -> PurposeFlags:
    """One distinct purpose text or case number through the purpose screen and the predicate. A case
    number is screened too ("ERO-2025-0113" names ERO); one that says nothing else (and is not a statute
    the screen reads as a crime) is CASE_NUMBER_ONLY.
    A crime the words name always shows a criminal purpose here (the audit's reading)."""
    result = by_words(screen(text))
    named = [registry.get(a) for a in result.agencies if _known(registry, a)]
    verdict = immigration_purpose(
        declared=None,
        screened=result.category,
        acting=[reading for a in named for reading in registry.readings(a.id)],
        stated_crime=True,
    )
    agency = immigration_agency(result.agencies, registry)
    dhs = any(a.dhs for a in named)
    words = verdict.on(EVIDENCE)
    served = verdict.on(PRESUMPTION)
    named_immigration = served and verdict.ground == Ground.MISSION and agency
    crime = result.category == CRIMINAL
    spans = ", ".join(f"{e.text!r} ({e.rule})" for e in result.evidence) or "no span"
    review = result.category == NEEDS_REVIEW and not verdict.immigration
    flags = {"named": named_immigration, "presumed": served and not named_immigration, "crime": crime, "agency": agency, "dhs": dhs}
    if verdict.immigration or agency or dhs:
        names = f"; names {', '.join(a.id for a in named)}" if named else ""
        why = f"; {verdict.reason}" if verdict.immigration else ""
        evidence = f"{result.category}: {spans}{names}{why}"
        return PurposeFlags(text, words, False, False, evidence, review=review, **flags)
    if review:
        return PurposeFlags(text, False, False, False, f"needs_review: {spans}", review=True, **flags)
    if is_case_number(text) and not crime:  # "10851", "459.5": a statute the screen reads as a crime, not a case number
        return PurposeFlags(text, False, False, True, "is a case number only", **flags)
    if result.category == "vague":
        return PurposeFlags(text, False, True, False, "is vague", **flags)
    return PurposeFlags(text, False, False, False, None, **flags)


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
    if org.has_287g and not any(a.has_287g for a in found):  # ICE's list names law enforcement agencies
        found.append(
            Agency(
                id=org.resolved_id or org.name,
                name=org.name,
                level=org.level or "",
                law_enforcement=True,
                state=org.state or "",
                has_287g=True,
            )
        )
    return found


def org_flags(org: Org, home_state: str, registry: Registry) -> dict:
    """The row an organisation adds to the scan's `orgs` table: its flags and why. Who searched is
    never evidence of a purpose: its 287(g) agreement or ERO mission is the presumption."""
    verdict = immigration_purpose(declared=None, screened=None, acting=acting(org, registry))
    presumed = verdict.on(PRESUMPTION)
    reasons = [f"presumed immigration ({verdict.reason})"] if presumed else []
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
        "presumed": presumed,
        "dhs": org.dhs,
        "has_287g": org.has_287g,
        "out_of_state": out_of_state,
        "evidence": f"org {where}: {', '.join(reasons)}" if reasons else None,
        "how": org.how,
    }
