"""Which court issued a judicial document: the facts behind "a judge appointed under Article III"
(New York VTL §201(12), Washington RCW 43.17.420) and "a court of this state" (Washington art. IV).

Read from what a document that counts shows (only verified documents reach the facts) — the court
and the signer, declared or found in its text (DocumentClass.court, .signer) — and
read narrowly, so that an exception never opens on a doubt: a magistrate judge is not an Article III
judge, and a court whose name names no state, or more than one, belongs to no state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sanctuary.agencies.states import NAMES
from sanctuary.screening import DocumentClass

_MAGISTRATE = re.compile(r"\bmagistrate\b", re.IGNORECASE)
_ARTICLE_III_COURT = re.compile(
    r"\b(?:united states|u\.\s?s\.)\s+(?:district\s+court|court\s+of\s+appeals)\b|\bsupreme\s+court\s+of\s+the\s+united\s+states\b",
    re.IGNORECASE,
)
_STATE = {code: re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE) for code, name in NAMES.items()}


def article_iii_order(documents: Iterable[DocumentClass]) -> bool:
    """A judicial document of a federal Article III court signed by a judge who is not a magistrate judge."""
    return any(
        d.judicial and d.federal and _ARTICLE_III_COURT.search(d.court) and d.signer and not _MAGISTRATE.search(f"{d.signer} {d.court}")
        for d in documents
    )


def state_court_orders(documents: Iterable[DocumentClass]) -> frozenset[str]:
    """Two-letter codes of the states whose courts issued a judicial document (one state named, no other)."""
    found = set()
    for d in documents:
        if d.judicial and not d.federal:
            named = [code for code, pattern in _STATE.items() if pattern.search(d.court)]
            if len(named) == 1:
                found.add(named[0])
    return frozenset(found)
