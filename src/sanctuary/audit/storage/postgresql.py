"""PostgreSQL driver for production: many gateway processes append to one log.

The single row of `sequencer` is the write lock: each append transaction locks it
(`SELECT ... FOR UPDATE`) and only then reads the size, so concurrent appenders are serialised and
indices have no gaps and no duplicates. A commit is durable when PostgreSQL acknowledges it (synchronous_commit on).
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
            self._conn = self._connect()
            with self._conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                for statement in schema("BYTEA", "BIGINT"):
                    cur.execute(statement)
                cur.execute("CREATE TABLE IF NOT EXISTS sequencer (id SMALLINT PRIMARY KEY CHECK (id = 1))")
                cur.execute("INSERT INTO sequencer (id) VALUES (1) ON CONFLICT (id) DO NOTHING")
            self._conn.commit()
        except psycopg.Error as exc:
            raise refuse(url, exc) from None

    def _connect(self) -> psycopg.Connection:
        # An acknowledged append must survive a server crash, whatever the server's default.
        return psycopg.connect(self.url, autocommit=False, options="-c synchronous_commit=on")

    def _connection(self) -> Any:
        """The connection, opened again if the server dropped it (a restart, a failover)."""
        if self._conn.closed:
            self._conn = self._connect()
            self._edge_size = -1
        return self._conn

    def _lazy_commit(self, cur: Any, on: bool) -> None:
        if on:
            cur.execute("SET LOCAL synchronous_commit = off")  # for this transaction only

    def _lock_for_append(self, cur: Any) -> int:
        cur.execute("SELECT id FROM sequencer WHERE id = 1 FOR UPDATE")
        return self._locked_size(cur)

    def _close(self) -> None:
        self._conn.close()
