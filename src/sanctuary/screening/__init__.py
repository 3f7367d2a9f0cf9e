"""Purpose screening of free-text reasons and classification of the documents behind a request.

Names are imported on first use: `sanctuary screen` reads a reason, and never loads the
classification of documents (its expressions) nor anything else it does not call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sanctuary.lazy import exports

if TYPE_CHECKING:
    from sanctuary.screening.documents import DocumentClass, classify
    from sanctuary.screening.purpose import Evidence, PurposeScreen, screen, screen_fields, screen_many

_DOCUMENTS, _PURPOSE = "sanctuary.screening.documents", "sanctuary.screening.purpose"
_HOMES = {
    "DocumentClass": _DOCUMENTS,
    "classify": _DOCUMENTS,
    **dict.fromkeys(("Evidence", "PurposeScreen", "screen", "screen_fields", "screen_many"), _PURPOSE),
}
__all__ = ["DocumentClass", "Evidence", "PurposeScreen", "classify", "screen", "screen_fields", "screen_many"]
__getattr__, __dir__ = exports(__name__, _HOMES)
