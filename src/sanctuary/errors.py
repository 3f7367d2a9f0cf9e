"""The one base class of every error `sanctuary` raises: it names the field (or thing) at fault and
the reason, so a caller can show both and a program can branch on the field, never on wording."""

from __future__ import annotations


class SanctuaryError(Exception):
    """An error of `sanctuary`: `field` says where (a request field, a file, a service), `reason` why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason if reason.startswith(f"{field}:") else f"{field}: {reason}")
        self.field = field
        self.reason = reason
