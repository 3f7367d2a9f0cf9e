"""Who is signed in: server-side sessions behind a random cookie, each with its own CSRF token.

Every visitor who is shown a form gets a session (signed out at first) whose CSRF token the form
carries; a POST without the session's token is refused. Signing in replaces the session (a new
cookie value), so a token planted before sign-in is worth nothing after it. Sessions live in memory:
a restart signs everyone out, which is the safe direction.

Replicas on one PostgreSQL log keep them in that database instead (`SharedSessions`), so a person
signed in through one replica is signed in on all: the row holds a hash of the cookie value (a
copy of the table signs nobody in), the CSRF token, who and since when, never a desk result. Desk
results stay in the memory of the replica that produced them, for its own result page.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request as HttpRequest
from starlette.responses import Response

if TYPE_CHECKING:
    from sanctuary.gateway.shared import SharedDatabase

COOKIE = "sanctuary_session"
IDLE_SECONDS = 30 * 60
MAX_SECONDS = 10 * 60 * 60
MAX_SESSIONS = 10_000
KEEP_RESULTS = 20


@dataclass
class Session:
    token: str
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    user: str | None = None
    role: str | None = None
    started: float = field(default_factory=time.monotonic)
    seen: float = field(default_factory=time.monotonic)
    results: dict[str, dict] = field(default_factory=dict)  # desk results by key, for post-redirect-get

    def keep_result(self, result: dict) -> str:
        """Keep a desk result for its page (the last KEEP_RESULTS); returns the key of its address."""
        key = secrets.token_urlsafe(12)
        self.results[key] = result
        while len(self.results) > KEEP_RESULTS:
            self.results.pop(next(iter(self.results)))
        return key

    def expired(self, now: float) -> bool:
        return now - self.seen > IDLE_SECONDS or now - self.started > MAX_SECONDS


class Sessions:
    def __init__(self) -> None:
        self._by_token: dict[str, Session] = {}
        self._lock = threading.Lock()

    def get(self, http: HttpRequest) -> Session | None:
        token = http.cookies.get(COOKIE)
        if not token:
            return None
        now = time.monotonic()
        with self._lock:
            session = self._by_token.get(token)
            if session is None or session.expired(now):
                self._by_token.pop(token, None)
                return None
            session.seen = now
            return session

    def new(self, user: str | None = None, role: str | None = None) -> Session:
        session = Session(secrets.token_urlsafe(32), user=user, role=role)
        now = time.monotonic()
        with self._lock:
            if len(self._by_token) >= MAX_SESSIONS:
                for token in [t for t, s in self._by_token.items() if s.expired(now)]:
                    del self._by_token[token]
                if len(self._by_token) >= MAX_SESSIONS:  # still full: drop the oldest signed-out ones
                    for token in [t for t, s in self._by_token.items() if s.user is None][: MAX_SESSIONS // 10]:
                        del self._by_token[token]
            self._by_token[session.token] = session
        return session

    def end(self, session: Session) -> None:
        with self._lock:
            self._by_token.pop(session.token, None)


def csrf_ok(session: Session | None, token: str | None) -> bool:
    return session is not None and bool(token) and hmac.compare_digest(session.csrf, token or "")


def set_cookie(response: Response, session: Session) -> None:
    response.set_cookie(COOKIE, session.token, httponly=True, samesite="strict", max_age=MAX_SECONDS, path="/")


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


_NOW = "EXTRACT(EPOCH FROM clock_timestamp())"


def _hashed(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SharedSessions:
    """`Sessions` in the replicas' PostgreSQL database (table `gateway_session`, see the module
    docstring); expiry by the database's clock, as in memory: IDLE_SECONDS idle, MAX_SECONDS in all."""

    def __init__(self, db: SharedDatabase) -> None:
        self.db = db
        self._results: dict[str, dict[str, dict]] = {}  # this replica's desk results, by session token
        self._lock = threading.Lock()

    def get(self, http: HttpRequest) -> Session | None:
        token = http.cookies.get(COOKIE)
        if not token:
            return None
        row = self.db.run(
            lambda conn: conn.execute(
                f"UPDATE gateway_session SET seen = {_NOW} WHERE token_hash = %s "
                f"AND seen > {_NOW} - %s AND started > {_NOW} - %s RETURNING csrf, username, role",
                (_hashed(token), IDLE_SECONDS, MAX_SECONDS),
            ).fetchone()
        )
        if row is None:
            with self._lock:
                self._results.pop(token, None)
            return None
        with self._lock:
            results = self._results.setdefault(token, {})
        return Session(token, csrf=row[0], user=row[1], role=row[2], results=results)

    def new(self, user: str | None = None, role: str | None = None) -> Session:
        session = Session(secrets.token_urlsafe(32), user=user, role=role)

        def insert(conn: Any) -> None:
            conn.execute(f"DELETE FROM gateway_session WHERE seen < {_NOW} - %s OR started < {_NOW} - %s", (IDLE_SECONDS, MAX_SECONDS))
            conn.execute(
                f"INSERT INTO gateway_session (token_hash, csrf, username, role, started, seen) VALUES (%s, %s, %s, %s, {_NOW}, {_NOW})",
                (_hashed(session.token), session.csrf, user, role),
            )

        self.db.run(insert)
        with self._lock:
            if len(self._results) >= MAX_SESSIONS:  # bounded: forget the oldest results first
                for old in list(self._results)[: MAX_SESSIONS // 10]:
                    del self._results[old]
            self._results[session.token] = session.results
        return session

    def end(self, session: Session) -> None:
        self.db.run(lambda conn: conn.execute("DELETE FROM gateway_session WHERE token_hash = %s", (_hashed(session.token),)))
        with self._lock:
            self._results.pop(session.token, None)
