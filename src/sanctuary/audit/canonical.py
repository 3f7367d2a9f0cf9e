"""RFC 8785 (JSON Canonicalization Scheme) bytes of a log entry, fast.

`rfc8785.dumps` is exact for every JSON value but written in Python, and it cost about 40 µs per
entry, three times per decision: the largest single cost of recording one. For the values entries
hold (ASCII keys, strings, booleans, null, integers within ±(2^53 - 1), lists and objects of these;
no floats) orjson with sorted keys writes exactly the same bytes: compact, the same key order (code
units equal code points for ASCII keys), the same string escapes (`"`, `\\`, the two-letter forms of
\\b \\t \\n \\f \\r, `\\u00xx` in lower-case hex for the other control characters, everything else
as UTF-8) and the same integers. Anything else goes to `rfc8785.dumps`, and so does a string orjson
refuses (a lone surrogate), so that the exact encoder says what is wrong.
tests/test_audit_canonical.py checks the two agree.
"""

from __future__ import annotations

from typing import Any

import orjson
import rfc8785

_MAX_SAFE = 2**53 - 1


def _plain(value: Any) -> bool:
    """Whether orjson writes `value` exactly as RFC 8785 does: exact types only (a subclass, a
    float or anything else goes to the exact encoder), walked without recursion."""
    pending = [value]
    while pending:
        item = pending.pop()
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if not -_MAX_SAFE <= item <= _MAX_SAFE:
                return False
        elif kind is list:
            pending.extend(item)
        elif kind is dict:
            try:  # every key a string (join refuses anything else), all of them ASCII: one C call
                if not "".join(item).isascii():
                    return False
            except TypeError:
                return False
            pending.extend(item.values())
        else:
            return False
    return True


def canonical(value: Any) -> bytes:
    """The RFC 8785 canonical JSON bytes of `value`."""
    return canonical_plain(value) if _plain(value) else rfc8785.dumps(value)


def canonical_plain(value: Any) -> bytes:
    """`canonical` for a value known to hold only strings, booleans, nulls, small integers, lists
    and objects with ASCII keys, whose walk would find nothing: a request's JSON dump (the request
    model has no number and no object with free keys) and an entry's record (its keys are names of
    the format, its numbers small counts). tests/test_audit_canonical.py holds both to that."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # a lone surrogate: let the exact encoder say what is wrong
        return rfc8785.dumps(value)
