"""Sign-in attempts: counted before the password is hashed, limited per name and per client address.

An attempt is counted (under one lock) *before* its password is checked, so a hundred parallel
attempts cannot all reach the hash: at most the limit of them do, the rest are told when to try
again. Past a limit the wait grows (back-off, doubling up to a cap) instead of a fixed lock-out:

- per (name, client address): LIMIT attempts, then 1 s, 2 s, 4 s ... up to 5 minutes between tries;
- per client address, any name: ADDRESS_LIMIT attempts (password spraying), the same back-off;
- per name, any address: NAME_LIMIT attempts, then a wait capped at NAME_CAP seconds. A stranger
  guessing the admin's password from elsewhere can slow the admin to one try per NAME_CAP seconds at
  worst, never lock the account; a successful sign-in clears the name's and the pair's counts.

Attempts older than WINDOW seconds are forgotten. The client address is the peer's, or the last
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

from starlette.requests import Request as HttpRequest

from sanctuary.errors import SanctuaryError

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
        over = len(times) - limit
        if over < 0:
            return 0.0
        return max(0.0, times[-1] + min(cap, 2.0**over) - now)

    def admit(self, name: str, address: str) -> float:
        """Count one attempt and return 0, or the seconds to wait (the attempt is then not counted)."""
        keys = ((("pair", name, address), LIMIT, CAP), (("address", address), ADDRESS_LIMIT, CAP), (("name", name), NAME_LIMIT, NAME_CAP))
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
