"""The one `sanctuary` command; each capability mounts its own sub-command group here.

Capabilities are imported when their command runs, not before (LAZY): `sanctuary screen` loads
the purpose screen, not the gateway, the pages or the database layer.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperCommand, TyperGroup

from sanctuary.agencies import Registry, RegistryError, load_registry
from sanctuary.options import (
    AgenciesOpt,
    DeclarationsOpt,
    JsonOpt,
    JurisdictionOpt,
    LawProfilesOpt,
    LogOpt,
    ParamOpt,
    law_in_force,
    parse_params,
)

if TYPE_CHECKING:
    from typer._click.core import Command, Context  # Typer's own copy of click, which its classes use
    from typer._click.formatting import HelpFormatter

    from sanctuary.models import Decision
    from sanctuary.policy.facts import FactSource

# command name -> (module, attribute, the one line `sanctuary --help` shows for it): a Typer sub-app
# (a group) or a command function. The line begins the command's own help (tests/test_cli_lazy.py
# checks they agree), kept here so that listing the commands imports none of them.
LAZY: dict[str, tuple[str, str, str]] = {
    "policy": ("sanctuary.policy.cli", "app", "Legal profiles: list, show, diff, compare; new and test a pack."),
    "audit": ("sanctuary.audit.cli", "app", "The tamper-evident decision log: checkpoints, proofs, verification."),
    "witness": (
        "sanctuary.audit.oversight_cli",
        "witness_app",
        "A witness: cosigns a log's checkpoints only if each extends the last (C2SP tlog-witness).",
    ),
    "monitor": (
        "sanctuary.audit.oversight_cli",
        "monitor",
        "Follow a published log: check the new checkpoint against the last one seen, re-verify new entries.",
    ),
    "screen": (
        "sanctuary.screening.cli",
        "screen_command",
        "Screen a search or request reason for immigration enforcement, vagueness or a named crime.",
    ),
    "documents": ("sanctuary.screening.cli", "documents", "Classify documents: ICE administrative forms versus judicial warrants."),
    "scan": (
        "sanctuary.retro.cli",
        "scan",
        "Flag searches in vendor audit exports that point at immigration enforcement, direct or indirect.",
    ),
    "scan-partners": (
        "sanctuary.retro.cli",
        "scan_partners",
        "Classify every sharing partner; for Illinois, list out-of-state partners without a declaration.",
    ),
    "serve": ("sanctuary.server", "serve", "Run the enforcement gateway (FastAPI; OpenAPI at /docs) and the pages for people (at /)."),
    "demo-keys": (
        "sanctuary.gateway.cli",
        "demo_keys_command",
        "The demo keys `sanctuary serve --demo` accepts: one per demo agency, plus desk, oversight, admin.",
    ),
    "keys": ("sanctuary.gateway.cli", "keys_app", "Gateway keys: issue, list, revoke (stored hashed)."),
    "demo-data": (
        "sanctuary.records.cli",
        "demo_data",
        "Fill a store with realistic, deterministic demo data (fictional people, real Chicago places).",
    ),
    "store": ("sanctuary.records.cli", "app", "The protected records store (SQLite or PostgreSQL)."),
    "web": ("sanctuary.web.cli", "app", "Pages for people: staff accounts for sign-in (desk, oversight, admin)."),
    "duties": ("sanctuary.duties.cli", "app", "Duties decisions trigger (notify, report) and periodic reports, from the decision log."),
    "proxy": (
        "sanctuary.proxy.cli",
        "proxy",
        "A filtering reverse proxy: decide each call on a department system, record it, forward only a permitted one, "
        "and remove every withheld data category from its answer (docs/deploy.md).",
    ),
    "demo-upstream": (
        "sanctuary.proxy.cli",
        "demo_upstream",
        "A records-management system over the demo data, with a JSON API and no access control of its own: what "
        "`sanctuary proxy` and the NGINX hook guard in the demonstrations and tests.",
    ),
}
LISTING = "sanctuary.listing"  # set in ctx.meta while the help lists the commands


class LazyGroup(TyperGroup):
    """The top-level group: the commands in LAZY are imported when asked for by name; the help lists
    them by their line in LAZY, importing none."""

    def list_commands(self, ctx: Context) -> list[str]:
        return [*super().list_commands(ctx), *LAZY]

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        ctx.meta[LISTING] = True
        try:
            super().format_help(ctx, formatter)
        finally:
            ctx.meta.pop(LISTING, None)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in LAZY:
            return found
        module, attribute, line = LAZY[cmd_name]
        if ctx is not None and ctx.meta.get(LISTING):
            return TyperCommand(cmd_name, help=line)
        target: Any = getattr(import_module(module), attribute)
        if isinstance(target, typer.Typer):  # a sub-app stays a group, even with one command
            command: Command = typer.main.get_group(target)
        else:
            single = typer.Typer()
            single.command(cmd_name)(target)
            command = typer.main.get_command(single)
        command.name = cmd_name
        return command


app = typer.Typer(cls=LazyGroup, no_args_is_help=True, help="Decide, enforce, log and audit outside requests for police data.")
agencies_app = typer.Typer(no_args_is_help=True, help="The agency registry: who is asking.")
app.add_typer(agencies_app, name="agencies")

out = Console()
err = Console(stderr=True)


def registry_or_exit(extra: list[Path] | None) -> Registry:
    try:
        return load_registry(extra or [])
    except RegistryError as exc:
        err.print(f"[red]registry error[/red]: {exc}")
        raise typer.Exit(2) from None


def read_lines(source: str) -> Iterator[tuple[int, str]]:
    """(line number, line) for the non-empty lines of a JSONL file, or of standard input for `-`,
    without their line ending; numbered from 1 as an editor numbers them."""
    stream = sys.stdin if source == "-" else open(source, encoding="utf-8")
    with stream:
        for number, line in enumerate(stream, start=1):
            if line.strip():
                yield number, line.rstrip("\r\n")


@app.command()
def decide(
    file: Annotated[str, typer.Argument(help="JSONL requests, one per line; - for standard input.")] = "-",
    jurisdiction: JurisdictionOpt = None,
    profile: LawProfilesOpt = None,
    as_requester: Annotated[
        bool,
        typer.Option("--as-requester", help="Treat the input's facts and documents as an outside requester's claims, as the gateway does."),
    ] = False,
    agencies: AgenciesOpt = None,
    param: ParamOpt = None,
    declarations: DeclarationsOpt = None,
    store: Annotated[
        Optional[str],
        typer.Option("--store", help="Look facts about the subject up in this records store (SQLite path or postgresql:// URL)."),
    ] = None,
    explain: Annotated[bool, typer.Option("--explain", help="A readable table instead of JSONL.")] = False,
    log: LogOpt = None,
) -> None:
    """Decide requests: JSONL in, one JSON decision per line out. Exit 1 if any line was an error.

    This is the department's own tool: the facts and documents in its input are taken as the
    department's (each decision says so), unless --as-requester. With --store the department's
    records are consulted too, and where they disagree with the input, the records win. The law in
    force: -j and/or -p; with neither, the configured default jurisdiction, as `serve` decides."""
    from sanctuary.pipeline import Pipeline, Unloaded, load_pipeline

    registry = registry_or_exit(agencies)
    params = parse_params(param)
    profiles = profile or []
    jurisdiction = law_in_force(jurisdiction, profiles)
    if file != "-" and not Path(file).is_file():
        err.print(f"[red]error[/red]: file: {file} does not exist")
        raise typer.Exit(2)
    recorder = _open_log(log) if log else None
    facts = _store_facts(store) if store else None
    pipeline = load_pipeline(
        profiles,
        registry,
        params,
        recorder,
        jurisdiction=jurisdiction,
        declarations=declarations,
        facts=facts,
        trusted=not as_requester,
    )
    if isinstance(pipeline, Unloaded):
        err.print(f"[red]{pipeline.error}[/red] — every request is denied (and recorded, with --log)")
    decisions: list[Decision] = []
    failed: list[tuple[int, Decision]] = []
    for number, line in read_lines(file):
        decision = pipeline.handle_raw(line).decision
        decisions.append(decision)
        if decision.error:
            failed.append((number, decision))
        if not explain:
            sys.stdout.write(decision.to_json() + "\n")
    if explain:
        shown = [pipeline.engine.label] if isinstance(pipeline, Pipeline) and jurisdiction else profiles
        out.print(_explain_table(decisions, shown))
    if failed:
        _report_failures(failed, len(decisions), "-" if file == "-" else file)
        raise typer.Exit(1)


SHOWN_FAILURES = 20


def _report_failures(failed: list[tuple[int, Decision]], total: int, source: str) -> None:
    """On standard error: each line that could not be decided as asked, by its line number in the
    file, and a summary by failure kind."""
    where = "standard input" if source == "-" else source
    for number, d in failed[:SHOWN_FAILURES]:
        who = f" ({d.id})" if d.id != "?" else ""
        err.print(f"{where}:{number}{who}: {d.error}", markup=False, highlight=False, soft_wrap=True)
    if len(failed) > SHOWN_FAILURES:
        err.print(f"... and {len(failed) - SHOWN_FAILURES} more", highlight=False)
    kinds: dict[str, int] = {}
    for _, d in failed:
        kind = d.failure.value if d.failure is not None else "error"
        kinds[kind] = kinds.get(kind, 0) + 1
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    err.print(f"{len(failed)} of {total} requests were not decided as asked ({summary}); each is a deny", highlight=False, soft_wrap=True)


def _store_facts(url: str) -> FactSource:
    from sanctuary.records import RecordsError, open_store  # the store is optional for `decide`
    from sanctuary.records.facts import StoreFacts

    try:
        opened = open_store(url)
    except RecordsError as exc:
        err.print(f"[red]error[/red]: --store: {exc}")
        raise typer.Exit(2) from None
    return StoreFacts(lambda: opened)


def _open_log(url: str):
    from sanctuary.audit import open_log  # the log is optional for `decide`

    return open_log(url)


def _explain_table(decisions: list[Decision], profiles: list[str]) -> Table:
    table = Table(title=f"Decisions under {' + '.join(profiles)}", show_lines=True, expand=True)
    # A citation is never cut: its column is as wide as the longest word of any citation (and at most
    # 24 characters unless a word is longer), and wraps at spaces, never truncates.
    longest = max((len(word) for d in decisions for c in d.citations for word in c.split()), default=8)
    table.add_column("request", ratio=1, overflow="fold")
    table.add_column("decision", no_wrap=True)
    table.add_column("cited", max_width=max(longest, 22) + 2, overflow="fold")
    table.add_column("why", ratio=2, overflow="fold")
    for d in decisions:
        colour = "green" if d.decision == "permit" else "red"
        who = d.requester or "?"
        if d.on_behalf_of:
            who += f" for {', '.join(d.on_behalf_of)}"
        table.add_row(
            f"{d.id}\n[dim]{who}[/dim]",
            f"[{colour}]{d.decision}[/{colour}]",
            "\n".join(d.citations),
            d.explanation + (f"\n[yellow]error: {d.error}[/yellow]" if d.error else ""),
        )
    return table


@agencies_app.command("resolve")
def agencies_resolve(
    name: Annotated[str, typer.Argument(help="An id, alias, full name or ORI (case-insensitive).")],
    agencies: AgenciesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print the agency a name resolves to, its ancestors and its flags."""
    registry = registry_or_exit(agencies)
    agency = registry.resolve(name)
    if agency is None:
        if as_json:
            print(json.dumps({"name": name, "error": "unregistered requester"}))
        else:
            err.print(f"[red]unregistered requester[/red]: no agency answers to {name!r}")
        raise typer.Exit(1)
    if as_json:
        print(json.dumps(agency.to_dict()))
        return
    chain = " > ".join([*reversed(agency.ancestors), agency.id])
    out.print(f"[bold]{agency.id}[/bold]  {agency.name}")
    out.print(f"  chain:   {chain}")
    out.print(f"  level:   {agency.level}   state: {agency.state}")
    out.print(f"  flags:   {', '.join(agency.flags()) or 'none'}")
    if agency.aliases:
        out.print(f"  aliases: {', '.join(agency.aliases)}")
    if agency.ori:
        out.print(f"  ORI:     {', '.join(agency.ori)}")


@agencies_app.command("list")
def agencies_list(agencies: AgenciesOpt = None, as_json: JsonOpt = False) -> None:
    """Every registered agency with its parent and flags."""
    registry = registry_or_exit(agencies)
    if as_json:
        print(json.dumps([a.to_dict() for a in registry]))
        return
    table = Table("id", "name", "parent", "level", "state", "flags")
    for a in registry:
        table.add_row(a.id, a.name, a.parent or "", a.level, a.state, ", ".join(a.flags()))
    out.print(table)


def main() -> None:
    app()
