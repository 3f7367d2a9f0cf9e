"""Who is signed in: server-side sessions behind a random cookie, each with its own CSRF token.

Every visitor who is shown a form gets a session (signed out at first) whose CSRF token the form
carries; a POST without the session's token is refused. Signing in replaces the session (a new
cookie value), so a token planted before sign-in is worth nothing after it. Sessions live in memory:
a restart signs everyone out, which is the safe direction.

Replicas on one PostgreSQL log keep them in that database instead (`SharedSessions`), so a person
signed in through one replica is signed in on all: the row holds a hash of the cookie value (a
copy of the table signs nobody in), the CSRF token, who and since when. A desk result (the records
an officer was shown) is kept there too, so its page opens on any replica, but sealed: AES-GCM under
a key derived from the cookie value, which the database never holds, so a copy of the table reads
none of them; they go with their session (signed out, idle, too old), the last KEEP_RESULTS each.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
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

    def result(self, key: str) -> dict | None:
        """A desk result this session kept, by the key of its address."""
        return self.results.get(key)

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


_RESULT_KEY = b"sanctuary desk result v1"


def _purge(conn: Any) -> None:
    """Delete the sessions that expired, and with them (ON DELETE CASCADE) their desk results."""
    conn.execute(f"DELETE FROM gateway_session WHERE seen < {_NOW} - %s OR started < {_NOW} - %s", (IDLE_SECONDS, MAX_SECONDS))


def _sealing(token: str) -> AESGCM:
    """The cipher of a session's desk results: its key derived from the cookie value (the database
    keeps only SHA-256 of that value, which gives nothing of this key)."""
    return AESGCM(hmac.new(token.encode(), _RESULT_KEY, hashlib.sha256).digest())


@dataclass
class SharedSession(Session):
    """A session of `SharedSessions`: its desk results sealed in `gateway_desk_result`."""

    db: Any = None  # the SharedDatabase

    def keep_result(self, result: dict) -> str:
        key = secrets.token_urlsafe(12)
        nonce = secrets.token_bytes(12)
        sealed = nonce + _sealing(self.token).encrypt(nonce, orjson.dumps(result), f"{_hashed(self.token)} {key}".encode())

        def insert(conn: Any) -> None:
            _purge(conn)
            conn.execute(
                f"INSERT INTO gateway_desk_result (token_hash, key, sealed, at) VALUES (%s, %s, %s, {_NOW})",
                (_hashed(self.token), key, sealed),
            )
            conn.execute(
                "DELETE FROM gateway_desk_result WHERE token_hash = %(hash)s AND key NOT IN "
                "(SELECT key FROM gateway_desk_result WHERE token_hash = %(hash)s ORDER BY at DESC LIMIT %(keep)s)",
                {"hash": _hashed(self.token), "keep": KEEP_RESULTS},
            )

        self.db.run(insert)
        return key

    def result(self, key: str) -> dict | None:
        row = self.db.run(
            lambda conn: conn.execute(
                "SELECT sealed FROM gateway_desk_result WHERE token_hash = %s AND key = %s", (_hashed(self.token), key)
            ).fetchone()
        )
        if row is None:
            return None
        sealed = bytes(row[0])
        try:
            opened = _sealing(self.token).decrypt(sealed[:12], sealed[12:], f"{_hashed(self.token)} {key}".encode())
        except InvalidTag:  # not sealed for this session and key: as if absent
            return None
        result: dict = orjson.loads(opened)
        return result


class SharedSessions:
    """`Sessions` in the replicas' PostgreSQL database (tables `gateway_session` and
    `gateway_desk_result`, see the module docstring); expiry by the database's clock, as in memory:
    IDLE_SECONDS idle, MAX_SECONDS in all."""

    def __init__(self, db: SharedDatabase) -> None:
        self.db = db

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
            return None
        return SharedSession(token, csrf=row[0], user=row[1], role=row[2], db=self.db)

    def new(self, user: str | None = None, role: str | None = None) -> Session:
        session = SharedSession(secrets.token_urlsafe(32), user=user, role=role, db=self.db)

        def insert(conn: Any) -> None:
            _purge(conn)
            conn.execute(
                f"INSERT INTO gateway_session (token_hash, csrf, username, role, started, seen) VALUES (%s, %s, %s, %s, {_NOW}, {_NOW})",
                (_hashed(session.token), session.csrf, user, role),
            )

        self.db.run(insert)
        return session

    def end(self, session: Session) -> None:
        self.db.run(lambda conn: conn.execute("DELETE FROM gateway_session WHERE token_hash = %s", (_hashed(session.token),)))
