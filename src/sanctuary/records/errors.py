"""Errors of the records store. Each names the field (or the store) and the reason."""

from __future__ import annotations


class RecordsError(Exception):
    """Base class: something about a records request or the store is wrong."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class StoreUnavailable(RecordsError):
    """The store cannot be reached or answered with an error: callers must fail closed."""

    def __init__(self, reason: str) -> None:
        super().__init__("store", reason)


class InvalidStoreURL(RecordsError):
    def __init__(self, reason: str) -> None:
        super().__init__("store_url", reason)
