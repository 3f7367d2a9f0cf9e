"""Document classification: is a paper presented with a request administrative or judicial?

First, simple version, from the declared fields only; the full classifier reads text and PDFs.
Judicial needs a named court, a judge's or magistrate's signature (not an immigration judge's, not
an immigration officer's) and, for a warrant, a criminal matter (legal.md §4.2).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from sanctuary.models import Document

ADMINISTRATIVE = ("I-247A", "I-247", "I-247D", "I-247N", "I-247X", "I-200", "I-203", "I-205", "I-286", "I-862", "ncic_ivf")
DETAINERS = ("I-247A", "I-247", "I-247D", "I-247N", "I-247X")
_JUDGE = re.compile(r"\b(judge|magistrate|justice)\b", re.IGNORECASE)
_NOT_JUDGE = re.compile(r"\bimmigration\s+(judge|officer)\b", re.IGNORECASE)
_FEDERAL = re.compile(r"\b(united states|u\.\s?s\.|us|federal)\b.*\bcourt\b|\bdistrict court\b", re.IGNORECASE)


@dataclass(frozen=True)
class DocumentClass:
    type: str
    administrative: bool
    judicial: bool
    criminal: bool
    federal: bool
    detainer: bool
    missing: tuple[str, ...]

    def to_dict(self) -> dict:
        return asdict(self)


def classify(document: Document) -> DocumentClass:
    """Classify a declared document; say which judicial element is missing."""
    if document.type in ADMINISTRATIVE:
        return DocumentClass(document.type, True, False, False, False, document.type in DETAINERS, ("court", "judge_signature"))
    missing = []
    if not document.court:
        missing.append("court")
    signer = " ".join(filter(None, (document.signed_by, document.signer_title)))
    if not _JUDGE.search(signer) or _NOT_JUDGE.search(signer):
        missing.append("judge_signature")
    if document.probable_cause is False:
        missing.append("probable_cause")
    criminal = bool(document.criminal)
    if document.type == "judicial_warrant" and not criminal:
        missing.append("criminal")
    judicial = document.type in ("judicial_warrant", "court_order") and not missing
    federal = bool(document.court and _FEDERAL.search(document.court))
    return DocumentClass(document.type, False, judicial, criminal, federal, False, tuple(missing))
