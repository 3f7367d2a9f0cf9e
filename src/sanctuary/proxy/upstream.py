"""A department system as the proxy and the hook call it: GET over pooled keep-alive connections.

httpx's transport is used directly, without the client layers the proxy has no use for (redirects
are not followed, no cookies, no auth flows, no event hooks): it halves the CPU a call costs
(docs/benchmarks.md, "proxy"). Answers are read as a stream, up to a byte limit, and only when the
status says there is something to read.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from sanctuary.errors import SanctuaryError

# JSON, uncompressed: the answer is checked byte for byte before anything of it leaves.
ACCEPT = {"accept": "application/json", "accept-encoding": "identity"}


class TooLarge(SanctuaryError):
    """The answer is longer than the limit: it is not read further."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes  # empty unless 2xx


class Upstream:
    """One department system; thread-safe (the transport's pool is)."""

    def __init__(self, base_url: str, *, timeout: float = 5.0, connections: int = 32) -> None:
        self.base = base_url.rstrip("/")
        try:  # a malformed URL fails at start, not on the first call
            url = httpx.URL(self.base)
        except httpx.InvalidURL as exc:
            raise SanctuaryError("upstream", f"{base_url!r} is not a URL: {exc}") from None
        if url.scheme not in ("http", "https") or not url.host or url.query or url.fragment:
            raise SanctuaryError("upstream", f"{base_url!r}: give the system's base URL, http(s)://host[:port][/path]")
        self.timeout = httpx.Timeout(timeout).as_dict()
        self.transport = httpx.HTTPTransport(limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections))

    def get(self, uri: str, limit: int, headers: dict[str, str] | None = None) -> Answer:
        """GET `uri` (the raw path and query, as received) on the system, asking for JSON. Raises
        httpx's errors (`httpx.TimeoutException` when it does not answer in time) and `TooLarge`."""
        request = httpx.Request("GET", self.base + uri, headers={**ACCEPT, **(headers or {})}, extensions={"timeout": self.timeout})
        response = self.transport.handle_request(request)
        try:
            if not 200 <= response.status_code < 300:
                return Answer(response.status_code, b"")
            chunks, size = [], 0
            for chunk in response.iter_raw():
                size += len(chunk)
                if size > limit:
                    raise TooLarge("upstream", f"the answer is larger than {limit} bytes")
                chunks.append(chunk)
            return Answer(response.status_code, b"".join(chunks))
        finally:
            response.close()

    def close(self) -> None:
        self.transport.close()
