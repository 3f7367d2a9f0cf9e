"""Screens that read what people write: purpose text and presented documents."""

from sanctuary.screening.documents import DocumentClass, classify
from sanctuary.screening.purpose import Evidence, PurposeScreen, screen

__all__ = ["DocumentClass", "Evidence", "PurposeScreen", "classify", "screen"]
