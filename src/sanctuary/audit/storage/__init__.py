"""Storage drivers behind one protocol: SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from sanctuary.audit.storage.protocol import MAX_ENTRY, Store

__all__ = ["MAX_ENTRY", "Store", "open_store", "shown"]


def open_store(url: str, must_exist: bool = False) -> Store:
    """`postgresql://...` -> PostgreSQL; `sqlite:///path` or a plain path -> SQLite.

    With `must_exist`, a SQLite file that is not there is an error instead of a new, empty log.
    """
    if url.startswith(("postgresql://", "postgres://")):
        from sanctuary.audit.storage.postgresql import PostgresStore

        return PostgresStore(url)
    from sanctuary.audit.storage.sqlite import SqliteStore

    return SqliteStore(url.removeprefix("sqlite://"), must_exist)


def shown(url: str) -> str:
    """A log's address for people (commands print it, pages show it to staff): a SQLite file's path
    as given, a PostgreSQL database's URL without its password."""
    if not url.startswith(("postgresql://", "postgres://")):
        return url.removeprefix("sqlite://")
    parts = urlsplit(url)
    netloc = (f"{parts.username}@" if parts.username else "") + (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    return urlunsplit(("postgresql", netloc, parts.path, parts.query, ""))
