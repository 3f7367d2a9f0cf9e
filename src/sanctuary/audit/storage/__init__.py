"""Storage drivers behind one protocol: SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from sanctuary.audit.merkle import Node

if TYPE_CHECKING:
    from sanctuary.audit.lease import Fence

MAX_ENTRY = 0xFFFF  # bytes; C2SP tlog-tiles entry bundles prefix each entry with a uint16 length


class Store(Protocol):
    url: str

    def size(self) -> int: ...
    def append(self, entries: list[bytes], clears: list[dict[str, Any] | None]) -> int: ...
    def nodes(self, keys: set[Node]) -> dict[Node, bytes]: ...
    def entry(self, index: int) -> bytes | None: ...
    def entry_rows(self, start: int, end: int) -> list[tuple[int, bytes]]: ...
    def entry_data(self, start: int, end: int) -> list[bytes]: ...
    def level_concat(self, level: int, start: int, end: int) -> bytes: ...
    def level_rows(self, level: int, start: int, end: int) -> list[tuple[int, bytes]]: ...
    def clear(self, index: int) -> dict[str, Any] | None: ...
    def clear_rows(self, start: int, end: int) -> dict[int, dict[str, Any]]: ...
    def checkpoints(self) -> list[tuple[int, bytes, str]]: ...
    def latest_note(self) -> str | None: ...
    def save_checkpoint(self, size: int, root: bytes, note: str, fence: Fence | None = None) -> str: ...
    def probe(self) -> None: ...
    def replace_note(self, size: int, root: bytes, note: str) -> None: ...
    def close(self) -> None: ...


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
