"""Purpose screening: what a free-text reason says about why the data is wanted.

First, simple version: a small lexicon of immigration terms and agency names. Its interface is the
one every caller uses; the full screen (normalisation, fuzzy matching, trained model) replaces the
internals.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Evidence:
    start: int
    end: int
    text: str
    rule: str


@dataclass(frozen=True)
class PurposeScreen:
    category: str  # civil_immigration | criminal | vague | other
    agencies: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    score: float

    def to_dict(self) -> dict:
        return asdict(self)


_AGENCIES = [
    (r"\bICE\s*[+/ -]\s*ERO\b|\bERO\b", "ICE-ERO"),
    (r"\bHSI\b|homeland security investigations", "ICE-HSI"),
    (r"\bUSBP\b|border patrol", "CBP-USBP"),
    (r"\bCBP\b", "CBP"),
    (r"\bUSCIS\b", "USCIS"),
    (r"\bICE\b(?!\s*cream)", "ICE"),
    (r"\bDHS\b", "DHS"),
]
_TERMS = r"immigra\w*|deport\w*|criminal alien|\bI-?2(47|00|03|05|86)\w?\b|\bI-?862\b|fugops"
_CRIMINAL = r"homicide|robbery|burglar\w*|stolen|theft|assault|shooting|narcotic\w*|fraud|kidnap\w*|warrant"
_VAGUE = re.compile(r"^\s*(inv\.?|investigation|\S|[\d\-/ ]+)\s*$", re.IGNORECASE)


@lru_cache(maxsize=65536)
def screen(text: str | None) -> PurposeScreen:
    """Screen one reason; results are cached because real logs repeat their reasons."""
    if not text or not text.strip():
        return PurposeScreen("vague", (), (), 1.0)
    evidence, agencies = [], []
    taken: list[tuple[int, int]] = []
    for pattern, agency_id in _AGENCIES:
        for m in re.finditer(pattern, text, re.IGNORECASE if agency_id not in ("ICE", "DHS", "CBP") else 0):
            if any(s <= m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            evidence.append(Evidence(m.start(), m.end(), m.group(0), f"agency:{agency_id}"))
            if agency_id not in agencies:
                agencies.append(agency_id)
    for m in re.finditer(_TERMS, text, re.IGNORECASE):
        evidence.append(Evidence(m.start(), m.end(), m.group(0), "term"))
    if evidence:
        return PurposeScreen("civil_immigration", tuple(agencies), tuple(evidence), 0.9)
    if _VAGUE.match(text):
        return PurposeScreen("vague", (), (), 0.8)
    m = re.search(_CRIMINAL, text, re.IGNORECASE)
    if m:
        return PurposeScreen("criminal", (), (Evidence(m.start(), m.end(), m.group(0), "criminal"),), 0.0)
    return PurposeScreen("other", (), (), 0.0)
