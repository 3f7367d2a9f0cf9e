"""`sanctuary proxy` and `sanctuary demo-upstream`: guard a department system, or run a demo one."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from sanctuary.errors import SanctuaryError
from sanctuary.options import AgenciesOpt, DeclarationsOpt, JurisdictionOpt, LawProfilesOpt, LogOpt, ParamOpt, parse_params
from sanctuary.proxy.routes import RouteMap, RouteMapError, load

err = Console(stderr=True)


def routes_or_exit(path: Path) -> RouteMap:
    """The route map, or exit 2 with the error naming the file, line and route."""
    try:
        return load(path)
    except RouteMapError as exc:
        err.print(f"[red]route map error[/red] {escape(exc.field)}: {escape(exc.reason)}", highlight=False)
        raise typer.Exit(2) from None


def proxy(
    upstream: Annotated[str, typer.Option("--upstream", help="The department system's base URL, e.g. http://127.0.0.1:9000.")],
    routes: Annotated[Path, typer.Option("--routes", help="The route map (TOML); see examples/rms/routes.toml.")],
    demo: Annotated[bool, typer.Option("--demo", help="Accept the demo keys (`sanctuary demo-keys`).")] = False,
    jurisdiction: JurisdictionOpt = None,
    profile: LawProfilesOpt = None,
    param: ParamOpt = None,
    declarations: DeclarationsOpt = None,
    agencies: AgenciesOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free port).")] = 8100,
    log: LogOpt = None,
    timeout: Annotated[float, typer.Option(min=0.01, help="Seconds the department system has to answer (else 504).")] = 5.0,
    threads: Annotated[int, typer.Option(min=1, max=256, help="Worker threads.")] = 16,
    quiet: Annotated[bool, typer.Option("--quiet", help="Log warnings and errors only.")] = False,
) -> None:
    """A filtering reverse proxy: decide each call on a department system, record it, forward only a
    permitted one, and remove every withheld data category from its answer (docs/deploy.md)."""
    from sanctuary.gateway.credentials import CredentialError, KeyRing, keys_file
    from sanctuary.proxy.app import ProxyConfig, create_app

    events = logging.getLogger("sanctuary")
    events.addHandler(logging.StreamHandler(sys.stderr))
    events.setLevel(logging.WARNING if quiet else logging.INFO)
    route_map = routes_or_exit(routes)
    try:
        keys = KeyRing(keys_file())
    except CredentialError as exc:
        err.print(f"[red]error[/red] {exc.field}: {exc.reason}")
        raise typer.Exit(2) from None
    if demo:
        _demo_signing_key()
        keys.add_demo_keys()
    cfg = ProxyConfig(
        upstream=upstream,
        routes=route_map,
        profiles=profile or [],
        jurisdiction=jurisdiction,
        declarations=declarations,
        params=parse_params(param),
        agencies=agencies or [],
        log_url=log,
        keys=keys,
        timeout=timeout,
        threads=threads,
    )
    try:
        app = create_app(cfg)
    except SanctuaryError as exc:  # the upstream URL, the agency registry
        err.print(f"[red]error[/red] {escape(exc.field)}: {escape(exc.reason)}", highlight=False)
        raise typer.Exit(2) from None
    if app.state.policy.error:
        err.print(f"[red]{app.state.policy.error}[/red]: every call will be denied (503)")
    _run(app, host, port, f"sanctuary proxy ({len(route_map.routes)} routes) in front of {upstream}")


def demo_upstream(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free port).")] = 9000,
    persons: Annotated[int, typer.Option(min=0, help="Generated persons besides the four demo persons.")] = 0,
) -> None:
    """A records-management system over the demo data, with a JSON API and no access control of its
    own: what `sanctuary proxy` and the NGINX hook guard in the demonstrations and tests."""
    from sanctuary.proxy.demo_upstream import DemoRMS, create_app

    _run(create_app(DemoRMS(persons)), host, port, "demo records-management system")


def _demo_signing_key() -> None:
    from sanctuary import config
    from sanctuary.audit.errors import AuditError
    from sanctuary.audit.keys import SIGNING_FILE, generate
    from sanctuary.gateway.cli import DEMO_LOG_NAME

    if not (config.keys_dir() / SIGNING_FILE).exists():
        try:
            generate(DEMO_LOG_NAME)
        except AuditError as exc:
            err.print(f"[yellow]no log signing key[/yellow] ({exc}); checkpoints will be unavailable")


def _run(app: object, host: str, port: int, what: str) -> None:
    import uvicorn

    config = uvicorn.Config(app, host=host, port=port, loop="uvloop", http="httptools", access_log=False, log_level="warning")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    started = server.startup

    async def startup(sockets: list | None = None) -> None:
        await started(sockets)
        bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else port
        print(f"{what} listening on http://{host}:{bound}", flush=True)

    server.startup = startup  # type: ignore[method-assign]
    server.run()
