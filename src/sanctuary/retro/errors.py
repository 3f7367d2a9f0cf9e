"""The one error a scan raises on bad input: it names the field (or option) and the reason."""

from __future__ import annotations


class RetroError(ValueError):
    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
