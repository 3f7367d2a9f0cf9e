"""Limits on what one caller can make the gateway do: body size and request rate.

Field lengths are limited by the request contract itself (``sanctuary.models``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from starlette.requests import Request as HttpRequest

from sanctuary.gateway.problems import Problem

MAX_BODY = 256 * 1024


async def read_body(http: HttpRequest, limit: int = MAX_BODY) -> bytes:
    """The request body, refused with 413 as soon as it is known to be longer than ``limit``."""
    declared = http.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise Problem(400, "Content-Length", "not a number")
        if int(declared) > limit:
            raise Problem(413, "body", f"{declared} bytes; the limit is {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in http.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, "body", f"more than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per credential: ``rate`` requests a second on average, bursts of ``burst``.

    Used from the event loop only (one thread), so it needs no lock. ``rate`` 0 turns it off.
    """

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.burst = burst if burst is not None else max(rate * 2, 1.0)
        self._buckets: dict[str, _Bucket] = {}

    async def take(self, key: str) -> None:
        """`check`, awaited where a shared limiter waits on its database (`sanctuary.gateway.shared`)."""
        self.check(key)

    def check(self, key: str) -> None:
        """Take one token for ``key`` or raise 429 saying when to retry."""
        if self.rate <= 0:
            return
        now = time.monotonic()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(self.burst, now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens < 1:
            wait = (1 - bucket.tokens) / self.rate
            raise Problem(
                429,
                "Authorization",
                f"rate limit of {self.rate:g} requests/s for this key",
                headers={"Retry-After": str(max(1, round(wait + 0.5)))},
            )
        bucket.tokens -= 1
