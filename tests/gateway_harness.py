"""A real gateway on a loopback port for the gateway tests: uvicorn in a thread, demo data in the
store, a signing key for the log, and the demo keys (plus any agency key a test asks for)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from sanctuary.audit.keys import generate
from sanctuary.gateway.app import GatewayConfig
from sanctuary.gateway.credentials import KeyRing, demo_key
from sanctuary.gateway.services import Policy
from sanctuary.proxy.authz import authz_hook
from sanctuary.records import open_store
from sanctuary.records.demo import fill
from sanctuary.server import create_app
from sanctuary.serving import uvicorn_config

BODIES = {
    # FBI: a criminal warrant check (permitted, records released)
    "warrant": {
        "id": "t-warrant",
        "kind": "database_query",
        "purpose": {"text": "armed robbery investigation", "category": "criminal"},
        "resource": {"system": "CLEAR", "search": {"type": "warrant", "name": "James Carter", "dob": "1979-11-02"}},
    },
    # anyone: the person record of Maria Lopez (protected fields in the store)
    "person": {
        "id": "t-person",
        "kind": "database_query",
        "purpose": {"text": "retail theft ring investigation", "category": "criminal"},
        "resource": {"system": "CLEAR", "search": {"type": "person", "name": "Maria Lopez", "dob": "1988-03-14"}},
    },
}


@dataclass
class Running:
    url: str
    keys: KeyRing
    app: Any
    server: uvicorn.Server
    thread: threading.Thread
    store_url: str
    log_url: str

    def key(self, name: str) -> str:
        """The demo key of a demo agency or staff role, or a fresh key for any other agency id."""
        key = demo_key(name)
        if self.keys.authenticate(key) is None:
            self.keys.add(key, "agency", name, f"test {name}")
        return key

    def post(self, who: str | None, body: Any, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.key(who)}"} if who else {}
        return httpx.post(f"{self.url}/v1/requests", json=body, headers=headers, timeout=30, **kwargs)

    def get(self, path: str, who: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.key(who)}"} if who else {}
        return httpx.get(f"{self.url}{path}", headers=headers, timeout=30)

    @property
    def gateway(self) -> Any:
        return self.app.state.gateway

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start(home: Path, store_url: str, log_url: str, *, persons: int | None = 30, policy: Policy | None = None, **overrides: Any) -> Running:
    """Fill the store (unless ``persons`` is None), make the log's signing key under ``home``
    (SANCTUARY_HOME), start serving."""
    if not (home / "keys" / "log.key").exists():
        generate("test.example/decisions", home / "keys")
    if persons is not None:
        records = open_store(store_url)
        fill(records, persons, seed=3, replace=True)
        records.close()
    cfg = GatewayConfig(profiles=["chicago-2021"], store_url=store_url, log_url=log_url, keys=KeyRing(), rate=0)
    routes, upstream = overrides.pop("routes", None), overrides.pop("upstream", None)
    if routes is not None:  # the /v1/authz hook, mounted as `sanctuary serve --routes` mounts it
        cfg.mounts.append(authz_hook(routes, upstream))
    for name, value in overrides.items():
        setattr(cfg, name, value)
    cfg.keys.add_demo_keys()
    app = create_app(cfg, policy)
    url, server, thread = in_thread(app)
    return Running(url, cfg.keys, app, server, thread, store_url, log_url)


def in_thread(app: Any) -> tuple[str, uvicorn.Server, threading.Thread]:
    """Serve `app` with uvicorn on a free port, in a daemon thread; its URL once it listens."""
    server = uvicorn.Server(uvicorn_config(app, host="127.0.0.1", port=0, lifespan="on"))  # as the servers run
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the server did not start")
        time.sleep(0.02)
    return f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}", server, thread
