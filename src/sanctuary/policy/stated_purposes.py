"""Statutory purposes a request's words name: a descriptive fact for the exceptions some laws make
by purpose, each law deciding what its exception opens.

New York's VTL §201(12)(a) bars the DMV from disclosing records to an agency that primarily enforces
immigration law "Except as required for the commissioner to issue or renew a driver's license or
learner's permit that meets federal standards for identification, as necessary for an individual
seeking acceptance into a trusted traveler program, or to facilitate vehicle imports and/or exports".
What a requester writes is a claim: a pack that lets one of these open anything says so by a named
parameter, restrictive by default.

Some laws bar an arrangement rather than a disclosure, and a request can be the offer of one: a
287(g) or other agreement granting immigration enforcement powers (RCW 10.93.160(11), ORS
181A.829(1)), an agreement to house or detain people for immigration violations (RCW
10.93.160(12)(a), ORS 181A.829(2); California's Gov. Code §7284.6(a)(6) for any federal detainee),
language services from an immigration authority (RCW 10.93.160(13); interpreters, Gov. Code
§7284.6(a)(3)), office space dedicated to immigration authorities (Gov. Code §7284.6(a)(5)); and
some protect a place, a court facility (RCW 2.28.310-.330, ORS 181A.828); some bar the department's
own conduct a request may ask of it, asking people their status or place of birth (RCW 10.93.160(4)(a)). A request may also present
itself as a joint task force's (Gov. Code §7284.6(b)(3)): the exception opens only on the registry's
record of the requesting task force, so the words only ever make its conditions the ones cited. These
only ever forbid: a claim that closes never opens.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from sanctuary.screening.normalize import normalize

KINDS: dict[str, re.Pattern[str]] = {
    "real_id": re.compile(r"\breal ?id\b|\benhanced (?:driver ?s )?licen[cs]e\b|\bfederal standards? for identification\b"),
    "trusted_traveler": re.compile(r"\btrusted traveler\b|\bglobal entry\b|\bnexus\b|\bsentri\b|\bfast (?:card|program)\b"),
    "vehicle_trade": re.compile(
        # "the import of a returning new york titled vehicle": up to four words describing the vehicle
        # between, none a word placing something else in it ("import of narcotics hidden in a vehicle")
        r"\bvehicle (?:import|export)\w*\b|\bexport clearance\b|\b(?:import|export)\w* (?:of )?(?:(?:a|an|the) )?"
        r"(?:(?!(?:in|inside|into|within|with|by|from|on|under|aboard|hidden|concealed|via|and|or)\b)\w+ ){0,4}?vehicles?\b"
    ),
    # A 287(g) agreement, or a cross-designation carrying immigration-officer powers under Title 8 (the
    # INA): "federal immigration enforcement powers" (ORS 181A.829(1)) whatever its other purpose; a
    # Title 19 (customs) cross-designation alone is not one (reading or-96: the words decide).
    "enforcement_agreement": re.compile(
        r"\b287 ?g\b|\b1357 ?g\b|\b(?:jail enforcement|task force|warrant service officer) model\b"
        r"|\btitle (?:8|viii) (?:\w+ ){0,3}?(?:cross ?designat\w*|designat\w*|authority|powers?)\b"
        r"|\bcross ?designat\w* (?:\w+ ){0,8}?(?:under|pursuant to|with) title (?:8|viii)\b"
        r"|\bcross ?designat\w* (?:\w+ ){0,4}?as (?:\w+ )?immigration officers?\b"
        r"|\bimmigration officers? (?:authority|powers?)\b"
    ),
    "detention_agreement": re.compile(
        r"\bintergovernmental service agreements?\b|\bigsa\b|\bbed ?space\b|\bdetention (?:agreement|contract)s?\b"
        r"|\b(?:house|housing|detain|detaining) (?:ice |immigration |federal )?detainees\b"
    ),
    "language_services": re.compile(r"\binterpret(?:ation|ing|er|ers)\b|\btranslation\b|\blanguage (?:services?|line|assistance)\b"),
    "office_space": re.compile(
        r"\boffice space\b|\b(?:dedicated|permanent|exclusive) (?:ice |immigration |cbp )?offices?\b|\b(?:ice|immigration) offices? (?:at|in|inside)\b"
    ),
    # A joint task force ("task force", "JTTF"), not 287(g)'s "task force model".
    "joint_task_force": re.compile(r"\btask ?forces?\b(?! model)|\bjttf\b"),
    # Asking or collecting status or place of birth (RCW 10.93.160(4)(a)), and words placing the
    # people asked in custody already (booking, arrestees): no one is then detained for the question.
    "status_inquiry": re.compile(
        r"\b(?:ask|asks|asking|inquir\w*|question\w*|collect\w*|screen\w*)\b(?: \w+){0,6}? "
        r"(?:place of birth|birthplace|country of birth|citizenship|nationality|immigration status)\b"
    ),
    "in_custody": re.compile(r"\bbooking\b|\barrestees?\b|\binmates?\b|\bin (?:custody|jail)\b"),
    "court_facility": re.compile(r"\bcourt ?house\b|\bcourt (?:facility|facilities|building|hearing|appearance)\b|\b(?:at|in) court\b"),
}


@lru_cache(maxsize=1 << 14)
def _kinds(text: str) -> frozenset[str]:
    words = normalize(text).plain
    return frozenset(kind for kind, pattern in KINDS.items() if pattern.search(words))


def stated_purposes(texts: Iterable[str | None]) -> frozenset[str]:
    """The statutory purposes (`KINDS`) any of `texts` names."""
    found: frozenset[str] = frozenset()
    for text in texts:
        if text:
            found |= _kinds(text)
    return found
