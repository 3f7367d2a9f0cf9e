"""The request target of a call on a department system, as that system will read it.

The hook decides a call the web server then forwards untouched, and the proxy forwards the call it
decided: either way the route decided must be the route served. So a target is taken only in origin
form (RFC 9112 §3.2.1: `/path?query`) and only with the characters RFC 3986 allows there (pchar,
`/`, and `?` in the query): no fragment (a system drops `#...`, so `/persons/P1#/custody` is served
as `/persons/P1`), no raw space, control or non-ASCII byte. It is then normalised as every system
may read it (RFC 3986 §6.2.2): percent-encoded unreserved characters decoded, the hex digits of the
others upper-cased. What systems read differently is refused, never guessed at:

- a dot segment (`.`, `..`, also encoded): resolved by some servers, routed as a name by others;
- an empty segment (`//`, a trailing `/`): merged by some, kept by others;
- a `;` path parameter (`/persons/P1;/custody`): stripped before routing by some servers;
- in the path, an encoded `/`, `\\`, `;`, `%`, `?`, `#` or control byte: decoded into a separator,
  or a terminator, by some;
- a raw `;` in the query: a parameter separator for some;
- percent-encoded bytes that are not UTF-8.

The reason never repeats the target (the refusal is recorded, in public): it names what is wrong.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from sanctuary.models import RequestError

_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_PCHAR = r"A-Za-z0-9\-._~!$&'()*+,;=:@%"  # unreserved, sub-delims, ":", "@", and "%" of a pct-encoded byte
_IN_PATH = re.compile(f"[{_PCHAR}/]*")
_IN_QUERY = re.compile(f"[{_PCHAR}/?]*")
_NEVER_ENCODED = frozenset(b"/\\;%?#") | frozenset(range(0x20)) | {0x7F}
_ESCAPE = re.compile(r"%(?:[0-9A-Fa-f]{2})?")


class BadTarget(RequestError):
    """A request target the department system may read as another call: refused, never forwarded."""


@dataclass(frozen=True)
class Target:
    """An origin-form target, normalised: what is decided, and what the proxy forwards."""

    path: str
    query: str

    def __str__(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path


def parse(uri: str) -> Target:
    """The target `uri` (`path?query`, as received) normalised, or `BadTarget` naming what is wrong."""
    if not uri.startswith("/"):
        raise BadTarget("target", "not in origin form (/path?query); the call is not forwarded")
    path, _, query = uri.partition("?")
    for part, allowed in ((path, _IN_PATH), (query, _IN_QUERY)):
        if not allowed.fullmatch(part):
            odd = next(c for c in part if not allowed.fullmatch(c))
            raise BadTarget("target", f"{_describe(odd)} is not allowed in a request target (RFC 3986); the call is not forwarded")
    if "%" in path:
        path = _ESCAPE.sub(_normalise_escape, path)
    if "%" in query and any(_bad_escape(m) for m in _ESCAPE.finditer(query)):
        raise BadTarget("target", "a % that is not a percent-encoded byte (%XX); the call is not forwarded")
    if ";" in query:
        raise BadTarget("target", "a ; in the query (a separator for some systems); use &; the call is not forwarded")
    for segment in path.split("/")[1:] if path != "/" else []:
        if segment in ("", ".", ".."):
            what = "an empty path segment (// or a trailing /)" if not segment else "a dot segment (. or ..)"
            raise BadTarget("target", f"{what}: systems resolve it differently; the call is not forwarded")
        if ";" in segment:
            raise BadTarget("target", "a ; path parameter: some systems strip it before routing; the call is not forwarded")
    try:
        if "%" in path:
            unquote_to_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise BadTarget("target", "the path's percent-encoded bytes are not UTF-8; the call is not forwarded") from None
    return Target(path, query)


def _bad_escape(match: re.Match[str]) -> bool:
    return len(match.group()) != 3


def _normalise_escape(match: re.Match[str]) -> str:
    if _bad_escape(match):
        raise BadTarget("target", "a % that is not a percent-encoded byte (%XX); the call is not forwarded")
    byte = int(match.group()[1:], 16)
    if chr(byte) in _UNRESERVED:
        return chr(byte)
    if byte in _NEVER_ENCODED:
        raise BadTarget("target", f"an encoded {_describe(chr(byte))} in the path: some systems decode it; the call is not forwarded")
    return match.group().upper()


def _describe(char: str) -> str:
    if char == "#":
        return "a fragment (#)"
    if char == " ":
        return "a raw space"
    if ord(char) < 0x20 or ord(char) == 0x7F:
        return f"a control character (U+{ord(char):04X})"
    if ord(char) > 0x7F:
        return "a non-ASCII character"
    return repr(char)
