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
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            for statement in schema("BLOB", "INTEGER", " WITHOUT ROWID"):
                self._conn.execute(statement)
        except (sqlite3.Error, OSError) as exc:
            raise refuse(path, exc) from None

    def _connection(self) -> Any:
        return self._conn

    def _lazy_commit(self, cur: Any, on: bool) -> None:
        cur.execute(f"PRAGMA synchronous={'NORMAL' if on else 'FULL'}")  # WAL + NORMAL: no fsync at commit

    def _lock_for_append(self, cur: Any) -> int:
        cur.execute("BEGIN IMMEDIATE")
        return self._locked_size(cur)

    def _close(self) -> None:
        self._conn.close()
