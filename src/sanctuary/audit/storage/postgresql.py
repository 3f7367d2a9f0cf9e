"""PostgreSQL driver for production: many gateway processes append to one log.

The single row of `log_state` is the sequencer: each append transaction locks it
(`SELECT ... FOR UPDATE`), so concurrent appenders are serialised and indices have no gaps and no
duplicates. A commit is durable when PostgreSQL acknowledges it (synchronous_commit on).
"""

from __future__ import annotations

from typing import Any

import psycopg

from sanctuary.audit.storage.sql import SqlStore, refuse, schema

SCHEMA_LOCK = 0x5A7C_1A4D  # advisory lock id: concurrent first openings create the tables once


class PostgresStore(SqlStore):
    placeholder = "%s"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        try:
            self._conn = psycopg.connect(url, autocommit=False)
            with self._conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                for statement in schema("BYTEA", "BIGINT"):
                    cur.execute(statement)
                cur.execute("CREATE TABLE IF NOT EXISTS log_state (id SMALLINT PRIMARY KEY CHECK (id = 1), size BIGINT NOT NULL)")
                cur.execute("INSERT INTO log_state (id, size) SELECT 1, COALESCE(MAX(idx) + 1, 0) FROM entry "
                            "ON CONFLICT (id) DO NOTHING")
            self._conn.commit()
        except psycopg.Error as exc:
            raise refuse(url, exc) from None

    def _connection(self) -> Any:
        return self._conn

    def _lock_for_append(self, cur: Any) -> int:
        cur.execute("SELECT size FROM log_state WHERE id = 1 FOR UPDATE")
        return int(cur.fetchone()[0])

    def _after_append(self, cur: Any, size: int) -> None:
        cur.execute("UPDATE log_state SET size = %s WHERE id = 1", (size,))

    def _close(self) -> None:
        self._conn.close()
