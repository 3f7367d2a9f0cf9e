"""Errors of the decision log. Each names the field (or part of the log) and the reason."""

from __future__ import annotations


class AuditError(Exception):
    """Anything the log refuses or cannot do; callers fail closed on it."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class ForkRefused(AuditError):
    """Signing would put two different roots (or inconsistent trees) under the log's key."""
