"""Who is signed in: server-side sessions behind a random cookie, each with its own CSRF token.

Every visitor who is shown a form gets a session (signed out at first) whose CSRF token the form
carries; a POST without the session's token is refused. Signing in replaces the session (a new
cookie value), so a token planted before sign-in is worth nothing after it. Sessions live in memory:
a restart signs everyone out, which is the safe direction.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field

from starlette.requests import Request as HttpRequest
from starlette.responses import Response

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
