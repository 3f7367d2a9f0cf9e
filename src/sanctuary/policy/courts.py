"""Which court issued a judicial document: the facts behind "a judge appointed under Article III"
(New York VTL §201(12), Washington RCW 43.17.420) and "a court of this state" (Washington art. IV).

Read from what the document shows — the court and the signer, declared or found in its text — and
read narrowly, so that an exception never opens on a doubt: a magistrate judge is not an Article III
judge, and a court whose name names no state, or more than one, belongs to no state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sanctuary.agencies.states import NAMES
from sanctuary.models import Document
from sanctuary.screening import DocumentClass

_MAGISTRATE = re.compile(r"\bmagistrate\b", re.IGNORECASE)
_ARTICLE_III_COURT = re.compile(
    r"\b(?:united states|u\.\s?s\.)\s+(?:district\s+court|court\s+of\s+appeals)\b|\bsupreme\s+court\s+of\s+the\s+united\s+states\b",
    re.IGNORECASE,
)
_STATE = {code: re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE) for code, name in NAMES.items()}


def _shown(document: Document, kind: DocumentClass) -> tuple[str, str]:
    """(court, signer) as the document shows them: declared fields, else the text's evidence."""
    court = document.court or " ".join(e.text for e in kind.evidence if e.rule == "element:court")
    signer = " ".join(filter(None, (document.signed_by, document.signer_title)))
    signer = signer or " ".join(e.text for e in kind.evidence if e.rule == "element:judge_signature")
    return court, signer


def article_iii_order(documents: Iterable[Document], kinds: Iterable[DocumentClass]) -> bool:
    """A judicial document of a federal Article III court signed by a judge who is not a magistrate judge."""
    for document, kind in zip(documents, kinds):
        if not (kind.judicial and kind.federal):
            continue
        court, signer = _shown(document, kind)
        if _ARTICLE_III_COURT.search(court) and signer and not _MAGISTRATE.search(f"{signer} {court}"):
            return True
    return False


def state_court_orders(documents: Iterable[Document], kinds: Iterable[DocumentClass]) -> frozenset[str]:
    """Two-letter codes of the states whose courts issued a judicial document (one state named, no other)."""
    found = set()
    for document, kind in zip(documents, kinds):
        if not kind.judicial or kind.federal:
            continue
        court, _ = _shown(document, kind)
        named = [code for code, pattern in _STATE.items() if pattern.search(court)]
        if len(named) == 1:
            found.add(named[0])
    return frozenset(found)
