"""The combined application `sanctuary serve` runs: the gateway's API with the pages mounted on it.

Assembled here, above both, so that the gateway does not import the pages (and a process that only
decides never loads them).
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
import uvicorn
from fastapi import FastAPI
from rich.console import Console

from sanctuary import config, web
from sanctuary.agencies import RegistryError
from sanctuary.audit.errors import AuditError
from sanctuary.audit.keys import SIGNING_FILE, generate
from sanctuary.gateway.app import Gateway, GatewayConfig, create_api
from sanctuary.gateway.cli import DEMO_LOG_NAME, DEMO_PERSONS_COUNT, keys_table
from sanctuary.gateway.credentials import STAFF_ROLES, CredentialError, KeyRing, demo_keys, keys_file
from sanctuary.gateway.services import Policy
from sanctuary.gateway.users import UserBook, demo_password, users_file
from sanctuary.options import AgenciesOpt, DeclarationsOpt, JurisdictionOpt, LawProfilesOpt, LogOpt, ParamOpt, law_in_force, parse_params
from sanctuary.records import RecordsError, open_store
from sanctuary.records.demo import DEMO_PERSONS, DEMO_PLATE, fill

out = Console()
err = Console(stderr=True)


def create_app(cfg: GatewayConfig, policy: Policy | None = None) -> FastAPI:
    """The gateway API (``sanctuary.gateway.app.create_api``) and, over the same gateway, the pages."""
    app = create_api(cfg, policy)
    gateway: Gateway = app.state.gateway
    web.install(app, gateway)  # the page routes, /static and the error pages (JSON kept for the API)
    return app


def serve(
    demo: Annotated[bool, typer.Option("--demo", help="Fill an empty store with demo data and accept the demo keys.")] = False,
    jurisdiction: JurisdictionOpt = None,
    profile: LawProfilesOpt = None,
    param: ParamOpt = None,
    declarations: DeclarationsOpt = None,
    agencies: AgenciesOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free port).")] = 8000,
    store: Annotated[Optional[str], typer.Option("--store", help="Records store: SQLite path or postgresql:// URL.")] = None,
    log: LogOpt = None,
    rate: Annotated[float, typer.Option(min=0, help="Requests per second per key (0: no limit).")] = 50.0,
    timeout: Annotated[float, typer.Option(min=0.01, help="Seconds before a request fails closed.")] = 2.0,
    threads: Annotated[int, typer.Option(min=1, max=256, help="Worker threads deciding requests.")] = 16,
    quiet: Annotated[bool, typer.Option("--quiet", help="Log warnings and errors only, not every decision.")] = False,
    witnesses: Annotated[
        Optional[Path], typer.Option("--witnesses", help="TOML [[witness]] url + vkey: publish only cosigned checkpoints.")
    ] = None,
    quorum: Annotated[Optional[int], typer.Option("--quorum", min=1, help="Cosignatures required (default: every witness).")] = None,
    routes: Annotated[
        Optional[Path], typer.Option("--routes", help="A route map: serve /v1/authz for NGINX and Envoy (docs/deploy.md).")
    ] = None,
    upstream: Annotated[Optional[str], typer.Option("--upstream", help="With --routes: the system answering the map's facts call.")] = None,
) -> None:
    """Run the enforcement gateway (FastAPI; OpenAPI at /docs) and the pages for people (at /)."""
    events = logging.getLogger("sanctuary")  # structured lines (JSON) on standard error
    events.addHandler(logging.StreamHandler(sys.stderr))
    events.setLevel(logging.WARNING if quiet else logging.INFO)
    try:
        keys = KeyRing(keys_file())
        users = UserBook(users_file())
    except CredentialError as exc:
        err.print(f"[red]error[/red] {exc.field}: {exc.reason}")
        raise typer.Exit(2) from None
    cfg = GatewayConfig(
        profiles=profile or [],
        jurisdiction=law_in_force(jurisdiction, profile),
        declarations=declarations,
        params=parse_params(param),
        agencies=agencies or [],
        store_url=store,
        log_url=log,
        keys=keys,
        users=users,
        rate=rate,
        timeout=timeout,
        threads=threads,
        witnesses=witnesses,
        quorum=quorum,
    )
    if routes is not None:
        from sanctuary.proxy.cli import routes_or_exit

        cfg.routes, cfg.upstream = routes_or_exit(routes), upstream
    if demo:
        _prepare_demo(cfg)
    elif not keys.principals():
        err.print("[yellow]no keys yet[/yellow]: every request gets 401; issue one with `sanctuary keys issue`")
    try:
        app = create_app(cfg)
    except RegistryError as exc:
        err.print(f"[red]registry error[/red]: {exc}")
        raise typer.Exit(2) from None
    except AuditError as exc:  # a witnesses file that does not read
        err.print(f"[red]error[/red] {exc}")
        raise typer.Exit(2) from None
    gateway = app.state.gateway
    if gateway.policy.error:
        err.print(f"[red]{gateway.policy.error}[/red]: every request will be denied (503)")
    config = uvicorn.Config(app, host=host, port=port, loop="uvloop", http="httptools", access_log=False, log_level="warning")
    server = uvicorn.Server(config)
    _announce(server, host, demo)
    server.run()


def _prepare_demo(cfg: GatewayConfig) -> None:
    """Demo data in an empty store, a signing key for the log if none exists, the demo keys."""
    try:
        records = open_store(cfg.store_url)
        if records.counts()["persons"] == 0:
            err.print(f"demo data: filling the store with {DEMO_PERSONS_COUNT} fictional persons (first start only)", highlight=False)
            fill(records, DEMO_PERSONS_COUNT, seed=1)
        records.close()
    except RecordsError as exc:
        err.print(f"[yellow]demo data not loaded[/yellow] ({exc}); requests for records will fail closed")
    if not (config.keys_dir() / SIGNING_FILE).exists():
        try:
            generate(DEMO_LOG_NAME)
        except AuditError as exc:
            err.print(f"[yellow]no log signing key[/yellow] ({exc}); checkpoints will be unavailable")
    cfg.keys.add_demo_keys()
    cfg.users.add_demo_users()
    os.environ.setdefault("SANCTUARY_CONTACTS", str(web.DEMO_CONTACTS))  # /rights: the shipped demo contacts


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
