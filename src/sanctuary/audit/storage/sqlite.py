"""SQLite driver: one file in WAL mode, fsync on every commit (synchronous=FULL).

Several processes may append to one file: `BEGIN IMMEDIATE` takes SQLite's write lock, and the
size is read again inside it, so indices never repeat or skip.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sanctuary.audit.errors import AuditError
from sanctuary.audit.storage.sql import SqlStore, refuse, schema


class SqliteStore(SqlStore):
    # SQLite 3.40 has no ORDER BY inside aggregates; a primary-key range scan visits rows in index
    # order, and fsck re-checks row by row (ORDER BY idx) whenever the concatenation differs.
    _concat_sql = "SELECT CAST(group_concat(hash, x'') AS BLOB) FROM node WHERE level = ? AND idx >= ? AND idx < ?"

    def __init__(self, path: str, must_exist: bool = False) -> None:
        super().__init__()
        self.url = path
        if must_exist and not Path(path).is_file():
            raise AuditError("log", f"no log at {path}")
        self._conn = self._connect()
        self._stale = False

    def _connect(self) -> sqlite3.Connection:
        try:
            Path(self.url).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.url, isolation_level=None, check_same_thread=False, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            for statement in schema("BLOB", "INTEGER", " WITHOUT ROWID"):
                conn.execute(statement)
        except (sqlite3.Error, OSError) as exc:
            raise refuse(self.url, exc) from None
        return conn

    def _connection(self) -> Any:
        if self._stale:  # opened while the file could not be written: open it again, it may be writable now
            self._conn.close()
            self._conn = self._connect()
            self._stale = False
        return self._conn

    def _write_failed(self, exc: Exception) -> None:
        # SQLite opens a file it may not write read-only, and the connection stays so: a log that
        # was read-only at start would refuse every append after it is writable again, until a restart.
        if isinstance(exc, sqlite3.OperationalError) and getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_READONLY:
            self._stale = True

    def _lazy_commit(self, cur: Any, on: bool) -> None:
        cur.execute(f"PRAGMA synchronous={'NORMAL' if on else 'FULL'}")  # WAL + NORMAL: no fsync at commit

    def _lock_for_append(self, cur: Any) -> int:
        cur.execute("BEGIN IMMEDIATE")
        return self._locked_size(cur)

    def _close(self) -> None:
        self._conn.close()
