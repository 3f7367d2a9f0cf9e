"""One checkpoint signer among replicas: a lease row with an epoch in the log's PostgreSQL database.

Every replica tries to take or renew the lease every RENEW_SECONDS; the one holding it signs the
checkpoints. A lease lasts LEASE_SECONDS from its last renewal, so when its holder dies or freezes
another replica takes it, with the next epoch, within LEASE_SECONDS + RENEW_SECONDS. A checkpoint is
stored only in a transaction that locks the lease row and finds it still held, unexpired, by the
same holder under the same epoch (`Fence`): a frozen signer that wakes cannot store one under its
stale epoch. The database's clock decides every expiry, never the replicas'.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
from dataclasses import dataclass
from typing import Any

from sanctuary.audit.errors import AuditError

LEASE_SECONDS = 3.0
RENEW_SECONDS = 1.0

# Take the lease if it is ours or expired; a new holder (or ours after it lapsed) gets the next epoch.
_RENEW = """
UPDATE signer_lease
SET epoch = CASE WHEN holder = %(me)s AND expires_at > clock_timestamp() THEN epoch ELSE epoch + 1 END,
    holder = %(me)s,
    expires_at = clock_timestamp() + make_interval(secs => %(ttl)s)
WHERE id = 1 AND (holder = %(me)s OR expires_at <= clock_timestamp())
RETURNING epoch
"""


@dataclass(frozen=True)
class Fence:
    """What a checkpoint is stored under: the lease's holder and epoch."""

    holder: str
    epoch: int


def replica_name() -> str:
    """This process among the replicas: host, process id and a random part (a pid is reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class SignerLease:
    """This replica's side of the lease; `renew()` is its only call that reaches the database."""

    def __init__(self, url: str, holder: str | None = None, ttl: float = LEASE_SECONDS) -> None:
        self.url = url
        self.holder = holder or replica_name()
        self.ttl = ttl
        self._conn: Any = None  # a psycopg connection, opened on first use
        self._lock = threading.Lock()
        self.fence: Fence | None = None  # the lease as last renewed, None when another holds it

    def _connection(self) -> Any:
        import psycopg

        if self._conn is None or self._conn.closed:
            # a renewal never waits behind a frozen process's lock: it fails, and is tried again
            options = "-c lock_timeout=1000 -c statement_timeout=2000"
            self._conn = psycopg.connect(self.url, autocommit=True, connect_timeout=2, options=options)
        return self._conn

    def renew(self) -> Fence | None:
        """Take or renew the lease; the fence to store checkpoints under, or None (not the signer)."""
        import psycopg

        with self._lock:
            try:
                row = self._connection().execute(_RENEW, {"me": self.holder, "ttl": self.ttl}).fetchone()
            except psycopg.Error as exc:
                self.fence = None
                if self._conn is not None:
                    self._conn.close()
                raise AuditError("signer", f"the signer lease cannot be renewed: {exc}") from None
            self.fence = Fence(self.holder, int(row[0])) if row else None
            return self.fence

    def close(self) -> None:
        """Give the lease up (another replica takes it at its next renewal) and disconnect."""
        import psycopg

        with self._lock:
            if self._conn is None or self._conn.closed:
                return
            try:
                self._conn.execute("UPDATE signer_lease SET expires_at = clock_timestamp() WHERE id = 1 AND holder = %s", (self.holder,))
            except psycopg.Error:
                pass  # it expires on its own
            self._conn.close()
