"""`sanctuary proxy` and `sanctuary demo-upstream`: guard a department system, or run a demo one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from sanctuary.errors import SanctuaryError
from sanctuary.options import HostOpt, PortOpt, ServerFields, WorkersOpt, fail, server_command
from sanctuary.proxy.routes import RouteMap, RouteMapError, load

err = Console(stderr=True)


def routes_or_exit(path: Path) -> RouteMap:
    """The route map, or exit 2 with the error naming the file, line and route."""
    try:
        return load(path)
    except RouteMapError as exc:
        err.print(f"[red]route map error[/red] {escape(exc.field)}: {escape(exc.reason)}", highlight=False)
        raise typer.Exit(2) from None


@server_command
def proxy(
    upstream: Annotated[str, typer.Option("--upstream", help="The department system's base URL, e.g. http://127.0.0.1:9000.")],
    routes: Annotated[Path, typer.Option("--routes", help="The route map (TOML); see examples/rms/routes.toml.")],
    demo: Annotated[bool, typer.Option("--demo", help="Accept the demo keys (`sanctuary demo-keys`).")] = False,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8100,
    timeout: Annotated[
        float, typer.Option(min=0.01, help="Seconds the department system has to answer in full, a deadline per call (else 504).")
    ] = 5.0,
    workers: WorkersOpt = 1,
    *,
    shared: ServerFields,
) -> None:
    """A filtering reverse proxy: decide each call on a department system, record it, forward only a
    permitted one, and remove every withheld data category from its answer (docs/deploy.md)."""
    from sanctuary.proxy.app import ProxyConfig, create_app
    from sanctuary.workers import require_postgres, supervise, worker_number

    route_map = routes_or_exit(routes)
    try:
        require_postgres(workers, shared["log_url"])
    except SanctuaryError as exc:
        fail(exc)
    if workers > 1 and worker_number() is None:
        supervise(workers, host, port)
    try:
        app = create_app(ProxyConfig(upstream=upstream, routes=route_map, **shared))
    except SanctuaryError as exc:  # the upstream URL, the agency registry
        fail(exc)
    if app.state.policy.error:
        err.print(f"[red]{app.state.policy.error}[/red]: every call will be denied (503)")
    _run(app, host, port, f"sanctuary proxy ({len(route_map.routes)} routes) in front of {upstream}")


def demo_upstream(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 9000,
    persons: Annotated[int, typer.Option(min=0, help="Generated persons besides the four demo persons.")] = 0,
) -> None:
    """A records-management system over the demo data, with a JSON API and no access control of its
    own: what `sanctuary proxy` and the NGINX hook guard in the demonstrations and tests."""
    from sanctuary.proxy.demo_upstream import DemoRMS, create_app

    _run(create_app(DemoRMS(persons)), host, port, "demo records-management system")


def _run(app: object, host: str, port: int, what: str) -> None:
    import uvicorn

    from sanctuary.serving import uvicorn_config
    from sanctuary.workers import inherited_socket, worker_number

    server = uvicorn.Server(uvicorn_config(app, host=host, port=port, loop="uvloop", http="httptools"))
    started = server.startup

    async def startup(sockets: list | None = None) -> None:
        await started(sockets)
        bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else port
        if not worker_number():  # one line, however many workers
            print(f"{what} listening on http://{host}:{bound}", flush=True)

    server.startup = startup  # type: ignore[method-assign]
    listener = inherited_socket()
    server.run(sockets=[listener] if listener is not None else None)
