"""Sign-in attempts: counted before the password is hashed, limited per name and per client address.

An attempt is counted (under one lock) *before* its password is checked, so a hundred parallel
attempts cannot all reach the hash: at most the limit of them do, the rest are told when to try
again. Past a limit the wait grows (back-off, doubling up to a cap) instead of a fixed lock-out:

- per (name, client address): LIMIT attempts, then 1 s, 2 s, 4 s ... up to 5 minutes between tries;
- per client address, any name: ADDRESS_LIMIT attempts (password spraying), the same back-off;
- per name, any address: NAME_LIMIT attempts, then a wait capped at NAME_CAP seconds. A stranger
  guessing the admin's password from elsewhere can slow the admin to one try per NAME_CAP seconds at
  worst, never lock the account; a successful sign-in clears the name's and the pair's counts.

Attempts older than WINDOW seconds are forgotten. One process counts in memory (`Attempts`);
replicas on one PostgreSQL log count together in that database (`SharedAttempts`), or the limits
would multiply with their number. The client address is the peer's, or the last
address in `X-Forwarded-For` not itself a trusted proxy when the peer is one of the trusted proxies
(`SANCTUARY_TRUSTED_PROXIES`: comma-separated addresses or networks); a header from anyone else is
ignored, so a client cannot pick its own address.
"""

from __future__ import annotations

import ipaddress
import os
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from starlette.requests import Request as HttpRequest

from sanctuary.errors import SanctuaryError

if TYPE_CHECKING:
    from sanctuary.gateway.shared import SharedDatabase

LIMIT = 5
ADDRESS_LIMIT = 20
NAME_LIMIT = 20
WINDOW = 15 * 60.0
CAP = 300.0
NAME_CAP = 30.0
MAX_KEYS = 50_000
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies(value: str | None = None) -> tuple[Network, ...]:
    """The networks whose `X-Forwarded-For` is believed (default: `SANCTUARY_TRUSTED_PROXIES`)."""
    text = os.environ.get("SANCTUARY_TRUSTED_PROXIES", "") if value is None else value
    try:
        return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise SanctuaryError("SANCTUARY_TRUSTED_PROXIES", f"not an address or network: {exc}") from None


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(http: HttpRequest, proxies: tuple[Network, ...]) -> str:
    """The address the attempt came from (see the module's docstring for `X-Forwarded-For`)."""
    peer = http.client.host if http.client else "unknown"
    if not proxies or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in ",".join(http.headers.getlist("x-forwarded-for")).split(",") if h.strip()]
    for hop in reversed(hops):  # the nearest hop not ours is the client; earlier ones it could write
        if not _trusted(hop, proxies):
            return hop[:64]
    return peer


def _keys(name: str, address: str) -> tuple[tuple[tuple[str, ...], int, float], ...]:
    """The counts one attempt adds to, each with its limit and its cap on the wait."""
    return ((("pair", name, address), LIMIT, CAP), (("address", address), ADDRESS_LIMIT, CAP), (("name", name), NAME_LIMIT, NAME_CAP))


def _backoff(count: int, last: float, limit: int, cap: float, now: float) -> float:
    """Seconds to wait after `count` attempts in the window, the last at `last`."""
    over = count - limit
    if over < 0:
        return 0.0
    return max(0.0, last + min(cap, 2.0**over) - now)


class Attempts:
    """Sign-in attempts per name, per address and per (name, address); see the module docstring."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, ...], deque[float]] = {}
        self._lock = threading.Lock()

    def _wait(self, key: tuple[str, ...], limit: int, cap: float, now: float) -> float:
        times = self._seen.get(key)
        if times is None:
            return 0.0
        while times and now - times[0] > WINDOW:
            times.popleft()
        if not times:
            del self._seen[key]
            return 0.0
        return _backoff(len(times), times[-1], limit, cap, now)

    def admit(self, name: str, address: str) -> float:
        """Count one attempt and return 0, or the seconds to wait (the attempt is then not counted)."""
        keys = _keys(name, address)
        now = time.monotonic()
        with self._lock:
            wait = max(self._wait(key, limit, cap, now) for key, limit, cap in keys)
            if wait > 0:
                return wait
            if len(self._seen) >= MAX_KEYS:  # bounded: forget the oldest keys
                for old in list(self._seen)[: MAX_KEYS // 10]:
                    del self._seen[old]
            for key, _, _ in keys:
                self._seen.setdefault(key, deque()).append(now)
            return 0.0

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._seen.pop(("pair", name, address), None)
            self._seen.pop(("name", name), None)


class SharedAttempts:
    """`Attempts` counted in the replicas' PostgreSQL database, one attempt at a time (an advisory
    lock), so a hundred parallel guesses spread over the replicas reach the password check at most
    the limit. A database that cannot be reached refuses the attempt (Unavailable, "shared state")."""

    def __init__(self, db: SharedDatabase) -> None:
        self.db = db

    def admit(self, name: str, address: str) -> float:
        from sanctuary.gateway.shared import SIGNIN_LOCK

        keys = [("\x1f".join(key), limit, cap) for key, limit, cap in _keys(name, address)]

        def count(conn: Any) -> float:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SIGNIN_LOCK,))
            now = float(conn.execute("SELECT EXTRACT(EPOCH FROM clock_timestamp())").fetchone()[0])
            conn.execute("DELETE FROM gateway_signin WHERE at < %s", (now - WINDOW,))
            wait = 0.0
            for key, limit, cap in keys:
                seen, last = conn.execute("SELECT count(*), max(at) FROM gateway_signin WHERE key = %s", (key,)).fetchone()
                if seen:
                    wait = max(wait, _backoff(int(seen), float(last), limit, cap, now))
            if wait == 0:
                with conn.cursor() as cur:
                    cur.executemany("INSERT INTO gateway_signin (key, at) VALUES (%s, %s)", [(key, now) for key, _, _ in keys])
            return wait

        return self.db.run(count)

    def succeeded(self, name: str, address: str) -> None:
        pair, _, by_name = ("\x1f".join(key) for key, _, _ in _keys(name, address))
        self.db.run(lambda conn: conn.execute("DELETE FROM gateway_signin WHERE key IN (%s, %s)", (pair, by_name)))
