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
§7284.6(a)(3)), office space dedicated to immigration authorities (Gov. Code §7284.6(a)(5)), deputizing officers as
special federal officers (Gov. Code §7284.6(a)(2), read with the purpose), housing federal detainees of
any kind (Gov. Code §7284.6(a)(6): `detainee_housing`); and
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
    "enforcement_agreement": re.compile(r"\b287 ?g\b|\b1357 ?g\b|\b(?:jail enforcement|task force|warrant service officer) model\b"),
    # Another agreement granting immigration-officer powers: a Title 8 designation, officers designated or
    # deputized "as immigration officers" (docs/requests.md, `agreement`: "a 287(g) or other agreement
    # granting immigration powers, named by its words"; reading ca-146). Every rule that refuses an
    # enforcement agreement reads it too; it is kept apart from `enforcement_agreement` only so that it
    # never stops an agreement being read as direct access (policy.facts.OTHER_ARRANGEMENTS): these
    # words were read so before, and a change may only close.
    "immigration_designation": re.compile(
        r"\btitle 8 (?:\w+ ){0,2}?designat\w*|\b(?:designat|deputi[sz])\w* (?:\w+ ){0,4}?as (?:federal )?immigration officers?\b"
    ),
    # Officers deputized or cross-designated as federal officers, under whatever title (Gov. Code
    # §7284.6(a)(2): "peace officers deputized as special federal officers or special federal deputies").
    # What it grants is the requester's word: not an arrangement that excludes data access by itself
    # (policy.facts.OTHER_ARRANGEMENTS); a law reads it with the purpose (immigration enforcement or not).
    "deputation": re.compile(
        r"\bcross ?designat\w*|\bdeputation\b|\bdeputi[sz](?:e|ed|es|ing|ation)\b|\bspecial federal (?:officers?|deput(?:y|ies))\b"
    ),
    "detention_agreement": re.compile(
        r"\bintergovernmental service agreements?\b|\bigsa\b|\bbed ?space\b|\bdetention (?:agreement|contract)s?\b"
        r"|\b(?:house|housing|detain|detaining) (?:ice |immigration |federal )?detainees\b"
    ),
    # Housing anyone's detainees or prisoners, whoever holds them and for what (the U.S. Marshals'
    # pretrial detainees as much as ICE's): Gov. Code §7284.6(a)(6) bars contracting "to house
    # individuals as federal detainees", any federal detainees; the immigration-detention texts
    # (RCW 10.93.160(12)(a), ORS 181A.829(2)) read `detainee_housing` only with an immigration agency or
    # purpose (readings ca-147, or-114, wa-124).
    "detainee_housing": re.compile(r"\b(?:house|housing) (?:\w+ ){0,3}?(?:detainees|prisoners)\b"),
    "language_services": re.compile(r"\binterpret(?:ation|ing|er|ers)\b|\btranslation\b|\blanguage (?:services?|line|assistance)\b"),
    # Material written for the public (flyers, brochures, posters, public notices), and words naming a
    # matter about a person (a detainee, a suspect, an interview, a booking, a hearing): Gov. Code
    # §7284.6(a)(3) bars using immigration authorities "as interpreters for law enforcement matters
    # relating to individuals in agency or department custody", so a language-services offer whose words
    # confine it to material for the public and name no such matter is outside it (reading ca-169);
    # one that names none, or both, stays within it (a claim only ever closes).
    "public_materials": re.compile(
        r"\b(?:flyers?|fliers?|brochures?|pamphlets?|leaflets?|posters?|signage|public (?:notices?|announcements?|service announcements?))\b"
    ),
    "individual_matter": re.compile(
        r"\b(?:detainees?|prisoners?|inmates?|arrestees?|suspects?|defendants?|witness(?:es)?|victims?|individuals?|persons?"
        r"|interviews?|interrogat\w*|booking|custody|jail|cells?|hearings?|courts?|cases?|investigations?)\b"
    ),
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
