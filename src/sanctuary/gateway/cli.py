"""`sanctuary serve`, `sanctuary demo-keys` and `sanctuary keys ...`: run the gateway, manage its keys."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from sanctuary import config
from sanctuary.agencies import RegistryError, load_registry
from sanctuary.audit.errors import AuditError
from sanctuary.audit.keys import SIGNING_FILE, generate
from sanctuary.gateway.app import GatewayConfig
from sanctuary.gateway.credentials import ROLES, CredentialError, KeyRing, demo_keys, keys_file
from sanctuary.gateway.users import STAFF_ROLES, UserBook, demo_password, users_file
from sanctuary.policy.cli import parse_params
from sanctuary.records import RecordsError, open_store
from sanctuary.records.demo import DEMO_PERSONS, DEMO_PLATE, fill
from sanctuary.server import create_app

keys_app = typer.Typer(no_args_is_help=True, help="Gateway keys: issue, list, revoke (stored hashed).")
out = Console()
err = Console(stderr=True)

DEMO_PERSONS_COUNT = 1000
DEMO_LOG_NAME = "sanctuary.example/demo-decisions"


def serve(
    demo: Annotated[bool, typer.Option("--demo", help="Fill an empty store with demo data and accept the demo keys.")] = False,
    profile: Annotated[list[str], typer.Option("--profile", "-p", help="Legal profile; repeat to compose.")] = ["chicago-2021"],
    param: Annotated[Optional[list[str]], typer.Option("--param", help="Profile parameter PROFILE.NAME=V1,V2.")] = None,
    agencies: Annotated[Optional[list[Path]], typer.Option("--agencies", help="A department's own registry file.")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free port).")] = 8000,
    store: Annotated[Optional[str], typer.Option("--store", help="Records store: SQLite path or postgresql:// URL.")] = None,
    log: Annotated[Optional[str], typer.Option("--log", help="Decision log: SQLite path or postgresql:// URL.")] = None,
    rate: Annotated[float, typer.Option(min=0, help="Requests per second per key (0: no limit).")] = 50.0,
    timeout: Annotated[float, typer.Option(min=0.01, help="Seconds before a request fails closed.")] = 2.0,
    threads: Annotated[int, typer.Option(min=1, max=256, help="Worker threads deciding requests.")] = 16,
    quiet: Annotated[bool, typer.Option("--quiet", help="Log warnings and errors only, not every decision.")] = False,
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
        profiles=profile,
        params=parse_params(param),
        agencies=agencies or [],
        store_url=store,
        log_url=log,
        keys=keys,
        users=users,
        rate=rate,
        timeout=timeout,
        threads=threads,
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


def _announce(server: uvicorn.Server, host: str, demo: bool) -> None:
    """Print the URL (and the demo keys) once the server is listening."""
    started = server.startup

    async def startup(sockets: list | None = None) -> None:
        await started(sockets)
        port = server.servers[0].sockets[0].getsockname()[1] if server.servers else server.config.port
        url = f"http://{host}:{port}"
        if demo:
            out.print(_keys_table(demo_keys()))
            people = ", ".join(f"{p.name} ({p.dob})" for p in DEMO_PERSONS)
            out.print(f"demo persons: {people}; demo plate {DEMO_PLATE}")
            staff = ", ".join(f"{role} / {demo_password(role)}" for role in STAFF_ROLES)
            out.print(f"demo sign-in for the pages (user / password): {staff}", highlight=False)
        print(f"sanctuary gateway listening on {url}  (API docs: {url}/docs)", flush=True)

    server.startup = startup  # type: ignore[method-assign]


def _keys_table(keys: dict[str, str]) -> Table:
    table = Table(title="demo keys (public: for local demonstrations only)")
    table.add_column("agency / role")
    table.add_column("Authorization: Bearer ...")
    for name, key in keys.items():
        table.add_row(name, key)
    return table


def demo_keys_command(as_json: Annotated[bool, typer.Option("--json", help="Print {agency id: key}.")] = False) -> None:
    """The demo keys `sanctuary serve --demo` accepts: one per demo agency, plus desk, oversight, admin."""
    keys = demo_keys()
    if as_json:
        print(json.dumps(keys))
    else:
        out.print(_keys_table(keys))


@keys_app.command("issue")
def issue(
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")] = "agency",
    agency: Annotated[Optional[str], typer.Option(help="The agency an agency key speaks for (id, alias or ORI).")] = None,
    label: Annotated[str, typer.Option(help="Who holds the key.")] = "",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Make a new key; it is shown once and stored only as a hash."""
    agency_id = None
    if agency is not None:
        found = load_registry([]).resolve(agency)
        if found is None:
            _fail("agency", f"{agency!r} is not in the registry", as_json)
        agency_id = found.id
    try:
        key, principal = KeyRing(keys_file()).issue(role, agency_id, label)  # type: ignore[arg-type]
    except CredentialError as exc:
        _fail(exc.field, exc.reason, as_json)
    if as_json:
        print(json.dumps({"key": key, "key_id": principal.key_id, "role": principal.role, "agency": principal.agency}))
    else:
        out.print(f"key for {principal.agency or principal.role}: [bold]{key}[/bold] (shown once; stored hashed)")


@keys_app.command("list")
def list_keys(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The issued keys (ids, roles, agencies; never the keys)."""
    rows = [
        {"key_id": p.key_id, "role": p.role, "agency": p.agency, "label": p.label, "created": p.created}
        for p in KeyRing(keys_file()).principals()
    ]
    if as_json:
        print(json.dumps(rows))
        return
    table = Table("key id", "role", "agency", "label", "created")
    for row in rows:
        table.add_row(row["key_id"], row["role"], row["agency"] or "", row["label"], row["created"])
    out.print(table)


@keys_app.command("revoke")
def revoke(key_id: Annotated[str, typer.Argument(help="The key id (the part after sk_).")]) -> None:
    """Stop accepting a key (takes effect when the gateway restarts or on the admin endpoint at once)."""
    if not KeyRing(keys_file()).revoke(key_id):
        _fail("key_id", f"no key {key_id!r}", False)
    out.print(f"revoked {key_id}")


def _fail(field: str, reason: str, as_json: bool) -> NoReturn:
    if as_json:
        print(json.dumps({"error": {"field": field, "reason": reason}}))
    else:
        err.print(f"[red]error[/red] {field}: {reason}")
    raise typer.Exit(2)
