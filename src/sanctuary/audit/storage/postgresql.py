"""PostgreSQL driver for production: many gateway processes append to one log.

The single row of `sequencer` is the write lock: each append transaction locks it
(`SELECT ... FOR UPDATE`) and only then reads the size, so concurrent appenders are serialised and
indices have no gaps and no duplicates. A commit is durable when PostgreSQL acknowledges it (synchronous_commit on).
"""

from __future__ import annotations

from typing import Any

import psycopg

from sanctuary.audit.errors import AuditError
from sanctuary.audit.lease import Fence
from sanctuary.audit.storage.sql import SqlStore, edge_of, refuse, schema

SCHEMA_LOCK = 0x5A7C_1A4D  # advisory lock id: concurrent first openings create the tables once
# The checkpoint signer's lease (sanctuary.audit.lease) and who signed each checkpoint under which epoch.
LEASE_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS signer_lease (id SMALLINT PRIMARY KEY CHECK (id = 1), holder TEXT NOT NULL, "
    "epoch BIGINT NOT NULL, expires_at TIMESTAMPTZ NOT NULL)",
    "INSERT INTO signer_lease (id, holder, epoch, expires_at) VALUES (1, '', 0, '-infinity') ON CONFLICT (id) DO NOTHING",
    "CREATE TABLE IF NOT EXISTS checkpoint_signer (size BIGINT PRIMARY KEY, holder TEXT NOT NULL, epoch BIGINT NOT NULL)",
]
# The head of an append, in one round trip: the write lock, then (a statement of its own, so read
# after the lock is held: each statement of a simple query takes a new snapshot) the size and the
# hash of each node of the tree's edge at it, one row per level of `merkle.frontier(size)` (a NULL
# level for an empty log, a NULL hash for a missing node).
APPEND_HEAD = (
    "SELECT id FROM sequencer WHERE id = 1 FOR UPDATE; "
    "SELECT s.n, l.level, (SELECT hash FROM node WHERE node.level = l.level AND node.idx = (s.n >> l.level) - 1) "
    "FROM (SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM entry) AS s "
    "LEFT JOIN generate_series(0, 62) AS l(level) ON (s.n >> l.level) & 1 = 1"
)
# An append's rows in one statement: entries, tree nodes and protected records, each as arrays.
APPEND_ROWS = (
    "WITH e AS (INSERT INTO entry (idx, data) SELECT * FROM unnest(%s::bigint[], %b::bytea[])), "
    "n AS (INSERT INTO node (level, idx, hash) SELECT * FROM unnest(%s::integer[], %s::bigint[], %b::bytea[])) "
    "INSERT INTO clear (idx, fields) SELECT * FROM unnest(%s::bigint[], %s::text[])"
)


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
                for statement in LEASE_SCHEMA:
                    cur.execute(statement)
            self._conn.commit()
        except psycopg.Error as exc:
            raise refuse(url, exc) from None

    def _connect(self) -> psycopg.Connection:
        # An acknowledged append must survive a server crash, whatever the server's default.
        # A process frozen inside a transaction (SIGSTOP) must not keep its locks (the sequencer, the
        # signer lease) past the lease's expiry: the server ends such a session.
        return psycopg.connect(self.url, autocommit=False, options="-c synchronous_commit=on -c idle_in_transaction_session_timeout=2000")

    def _connection(self) -> Any:
        """The connection, opened again if the server dropped it (a restart, a failover)."""
        if self._conn.closed:
            self._conn = self._connect()
        return self._conn

    def _write_failed(self, exc: Exception) -> None:
        # A connection the server dropped (a terminated backend, a restart) may not yet be marked
        # closed when the failure surfaced elsewhere (the error arrives on the next send): close it, so
        # the next use opens a new one rather than failing once more on the dead socket.
        if isinstance(exc, psycopg.OperationalError):
            self._conn.close()

    def _lazy_commit(self, cur: Any, on: bool) -> None:
        if on:
            cur.execute("SET LOCAL synchronous_commit = off")  # for this transaction only

    def _fence(self, cur: Any, size: int, fence: Fence) -> None:
        cur.execute(
            "SELECT 1 FROM signer_lease WHERE id = 1 AND holder = %s AND epoch = %s AND expires_at > clock_timestamp() FOR SHARE",
            (fence.holder, fence.epoch),
        )
        if cur.fetchone() is None:
            raise AuditError("signer", f"epoch {fence.epoch} no longer holds the signer lease: checkpoint of size {size} not stored")
        cur.execute(
            "INSERT INTO checkpoint_signer (size, holder, epoch) VALUES (%s, %s, %s) ON CONFLICT (size) DO NOTHING",
            (size, fence.holder, fence.epoch),
        )

    def _begin_append(self, cur: Any) -> tuple[int, dict[int, bytes]]:
        """The write lock, the size and the edge in one round trip (after the transaction's BEGIN):
        with replicas another process has usually appended since this one did, and the edge is read
        anyway."""
        cur.execute(APPEND_HEAD)
        cur.nextset()
        rows = cur.fetchall()
        size = int(rows[0][0])
        return size, edge_of(size, {(level, (size >> level) - 1): bytes(h) for _, level, h in rows if level is not None and h is not None})

    def _write(
        self, cur: Any, entries: list[tuple[int, bytes]], nodes: list[tuple[int, int, bytes]], clears: list[tuple[int, str]]
    ) -> None:
        """All the rows in one statement (one round trip; `executemany` takes one per table)."""
        cur.execute(APPEND_ROWS, [*_columns(entries, 2), *_columns(nodes, 3), *_columns(clears, 2)])

    def _lock_for_append(self, cur: Any) -> int:
        cur.execute("SELECT id FROM sequencer WHERE id = 1 FOR UPDATE")
        return self._locked_size(cur)

    def _close(self) -> None:
        self._conn.close()


def _columns(rows: list[tuple[Any, ...]], width: int) -> list[list[Any]]:
    """Rows of `width` values as that many columns (empty columns for no rows)."""
    return [[row[i] for row in rows] for i in range(width)]
