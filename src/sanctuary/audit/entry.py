"""The keyed values of a log entry, whatever it records: `mac` (a keyed HMAC for one purpose),
`seal` (the signed entry's commitment to its protected record), `keyed_view` (the linkable
pseudonyms oversight may see) and the entry's `timestamp`. The log takes bytes: what an entry of a
decision holds is the encoder's (`sanctuary.recording`); nothing here knows a request or a decision.
"""

from __future__ import annotations

import base64
import hmac
import time
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sanctuary.audit.canonical import canonical
from sanctuary.audit.keys import pseudonym


def mac(key: bytes, label: str, data: bytes) -> str:
    """Keyed HMAC-SHA-256 of `data` for one purpose (`label`), base64."""
    keyed = _keyed(key).copy()
    keyed.update(label.encode() + b"\x00")
    keyed.update(data)
    return base64.b64encode(keyed.digest()).decode()


@lru_cache(maxsize=8)
def _keyed(key: bytes) -> hmac.HMAC:
    """HMAC-SHA-256 keyed with `key`, before any data: copied per use, it spares OpenSSL finding the
    digest and preparing the key again for every value (a log has one key, a verifier a few)."""
    return hmac.new(key, digestmod="sha256")


def keyed_view(protected: dict[str, Any], key: bytes) -> dict[str, str]:
    """The linkable pseudonyms of a protected record: equal values give equal HMACs, for oversight
    that holds the key and must see that two requests were about the same person, not who."""
    out = {p: pseudonym(key, v) for p, v in protected.items() if isinstance(v, str) and p not in ("nonce", "error", "facts_source")}
    for i, item in enumerate(protected.get("disclosed") or []):
        out[f"disclosed.{i}.record_id"] = pseudonym(key, item["record_id"])
    return out


def seal(protected: dict[str, Any], key: bytes) -> str:
    return mac(key, "sealed", canonical(protected))


def timestamp(now: datetime | None) -> str:
    """ISO 8601 in UTC to the millisecond (truncated), e.g. 2026-11-30T09:31:17.042Z."""
    if now is not None:
        return now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    ms = time.time_ns() // 1_000_000
    return f"{_second(ms // 1000)}.{ms % 1000:03d}Z"


@lru_cache(maxsize=2)
def _second(epoch: int) -> str:
    """The part of `_timestamp` that changes once a second, written once per second."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch))
