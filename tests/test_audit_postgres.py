"""PostgreSQL-only behaviour of the decision log."""

from __future__ import annotations

from pathlib import Path

import pytest
from psycopg import pq

from audit_fixtures import execute, keys, log, log_url  # noqa: F401 - pytest fixtures
from sanctuary.audit import AuditError, DecisionLog, open_log

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("log_url", ["postgresql"], indirect=True)]


def test_log_recovers_after_the_database_drops_the_connection(log: DecisionLog, log_url: str) -> None:
    log.append(b"before")
    execute(
        log_url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    with pytest.raises(AuditError):  # the append in flight fails, and says so
        log.append(b"lost")
    assert log.append(b"after") == 1
    assert log.entries(0, 2) == [b"before", b"after"] and log.verify(full=True).ok


def test_an_append_after_another_replica_appended_is_four_round_trips(log: DecisionLog, log_url: str, keys: Path, tmp_path: Path) -> None:
    """Replicas take turns on the log's write lock (the sequencer row), so an append usually finds
    the log grown by another process: it reads the size and the tree's edge again under the lock.
    The whole append is four round trips to the server, whatever the batch: BEGIN; the lock with
    the size and the edge; every row in one statement; COMMIT (each ends in a ReadyForQuery)."""
    other = open_log(log_url, keys)
    try:
        assert (log.append(b"first"), other.append(b"from another replica")) == (0, 1)
        conn, trace = log._store._conn, tmp_path / "trace"  # type: ignore[attr-defined]
        with trace.open("w") as out:
            conn.pgconn.trace(out.fileno())
            conn.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
            try:
                assert log.append_many([b"third", b"fourth"], [{"name": "Maria Lopez"}, None]) == 2
            finally:
                conn.pgconn.untrace()
        assert trace.read_text().count("\tReadyForQuery\t") == 4
        assert other.append(b"fifth") == 4
    finally:
        other.close()
    assert log.entries(0, 5) == [b"first", b"from another replica", b"third", b"fourth", b"fifth"]
    assert log.reveal(2) == {"name": "Maria Lopez"} and log.reveal(3) == {} and log.verify(full=True).ok
