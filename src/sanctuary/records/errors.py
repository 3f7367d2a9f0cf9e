"""Errors of the records store. Each names the field (or the store) and the reason."""

from __future__ import annotations

from sanctuary.errors import SanctuaryError


class RecordsError(SanctuaryError):
    """Base class: something about a records request or the store is wrong."""


class StoreUnavailable(RecordsError):
    """The store cannot be reached or answered with an error: callers must fail closed."""

    def __init__(self, reason: str) -> None:
        super().__init__("store", reason)


class InvalidStoreURL(RecordsError):
    def __init__(self, reason: str) -> None:
        super().__init__("store_url", reason)
