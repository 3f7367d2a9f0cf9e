"""A department system as the proxy and the hook call it: GET over pooled keep-alive connections.

httpcore's connection pool is used directly, without httpx's client layers the proxy has no use for
(redirects are not followed, no cookies, no auth flows, no event hooks): it halves the CPU a call
costs (docs/benchmarks.md, "proxy"). Answers are read as a stream, up to a byte limit, and only when
the status says there is something to read.

The timeout is a deadline for the whole call (waiting for a connection, connecting, sending,
the status line and headers, every byte of the body), not for each read: a system that trickles
one byte at a time is cut when it runs out (`_Deadline`: every socket operation of the call gets
at most what is left of it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from sanctuary.errors import SanctuaryError

# JSON, uncompressed: the answer is checked byte for byte before anything of it leaves.
ACCEPT = {"accept": "application/json", "accept-encoding": "identity"}
FAILURES = (
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
    httpcore.ProxyError,
    httpcore.ConnectionNotAvailable,
)


class TooLarge(SanctuaryError):
    """The answer is longer than the limit: it is not read further."""


class Failed(SanctuaryError):
    """The system could not be reached, or broke the protocol."""


class TimedOut(SanctuaryError):
    """The system did not answer in full before the call's deadline."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes  # empty unless 2xx


class _Deadline(threading.local):
    """The deadline (time.monotonic) of the call this thread is making, if any."""

    at: float | None = None

    def left(self, timeout: float | None, timed_out: type[Exception]) -> float | None:
        """`timeout` for one socket operation, cut to what is left of the call."""
        if self.at is None:
            return timeout
        left = self.at - time.monotonic()
        if left <= 0:
            raise timed_out("the call's deadline passed")
        return left if timeout is None else min(timeout, left)


_deadline = _Deadline()


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self.inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, _deadline.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, _deadline.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> httpcore.NetworkStream:
        return _Stream(self.inner.start_tls(ssl_context, server_hostname, _deadline.left(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class _Backend(httpcore.SyncBackend):
    """Sockets whose every operation is bounded by the calling thread's deadline."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _deadline.left(timeout, httpcore.ConnectTimeout)
        return _Stream(super().connect_tcp(host, port, bounded, local_address, socket_options))


class Upstream:
    """One department system; thread-safe (the pool is)."""

    def __init__(self, base_url: str, *, timeout: float = 5.0, connections: int = 32) -> None:
        self.base = base_url.rstrip("/")
        try:  # a malformed URL fails at start, not on the first call
            url = httpx.URL(self.base)
        except httpx.InvalidURL as exc:
            raise SanctuaryError("upstream", f"{base_url!r} is not a URL: {exc}") from None
        if url.scheme not in ("http", "https") or not url.host or url.query or url.fragment:
            raise SanctuaryError("upstream", f"{base_url!r}: give the system's base URL, http(s)://host[:port][/path]")
        self.seconds = timeout
        self.timeout = httpx.Timeout(timeout).as_dict()
        self.pool = httpcore.ConnectionPool(max_connections=connections, max_keepalive_connections=connections, network_backend=_Backend())

    def get(self, uri: str, limit: int, headers: dict[str, str] | None = None) -> Answer:
        """GET `uri` (the raw path and query, as received) on the system, asking for JSON, all of it
        within the timeout. Raises `TimedOut`, `Failed` and `TooLarge`."""
        try:
            url = httpx.URL(self.base + uri)  # the target as httpx writes it (percent-encoding what must be)
        except httpx.InvalidURL as exc:
            raise Failed("upstream", f"the call cannot be written as a URL: {exc}") from None
        target = httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path)
        sent = [(b"host", url.netloc), *httpx.Headers({**ACCEPT, **(headers or {})}).raw]
        request = httpcore.Request("GET", target, headers=sent, extensions={"timeout": self.timeout})
        _deadline.at = time.monotonic() + self.seconds
        try:
            response = self.pool.handle_request(request)
            try:
                if not 200 <= response.status < 300:
                    return Answer(response.status, b"")
                chunks, size = [], 0
                for chunk in response.iter_stream():
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge("upstream", f"the answer is larger than {limit} bytes")
                    chunks.append(chunk)
                return Answer(response.status, b"".join(chunks))
            finally:
                response.close()
        except httpcore.TimeoutException as exc:
            raise TimedOut("upstream", f"no answer in full within {self.seconds:g} s ({type(exc).__name__})") from None
        except FAILURES as exc:
            raise Failed("upstream", f"{type(exc).__name__}: {str(exc)[:200]}") from None
        finally:
            _deadline.at = None

    def close(self) -> None:
        self.pool.close()
