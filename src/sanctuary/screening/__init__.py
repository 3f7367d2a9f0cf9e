"""Purpose screening of free-text reasons and classification of the documents behind a request."""

from sanctuary.screening.documents import DocumentClass, classify
from sanctuary.screening.purpose import Evidence, PurposeScreen, screen, screen_fields, screen_many

__all__ = ["DocumentClass", "Evidence", "PurposeScreen", "classify", "screen", "screen_fields", "screen_many"]
