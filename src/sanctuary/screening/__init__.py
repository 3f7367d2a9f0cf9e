"""Purpose screening of free-text reasons and classification of the documents behind a request."""

from sanctuary.screening.purpose import Evidence, PurposeScreen, screen, screen_many

__all__ = ["Evidence", "PurposeScreen", "screen", "screen_many"]
