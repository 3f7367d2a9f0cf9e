"""State that replicas on one PostgreSQL log share, kept in that database: the sign-in throttle, the
rate limit per key and the staff's sessions (with their desk results, sealed). One process (SQLite) keeps them in memory
(`sanctuary.web.signin.Attempts`, `sanctuary.gateway.limits.RateLimiter`, `sanctuary.web.sessions`);
replicas must count together, or every limit multiplies with their number, and a person signed in
through one replica must be signed in on all.

Each call is one short transaction on a connection of its own (not the log's, which the group
commit holds); the database's clock decides, never the replicas'. A database that cannot be reached
fails closed: the caller answers 503 saying why.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

from sanctuary.gateway.limits import RateLimiter
from sanctuary.gateway.problems import Problem
from sanctuary.gateway.services import Unavailable

T = TypeVar("T")
SIGNIN_LOCK = 0x5A7C_5161  # advisory lock: sign-in attempts are counted one at a time across replicas
SCHEMA_LOCK = 0x5A7C_5162  # advisory lock: concurrent first openings create the tables once
SCHEMA = [
    "CREATE TABLE IF NOT EXISTS gateway_signin (key TEXT NOT NULL, at DOUBLE PRECISION NOT NULL)",
    "CREATE INDEX IF NOT EXISTS gateway_signin_key ON gateway_signin (key, at)",
    "CREATE TABLE IF NOT EXISTS gateway_rate (key TEXT PRIMARY KEY, tokens DOUBLE PRECISION NOT NULL, "
    "updated TIMESTAMPTZ NOT NULL, ok BOOLEAN NOT NULL)",
    # staff sessions (sanctuary.web.sessions.SharedSessions): a hash of the cookie; their desk results
    # sealed under a key the cookie gives and the table does not, gone with their session
    "CREATE TABLE IF NOT EXISTS gateway_session (token_hash TEXT PRIMARY KEY, csrf TEXT NOT NULL, username TEXT, role TEXT, "
    "started DOUBLE PRECISION NOT NULL, seen DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS gateway_desk_result (token_hash TEXT NOT NULL REFERENCES gateway_session ON DELETE CASCADE, "
    "key TEXT NOT NULL, sealed BYTEA NOT NULL, at DOUBLE PRECISION NOT NULL, PRIMARY KEY (token_hash, key))",
]
# A token bucket in one statement: refill since the last call, take a token if there is one.
_REFILLED = "LEAST(%(burst)s, gateway_rate.tokens + EXTRACT(EPOCH FROM clock_timestamp() - gateway_rate.updated) * %(rate)s)"
_TAKE = f"""
INSERT INTO gateway_rate AS gateway_rate (key, tokens, updated, ok) VALUES (%(key)s, %(burst)s - 1, clock_timestamp(), true)
ON CONFLICT (key) DO UPDATE SET
  tokens = CASE WHEN {_REFILLED} >= 1 THEN {_REFILLED} - 1 ELSE {_REFILLED} END,
  updated = clock_timestamp(),
  ok = {_REFILLED} >= 1
RETURNING ok, tokens
"""


class SharedDatabase:
    """One autocommit connection to the log's PostgreSQL database for the replicas' shared state."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn: Any = None
        self._lock = threading.Lock()
        self._created = False

    def run(self, work: Callable[[Any], T]) -> T:
        """`work(connection)` in one transaction; Unavailable("shared state") if the database fails."""
        import psycopg

        with self._lock:
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = psycopg.connect(self.url, autocommit=True, connect_timeout=2, options="-c statement_timeout=2000")
                if not self._created:
                    with self._conn.transaction():
                        self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                        for statement in SCHEMA:
                            self._conn.execute(statement)
                    self._created = True
                with self._conn.transaction():
                    return work(self._conn)
            except psycopg.Error as exc:
                if self._conn is not None:
                    self._conn.close()
                raise Unavailable("shared state", f"the replicas' database: {type(exc).__name__}: {exc}") from None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()


def shared_database(log_url: str) -> SharedDatabase | None:
    """The replicas' shared database when the log is PostgreSQL; None for one process on SQLite."""
    return SharedDatabase(log_url) if log_url.startswith(("postgresql://", "postgres://")) else None


class SharedRateLimiter:
    """`RateLimiter` counted in the database: ``rate`` requests a second per key across every replica."""

    def __init__(self, db: SharedDatabase, rate: float, burst: float | None = None) -> None:
        self.db = db
        self.rate = rate
        self.burst = burst if burst is not None else max(rate * 2, 1.0)

    async def take(self, key: str) -> None:
        """`check` off the event loop: it waits on the database."""
        await run_in_threadpool(self.check, key)

    def check(self, key: str) -> None:
        """Take one token for ``key`` or raise 429 saying when to retry (503 if the database fails)."""
        if self.rate <= 0:
            return
        params = {"key": key, "rate": self.rate, "burst": self.burst}
        try:
            ok, tokens = self.db.run(lambda conn: conn.execute(_TAKE, params).fetchone())
        except Unavailable as exc:
            raise Problem(503, "rate limit", str(exc)) from None
        if not ok:
            wait = (1 - tokens) / self.rate
            raise Problem(
                429,
                "Authorization",
                f"rate limit of {self.rate:g} requests/s for this key",
                headers={"Retry-After": str(max(1, round(wait + 0.5)))},
            )


def rate_limiter(log_url: str, rate: float, burst: float | None = None) -> RateLimiter | SharedRateLimiter:
    """The limit per key: shared by the replicas of a PostgreSQL log, in memory for one process."""
    db = shared_database(log_url)
    return RateLimiter(rate, burst) if db is None or rate <= 0 else SharedRateLimiter(db, rate, burst)
