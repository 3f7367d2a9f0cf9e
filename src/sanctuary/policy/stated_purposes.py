"""Statutory purposes a request's words name: a descriptive fact for the exceptions some laws make
by purpose, each law deciding what its exception opens.

New York's VTL §201(12)(a) bars the DMV from disclosing records to an agency that primarily enforces
immigration law "Except as required for the commissioner to issue or renew a driver's license or
learner's permit that meets federal standards for identification, as necessary for an individual
seeking acceptance into a trusted traveler program, or to facilitate vehicle imports and/or exports".
What a requester writes is a claim: a pack that lets one of these open anything says so by a named
parameter, restrictive by default.
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
        r"\bvehicle (?:import|export)\w*\b|\b(?:import|export)\w* (?:of )?(?:a |the )?vehicles?\b|\bexport clearance\b"
    ),
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
