"""Which federal criminal immigration law a request speaks of: a descriptive fact, not a verdict.

Whether a criminal immigration case is "immigration enforcement" is each jurisdiction's own
definition: California counts the enforcement of federal criminal immigration law "that penalizes a
person's presence in, entry, or reentry to, or employment in, the United States" (Gov. Code
§7284.4(f)); Oregon counts criminal prosecution "for offenses related to federal laws regarding
immigration status" (ORS 181A.822); Illinois's TRUST Act speaks of civil immigration law only. So
the facts say only *which* kind of offence the request names (`KINDS`), and each pack's rules decide
which of them it forbids, citing its own definition clause.

Read from every free-text field of the request and from the text of every document it shows. A
requester's words are a claim; a claim here only ever adds a restriction (no rule lifts anything on
this fact), so the restrictive reading takes it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from sanctuary.screening.normalize import normalize

_USC8 = r"\b8 ?u ?s ?c ?(?:s ?)?"
_USC18 = r"\b18 ?u ?s ?c ?(?:s ?)?"
# Each kind, matched on the screen's plain words (case folded, accents and punctuation gone, digits
# kept): "8 U.S.C. § 1326(a)" reads "8 usc 1326 a"; "8 U.S.C. 1324a" (employment) keeps its letter.
KINDS: dict[str, re.Pattern[str]] = {
    # 8 U.S.C. 1304(e), 1306: failing to register or to carry proof of registration.
    "presence": re.compile(
        _USC8
        + r"(?:1304|1306)\b|\bfail\w* to (?:register|carry)\b[^.]{0,40}\b(?:alien|registration)\b|\balien registration (?:offen[cs]e|violation)\b"
    ),
    # 8 U.S.C. 1325: improper entry.
    "entry": re.compile(_USC8 + r"1325\b|\b(?:illegal|improper|unlawful) entry\b|\bent(?:ry|ered|ering) without inspection\b|\bewi\b"),
    # 8 U.S.C. 1326: re-entry after removal.
    "reentry": re.compile(
        _USC8
        + r"1326\b|\b(?:illegal|unlawful|improper) re ?entry\b|\bre ?ent(?:ry|ered|ering) (?:after|following) (?:removal|deportation)\b"
    ),
    # 8 U.S.C. 1324a: employing unauthorised aliens.
    "employment": re.compile(
        _USC8 + r"1324a\b|\b(?:unlawful|illegal) employment of (?:an )?(?:aliens?|unauthori[sz]ed)\b"
        r"|\bemploy\w* (?:of )?(?:unauthori[sz]ed|undocumented|illegal) (?:aliens?|workers?|immigrants?)\b|\bemployer sanctions?\b"
    ),
    # 8 U.S.C. 1324 (not 1324a): bringing in, transporting, harbouring.
    "smuggling": re.compile(
        _USC8 + r"1324\b|\b(?:alien|human|migrant) smuggling\b|\bsmuggling (?:of )?(?:aliens?|migrants?|undocumented)\b"
        r"|\bharbou?ring (?:an )?(?:aliens?|undocumented|illegal)\b|\b(?:alien|migrant) harbou?ring\b"
    ),
    # Visa and immigration document fraud: 18 U.S.C. 1546.
    "documents": re.compile(_USC18 + r"1546\b|\b(?:visa|immigration document|green card) fraud\b"),
    # Naturalisation and citizenship offences: 18 U.S.C. 1015, 1422-1429 (named in ORS 181A.820(5)).
    "naturalization": re.compile(_USC18 + r"(?:1015|142[2-9])\b|\bnaturali[sz]ation fraud\b"),
    # A false claim to United States citizenship: 18 U.S.C. 911 (not named in ORS 181A.820(5)).
    "citizenship": re.compile(
        _USC18
        + r"911\b|\bfalse(?:ly)? (?:claim\w*|represent\w*) (?:(?:him|her|them)sel(?:f|ves) )?(?:to |of )?(?:be )?(?:an? )?(?:us |u s |united states )?citizen"
    ),
    # An offence whose element is unlawful status: an alien unlawfully present in possession of a
    # firearm, 18 U.S.C. 922(g)(5) (not named in ORS 181A.820(5)).
    "unlawful_status": re.compile(_USC18 + r"922 ?g ?5\b|\b(?:unlawful|illegal) aliens? in possession\b"),
}


@lru_cache(maxsize=1 << 14)
def _kinds(text: str) -> frozenset[str]:
    plain = normalize(text).plain
    return frozenset(kind for kind, pattern in KINDS.items() if pattern.search(plain))


def criminal_immigration(texts: Iterable[str | None]) -> frozenset[str]:
    """The kinds of federal criminal immigration offence (`KINDS`) that any of `texts` names."""
    found: frozenset[str] = frozenset()
    for text in texts:
        if text:
            found |= _kinds(text)
    return found
