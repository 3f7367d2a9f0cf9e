"""PostgreSQL-only behaviour of the decision log."""

from __future__ import annotations

import pytest

from audit_fixtures import execute, keys, log, log_url  # noqa: F401 - pytest fixtures
from sanctuary.audit import AuditError, DecisionLog

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
