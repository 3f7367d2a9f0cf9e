"""RFC 8785 (JSON Canonicalization Scheme) bytes of a log entry, fast.

`rfc8785.dumps` is exact for every JSON value but written in Python, and it cost about 40 µs per
entry, twice per decision: the largest single cost of recording one. For the values entries hold
(ASCII keys, strings, booleans, null, integers within ±(2^53 - 1), lists and objects of these; no
floats) the standard library's encoder with sorted keys, no whitespace and no ASCII escaping writes
exactly the same bytes: the same key order (code units equal code points for ASCII keys), the
same string escapes (`"`, `\\`, the two-letter forms of \\b \\t \\n \\f \\r, `\\u00xx` in lower-case
hex for the other control characters, everything else as UTF-8) and the same integers. Anything
else goes to `rfc8785.dumps`. tests/test_audit_canonical.py checks the two agree.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

_MAX_SAFE = 2**53 - 1
_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode


def _plain(value: Any) -> bool:
    """Whether the standard encoder writes `value` exactly as RFC 8785 does."""
    if value is None or isinstance(value, (str, bool)):
        return True
    if isinstance(value, int):
        return -_MAX_SAFE <= value <= _MAX_SAFE
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and k.isascii() and _plain(v) for k, v in value.items())
    return False


def canonical(value: Any) -> bytes:
    """The RFC 8785 canonical JSON bytes of `value`."""
    if _plain(value):
        try:
            return _encode(value).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: let the exact encoder say what is wrong
            pass
    return rfc8785.dumps(value)
