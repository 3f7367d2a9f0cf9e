"""Errors of the decision log. Each names the field (or part of the log) and the reason."""

from __future__ import annotations

from sanctuary.errors import SanctuaryError


class AuditError(SanctuaryError):
    """Anything the log refuses or cannot do; callers fail closed on it."""


class KeyMissing(AuditError):
    """A key the log needs is not there: the log cannot be checked (which says nothing of damage)."""


class KeyExists(AuditError):
    """A key is already there (perhaps made a moment ago by another process starting at once)."""


class ForkRefused(AuditError):
    """Signing would put two different roots (or inconsistent trees) under the log's key."""
