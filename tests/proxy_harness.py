"""Real servers on loopback for the proxy tests: any ASGI app under uvicorn in a thread, the demo
RMS (counting the calls that reach it), a misbehaving system, and the proxy itself."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway_harness import in_thread
from sanctuary.audit import open_log
from sanctuary.audit.keys import generate
from sanctuary.gateway.credentials import KeyRing, demo_key
from sanctuary.proxy.app import ProxyConfig, create_app
from sanctuary.proxy.demo_upstream import SERVED_HEADER, DemoRMS
from sanctuary.proxy.demo_upstream import create_app as rms_app
from sanctuary.proxy.routes import RouteMap, load, parse

EXAMPLE_ROUTES = Path(__file__).resolve().parent.parent / "examples" / "rms" / "routes.toml"


@dataclass
class Served:
    url: str
    app: Any
    server: uvicorn.Server
    thread: threading.Thread
    hits: Counter[str]
    served: dict[str, str] = field(default_factory=dict)  # decision id -> the call served (`recording`)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def serve(app: Any, hits: Counter[str] | None = None) -> Served:
    url, server, thread = in_thread(app)
    return Served(url, app, server, thread, hits if hits is not None else Counter())


def counting(app: Any, hits: Counter[str]) -> Any:
    """An ASGI wrapper counting the paths that reach `app`: what was forwarded, and what was not."""

    async def wrapped(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            hits[scope["path"]] += 1
        await app(scope, receive, send)

    return wrapped


def recording(app: Any, served: dict[str, str]) -> Any:
    """An ASGI wrapper keeping, per decision id the call came with (`X-Sanctuary-Decision-Id`, set by
    the proxy and by the shipped nginx site), the call the system says it served (`SERVED_HEADER`);
    a call with no decision id is kept under "" (the last one)."""

    async def wrapped(scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        decision = dict(scope["headers"]).get(b"x-sanctuary-decision-id", b"").decode("latin-1")

        async def sending(message: dict) -> None:
            if message["type"] == "http.response.start":
                said = dict(message.get("headers", [])).get(SERVED_HEADER.lower().encode())
                served[decision] = said.decode("latin-1") if said is not None else "(not a call of the RMS)"
            await send(message)

        await app(scope, receive, sending)

    return wrapped


def demo_rms() -> Served:
    hits: Counter[str] = Counter()
    served: dict[str, str] = {}
    running = serve(counting(recording(rms_app(DemoRMS()), served), hits), hits)
    running.served = served
    return running


# A system that misbehaves, one way per path; the route map below maps each path as a person route.
PERSON = {"person_id": "P0000001", "first_name": "Maria", "status": {"immigration_status": "undocumented"}}


async def _odd(request: Request) -> Response:
    how = request.path_params["how"]
    if how == "html":
        return Response("<html><body>Maria Lopez, undocumented</body></html>", media_type="text/html")
    if how == "list":
        return Response(json.dumps([PERSON]), media_type="application/json")
    if how == "wrapped":
        return Response(json.dumps({"data": PERSON}), media_type="application/json")
    if how == "error":
        return Response(json.dumps({"error": "db down", **PERSON}), status_code=500, media_type="application/json")
    if how == "slow":
        await asyncio.sleep(2)
        return Response(json.dumps(PERSON), media_type="application/json")
    if how == "extra":
        return Response(json.dumps({**PERSON, "ssn": "000-00-0000", "gps": {"lat": 41.8, "lon": -87.6}}), media_type="application/json")
    if how == "huge":
        return Response(b'{"person_id": "P0000001", "first_name": "' + b"M" * (9 * 1024 * 1024) + b'"}', media_type="application/json")
    if how == "missing":
        return Response(json.dumps({"error": "no such person: Maria Lopez"}), status_code=404, media_type="application/json")
    return Response(json.dumps(PERSON), media_type="application/json")


ODD_ROUTES = """
[[route]]
name = "odd"
method = "GET"
path = "/odd/{how}"
kind = "database_query"
search = { type = "person", person_id = "P0000001" }
[route.response]
root = "object"
record_id = "$.person_id"
[route.response.categories]
"$.person_id" = "record_number"
"$.first_name" = "person_name"
"$.status.immigration_status" = "immigration_status"
"""


def odd_system() -> Served:
    hits: Counter[str] = Counter()
    return serve(counting(Starlette(routes=[Route("/odd/{how}", _odd)]), hits), hits)


def odd_routes() -> RouteMap:
    return parse(ODD_ROUTES)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def raw_get(url: str, target: str, headers: list[tuple[str, str]] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Send `GET target` byte for byte (a fragment, a raw space: what a client library would clean
    up), one connection, and read the answer: status, headers (lowercased), body."""
    host, port = url.removeprefix("http://").split(":")
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}", "Connection: close", *(f"{k}: {v}" for k, v in headers or [])]
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    found = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        found[name.strip().lower()] = value.strip()
    if found.get("transfer-encoding") == "chunked":
        body = _unchunk(body)
    return int(status_line.split()[1]), found, body


def _unchunk(data: bytes) -> bytes:
    out = b""
    while data:
        size, _, data = data.partition(b"\r\n")
        n = int(size.split(b";")[0], 16)
        if n == 0:
            break
        out, data = out + data[:n], data[n + 2 :]
    return out


@dataclass
class Proxy:
    served: Served
    log_url: str

    @property
    def url(self) -> str:
        return self.served.url

    def call(self, who: str | None, path: str, **headers: str) -> httpx.Response:
        if who:
            headers["Authorization"] = f"Bearer {demo_key(who)}"
        return httpx.get(self.url + path, headers=headers, timeout=30)

    def entry(self, index: int) -> dict[str, Any]:
        log = open_log(self.log_url)
        try:
            return json.loads(log.entry(index))
        finally:
            log.close()

    def protected(self, index: int) -> dict[str, Any]:
        """The protected record behind entry `index` (what was disclosed, the error): admin's view."""
        log = open_log(self.log_url)
        try:
            return dict(log.reveal(index))
        finally:
            log.close()

    def size(self) -> int:
        log = open_log(self.log_url)
        try:
            return log.size()
        finally:
            log.close()


def start_proxy(home: Path, upstream: str, routes: RouteMap | None = None, **overrides: Any) -> Proxy:
    """A proxy in front of `upstream`, its log under `home` (SANCTUARY_HOME), the demo keys accepted,
    no rate limit (as the gateway's harness; a test sets `rate`)."""
    if not (home / "keys" / "log.key").exists():
        generate("test.example/decisions", home / "keys")
    keys = KeyRing()
    keys.add_demo_keys()
    log_url = str(home / "proxy-log.db")
    cfg = ProxyConfig(
        upstream=upstream, routes=routes or load(EXAMPLE_ROUTES), profiles=["chicago-2021"], log_url=log_url, keys=keys, rate=0, threads=4
    )
    for name, value in overrides.items():
        setattr(cfg, name, value)
    return Proxy(serve(create_app(cfg)), log_url)


NGINX = "/usr/sbin/nginx"
NGINX_SITE = Path(__file__).resolve().parent.parent / "examples" / "rms" / "nginx.conf"


@dataclass
class Nginx:
    url: str
    process: subprocess.Popen[bytes]
    error_log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start_nginx(work: Path, rms: str, sanctuary: str | None, prefix: tuple[str, ...] = ()) -> Nginx:
    """Debian's nginx in the foreground, everything it writes under `work`, serving the shipped
    site (examples/rms/nginx.conf) with the RMS and sanctuary ports put in. Without `sanctuary`,
    the same site with the auth_request lines taken out (the peer in bench/proxy.py)."""
    assert Path(NGINX).exists(), "Debian's nginx is missing: run `make nginx` (make test does)"
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    site = NGINX_SITE.read_text(encoding="utf-8")
    site = site.replace("127.0.0.1:9000", rms.removeprefix("http://")).replace("127.0.0.1:8080", f"127.0.0.1:{port}")
    if sanctuary is None:
        site = "\n".join(line for line in site.splitlines() if "auth_request" not in line and "$sanctuary_" not in line)
    else:
        site = site.replace("127.0.0.1:8000", sanctuary.removeprefix("http://"))
    temp = {name: work / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    conf = work / "nginx.conf"
    conf.write_text(
        f"daemon off;\nmaster_process off;\npid {work}/nginx.pid;\nerror_log {work}/error.log warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n    access_log off;\n" + "".join(f"    {name}_temp_path {path};\n" for name, path in temp.items()) + site + "\n}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [*prefix, NGINX, "-p", str(work), "-e", str(work / "error.log"), "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return Nginx(url, process, work / "error.log")
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                err = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(
                    f"nginx did not start: {err} {(work / 'error.log').read_text() if (work / 'error.log').exists() else ''}"
                ) from None
            time.sleep(0.05)
