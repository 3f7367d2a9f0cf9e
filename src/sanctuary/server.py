"""The combined application `sanctuary serve` runs: the gateway's API with the pages mounted on it.

Assembled here, above both, so that the gateway does not import the pages (and a process that only
decides never loads them).
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
import uvicorn
from fastapi import FastAPI
from rich.console import Console

from sanctuary import web
from sanctuary.agencies import RegistryError
from sanctuary.audit.errors import AuditError
from sanctuary.errors import SanctuaryError
from sanctuary.gateway.app import Gateway, GatewayConfig, create_api
from sanctuary.gateway.cli import DEMO_PERSONS_COUNT, keys_table
from sanctuary.gateway.credentials import STAFF_ROLES, demo_keys
from sanctuary.gateway.services import Policy
from sanctuary.gateway.users import UserBook, demo_password, users_file
from sanctuary.options import HostOpt, PortOpt, ServerFields, WorkersOpt, fail, server_command
from sanctuary.records import RecordsError, open_store
from sanctuary.records.demo import DEMO_PERSONS, DEMO_PLATE, fill
from sanctuary.serving import uvicorn_config
from sanctuary.workers import inherited_socket, require_postgres, supervise, worker_number

out = Console()
err = Console(stderr=True)


def create_app(cfg: GatewayConfig, policy: Policy | None = None) -> FastAPI:
    """The gateway API (``sanctuary.gateway.app.create_api``) and, over the same gateway, the pages."""
    app = create_api(cfg, policy)
    gateway: Gateway = app.state.gateway
    web.install(app, gateway)  # the page routes, /static and the error pages (JSON kept for the API)
    return app


@server_command
def serve(
    demo: Annotated[bool, typer.Option("--demo", help="Fill an empty store with demo data and accept the demo keys.")] = False,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    store: Annotated[Optional[str], typer.Option("--store", help="Records store: SQLite path or postgresql:// URL.")] = None,
    timeout: Annotated[float, typer.Option(min=0.01, help="Seconds before a request fails closed.")] = 2.0,
    witnesses: Annotated[
        Optional[Path], typer.Option("--witnesses", help="TOML [[witness]] url + vkey: publish only cosigned checkpoints.")
    ] = None,
    quorum: Annotated[Optional[int], typer.Option("--quorum", min=1, help="Cosignatures required (default: every witness).")] = None,
    routes: Annotated[
        Optional[Path], typer.Option("--routes", help="A route map: serve /v1/authz for NGINX and Envoy (docs/deploy.md).")
    ] = None,
    upstream: Annotated[Optional[str], typer.Option("--upstream", help="With --routes: the system answering the map's facts call.")] = None,
    workers: WorkersOpt = 1,
    *,
    shared: ServerFields,
) -> None:
    """Run the enforcement gateway (FastAPI; OpenAPI at /docs) and the pages for people (at /)."""
    try:
        users = UserBook(users_file())
        require_postgres(workers, shared["log_url"])
    except SanctuaryError as exc:
        fail(exc)
    cfg = GatewayConfig(**shared, store_url=store, users=users, witnesses=witnesses, quorum=quorum)
    if workers > 1 and worker_number() is None:
        if demo:
            _prepare_demo(cfg)  # the store is filled once, before the workers start
        supervise(workers, host, port)
    if routes is not None:
        from sanctuary.proxy.authz import authz_hook
        from sanctuary.proxy.cli import routes_or_exit

        cfg.mounts.append(authz_hook(routes_or_exit(routes), upstream))
    if demo:
        _prepare_demo(cfg)
    try:
        app = create_app(cfg)
    except RegistryError as exc:
        err.print(f"[red]registry error[/red]: {exc}")
        raise typer.Exit(2) from None
    except AuditError as exc:  # a witnesses file that does not read
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(2) from None
    gateway = app.state.gateway
    if demo and not worker_number():  # one process enters the practice request
        _demo_held(gateway)
    if gateway.policy.error:
        err.print(f"[red]{gateway.policy.error}[/red]: every request will be denied (503)")
    server = uvicorn.Server(uvicorn_config(app, host=host, port=port, loop="uvloop", http="httptools"))
    if not worker_number():  # one line for people and scripts, however many workers
        _announce(server, host, demo)
    listener = inherited_socket()
    server.run(sockets=[listener] if listener is not None else None)


def _prepare_demo(cfg: GatewayConfig) -> None:
    """Demo data in an empty store, the demo users (the demo keys and the log's signing key come with
    the shared options: ``sanctuary.options.server_fields``)."""
    try:
        records = open_store(cfg.store_url)
        if records.counts()["persons"] == 0:
            err.print(f"demo data: filling the store with {DEMO_PERSONS_COUNT} fictional persons (first start only)", highlight=False)
            fill(records, DEMO_PERSONS_COUNT, seed=1)
        records.close()
    except RecordsError as exc:
        err.print(f"[yellow]demo data not loaded[/yellow] ({exc}); requests for records will fail closed")
    cfg.users.add_demo_users()
    os.environ.setdefault("SANCTUARY_CONTACTS", str(web.DEMO_CONTACTS))  # /rights: the shipped demo contacts


# The held request `serve --demo` puts in an empty queue, for desk staff to practise on: ICE's
# Homeland Security Investigations asks for a person's record in a criminal case, with a federal
# criminal warrant the desk has not yet verified (only a verified one lifts 5 ILCS 805/15).
DEMO_HELD = {
    "id": "demo-held-hsi-0001",
    "kind": "database_query",
    "requester": {"agency": "ICE-HSI", "officer": "Special Agent R. Okafor"},
    "purpose": {"text": "narcotics trafficking investigation", "category": "criminal", "case_number": "HSI-CH-2026-0412"},
    "subject": {"person_id": "P0000001"},
    "resource": {"search": {"type": "person"}},
    "documents": [
        {
            "type": "judicial_warrant",
            "number": "1:26-mj-00412",
            "court": "United States District Court for the Northern District of Illinois",
            "signed_by": "Hon. M. Rivera",
            "signer_title": "U.S. Magistrate Judge",
            "criminal": True,
        }
    ],
}


def _demo_held(gateway: Gateway) -> None:
    """Decide and record the practice request once (a queue that has held anything, or a decision of it
    already answered, and it is not entered again); held under the law in force, it waits at the desk."""
    try:
        if gateway.held.items(limit=1) or gateway.index.find(str(DEMO_HELD["id"]), None) is not None:
            return
        submission = gateway.handle(json.dumps(DEMO_HELD).encode(), None, time.monotonic() + 10, "desk", "demo")
    except Exception as exc:  # noqa: BLE001 - a demonstration aid: the server starts without it
        err.print(f"[yellow]no demo held request[/yellow] ({exc})", highlight=False)
        return
    if submission.decision.held is not None:
        err.print(f"demo data: one held request waits at the desk ({submission.decision.held.reference})", highlight=False)
    else:
        err.print(
            f"demo data: the practice request was decided {submission.decision.decision} under this law; none is held", highlight=False
        )


def _announce(server: uvicorn.Server, host: str, demo: bool) -> None:
    """Print the URL (and the demo keys) once the server is listening."""
    started = server.startup

    async def startup(sockets: list[socket.socket] | None = None) -> None:
        await started(sockets)
        port = server.servers[0].sockets[0].getsockname()[1] if server.servers else server.config.port
        url = f"http://{host}:{port}"
        if demo:
            out.print(keys_table(demo_keys()))
            people = ", ".join(f"{p.name} ({p.dob})" for p in DEMO_PERSONS)
            out.print(f"demo persons: {people}; demo plate {DEMO_PLATE}")
            staff = ", ".join(f"{role} / {demo_password(role)}" for role in STAFF_ROLES)
            out.print(f"demo sign-in for the pages (user / password): {staff}", highlight=False)
        print(f"sanctuary gateway listening on {url}  (API docs: {url}/docs)", flush=True)

    server.startup = startup  # type: ignore[method-assign]
