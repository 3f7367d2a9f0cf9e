"""Command-line options more than one command takes: one definition each (imports Typer only), and
the options every server (`serve`, `proxy`) takes, declared once (`server_command`) and turned into
the fields of its config in one place (`server_fields`)."""

from __future__ import annotations

import inspect
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional, TypedDict

import typer
from rich.console import Console
from rich.markup import escape

from sanctuary.errors import SanctuaryError

if TYPE_CHECKING:
    from sanctuary.gateway.credentials import KeyRing

DEMO_LOG_NAME = "sanctuary.example/demo-decisions"  # the signing key's name on a demo server's log
AgenciesOpt = Annotated[Optional[list[Path]], typer.Option("--agencies", help="A department's own registry file (TOML); repeatable.")]
ParamOpt = Annotated[
    Optional[list[str]],
    typer.Option("--param", help="Parameter PROFILE.NAME=V1,V2, or the department's baseline.NAME=V (see `policy show`)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]

# The law in force, for the commands that decide (`decide`, `serve`, `proxy`): a jurisdiction,
# profiles on top, declarations; with neither a jurisdiction nor a profile, the configured default.
JurisdictionOpt = Annotated[
    Optional[str],
    typer.Option("--jurisdiction", "-j", help="The law in force where deployed (default: the configured default, jurisdictions.toml)."),
]
LawProfilesOpt = Annotated[
    Optional[list[str]],
    typer.Option("--profile", "-p", help="Legal profile; repeat to compose (instead of, or on top of, a jurisdiction)."),
]
DeclarationsOpt = Annotated[
    Optional[Path], typer.Option("--declarations", help="625 ILCS 5/2-130 declarations on file (CSV, as scan-partners reads).")
]
LogOpt = Annotated[Optional[str], typer.Option("--log", help="Decision log: SQLite path or postgresql:// URL.")]

# How a server runs.
HostOpt = Annotated[str, typer.Option(help="Address to listen on.")]
PortOpt = Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free port).")]
RateOpt = Annotated[float, typer.Option(min=0, help="Requests per second per key, bursts of twice that (0: no limit).")]
ThreadsOpt = Annotated[int, typer.Option(min=1, max=256, help="Worker threads deciding requests.")]
WorkersOpt = Annotated[
    int, typer.Option("--workers", min=1, max=64, help="Processes serving the port (more than 1 needs the log on PostgreSQL).")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", help="Log warnings and errors only, not every decision.")]


def law_in_force(jurisdiction: str | None, profiles: list[str] | None) -> str | None:
    """`policy.jurisdictions.in_force` for a command: a jurisdictions file that does not load
    ends it (exit 2), saying why."""
    from sanctuary.policy.errors import PolicyError
    from sanctuary.policy.jurisdictions import in_force

    try:
        return in_force(jurisdiction, profiles)
    except PolicyError as exc:
        Console(stderr=True).print(f"[red]policy error[/red]: {exc}", highlight=False)
        raise typer.Exit(2) from None


def parse_params(values: list[str] | None) -> dict[str, list[str]]:
    """`PROFILE.NAME=V1,V2` options as a mapping; an empty value means the empty list."""
    params: dict[str, list[str]] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or "." not in key:
            Console(stderr=True).print(f"[red]error[/red]: --param: {item!r} is not PROFILE.NAME=VALUE[,VALUE]")
            raise typer.Exit(2)
        params[key] = [v for v in value.split(",") if v]
    return params


def fail(exc: SanctuaryError) -> NoReturn:
    """Stop a command at start, naming the field at fault: exit status 2, never a traceback."""
    Console(stderr=True).print(f"[red]error[/red] {escape(exc.field)}: {escape(exc.reason)}", highlight=False)
    raise typer.Exit(2)


class ServerFields(TypedDict):
    """The fields `serve` (GatewayConfig) and `proxy` (ProxyConfig) both take from their options."""

    profiles: list[str]
    jurisdiction: str | None
    declarations: Path | None
    params: dict[str, list[str]]
    agencies: list[Path]
    log_url: str | None
    keys: KeyRing
    rate: float
    timeout: float
    threads: int


def server_fields(
    *,
    jurisdiction: str | None,
    profile: list[str] | None,
    param: list[str] | None,
    declarations: Path | None,
    agencies: list[Path] | None,
    log: str | None,
    rate: float,
    timeout: float,
    threads: int,
    demo: bool,
    quiet: bool,
) -> ServerFields:
    """What a server makes of the options `serve` and `proxy` share, in one place: its events as
    JSON lines on standard error (warnings and errors only with --quiet); the law in force (the
    shipped default jurisdiction when neither --jurisdiction nor --profile is given); the keys (a
    key file that does not read stops the start; --demo adds the demo keys, and a signing key for
    the log if there is none); the log, the rate limit, the deadline and the threads."""
    from sanctuary.gateway.credentials import KeyRing, keys_file

    events = logging.getLogger("sanctuary")
    events.addHandler(logging.StreamHandler(sys.stderr))
    events.setLevel(logging.WARNING if quiet else logging.INFO)
    try:
        keys = KeyRing(keys_file())
    except SanctuaryError as exc:
        fail(exc)
    if demo:
        _demo_signing_key()
        keys.add_demo_keys()
    elif not keys.principals():
        Console(stderr=True).print("[yellow]no keys yet[/yellow]: every request gets 401; issue one with `sanctuary keys issue`")
    return ServerFields(
        profiles=profile or [],
        jurisdiction=law_in_force(jurisdiction, profile),
        declarations=declarations,
        params=parse_params(param),
        agencies=agencies or [],
        log_url=log,
        keys=keys,
        rate=rate,
        timeout=timeout,
        threads=threads,
    )


def _demo_signing_key() -> None:
    """A signing key for the decision log, made once, so that a demo's checkpoints are signed."""
    from sanctuary import config
    from sanctuary.audit.errors import AuditError, KeyExists
    from sanctuary.audit.keys import SIGNING_FILE, generate

    if not (config.keys_dir() / SIGNING_FILE).exists():
        try:
            generate(DEMO_LOG_NAME)
        except KeyExists:  # another server starting on the same home made it first
            pass
        except AuditError as exc:
            Console(stderr=True).print(f"[yellow]no log signing key[/yellow] ({exc}); checkpoints will be unavailable")


# The options every server takes, after its own in --help: (parameter, option, default).
SERVER_OPTIONS: tuple[tuple[str, object, object], ...] = (
    ("jurisdiction", JurisdictionOpt, None),
    ("profile", LawProfilesOpt, None),
    ("param", ParamOpt, None),
    ("declarations", DeclarationsOpt, None),
    ("agencies", AgenciesOpt, None),
    ("log", LogOpt, None),
    ("rate", RateOpt, 50.0),
    ("threads", ThreadsOpt, 16),
    ("quiet", QuietOpt, False),
)


def server_command(command: Callable[..., None]) -> Callable[..., None]:
    """A server command with the options every server takes (SERVER_OPTIONS) declared here, once.

    `command` declares only its own options, `demo` and `timeout` among them, and a keyword-only
    `shared`: it is called with what the shared options and those two make (`server_fields`).
    Typer reads the signature made here; the command's own annotations are evaluated now, so the
    names they use (`ServerFields` too) must be imported at run time, not only for type checking.
    """
    own = [p for p in inspect.signature(command, eval_str=True).parameters.values() if p.name != "shared"]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=option)
        for name, option, default in SERVER_OPTIONS
    ]

    def run(**given: Any) -> None:
        chosen = {name: given.pop(name) for name, _, _ in SERVER_OPTIONS}
        command(**given, shared=server_fields(**chosen, demo=given["demo"], timeout=given["timeout"]))

    run.__name__, run.__qualname__, run.__module__, run.__doc__ = (
        command.__name__,
        command.__qualname__,
        command.__module__,
        command.__doc__,
    )
    run.__signature__ = inspect.Signature([*own, *added])  # type: ignore[attr-defined]  # what Typer reads
    return run
