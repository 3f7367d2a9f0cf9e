"""Limits on what one caller can make the gateway do: body size, JSON shape, request rate.

Field lengths are limited by the request contract itself (``sanctuary.models``).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request as HttpRequest

from sanctuary.gateway.problems import Problem

MAX_BODY = 256 * 1024
MAX_DEPTH = 16  # a request nests 4 deep; anything far deeper is an attack on the parser
MAX_NUMBER = 32  # characters of one number literal (a request holds no number that long)


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


class _Refused(ValueError):
    """The body is JSON the gateway does not read (a duplicate key, a huge number, a constant)."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Refused(f"duplicate key {key[:40]!r}")
        out[key] = value
    return out


def _number(text: str) -> int | float:
    if len(text) > MAX_NUMBER:
        raise _Refused(f"a number of {len(text)} characters")
    value = float(text) if any(c in text for c in ".eE") else int(text)
    if isinstance(value, float) and not math.isfinite(value):
        raise _Refused("a number out of range")
    return value


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not JSON")


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                break
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def read_json(raw: bytes) -> Any:
    """The body as JSON, refused with 400 (naming why) when it is not JSON, nests deeper than
    MAX_DEPTH, repeats a key (which value would count?) or holds a huge number or NaN/Infinity."""
    try:
        value = json.loads(raw, object_pairs_hook=_pairs, parse_int=_number, parse_float=_number, parse_constant=_constant)
    except RecursionError:
        raise Problem(400, "body", f"nested deeper than {MAX_DEPTH} levels") from None
    except _Refused as exc:
        raise Problem(400, "body", str(exc)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise Problem(400, "body", f"not JSON: {exc}") from None
    if _depth(value) > MAX_DEPTH:
        raise Problem(400, "body", f"nested deeper than {MAX_DEPTH} levels")
    return value


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
