"""The one `sanctuary` command; each capability mounts its own sub-command group here."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from sanctuary.agencies import Registry, RegistryError, load_registry
from sanctuary.audit.cli import app as audit_app
from sanctuary.enforce import Unloaded, load_pipeline
from sanctuary.gateway import cli as gateway_cli
from sanctuary.models import Decision
from sanctuary.policy.cli import app as policy_app
from sanctuary.policy.cli import parse_params
from sanctuary.proxy import cli as proxy_cli
from sanctuary.records import cli as records_cli
from sanctuary.retro import cli as retro
from sanctuary.screening import cli as screening
from sanctuary.web import cli as web_cli

app = typer.Typer(no_args_is_help=True, help="Decide, enforce, log and audit outside requests for police data.")
agencies_app = typer.Typer(no_args_is_help=True, help="The agency registry: who is asking.")
app.add_typer(agencies_app, name="agencies")
app.add_typer(policy_app, name="policy")

out = Console()
err = Console(stderr=True)

ProfileOpt = Annotated[list[str], typer.Option("--profile", "-p", help="Legal profile; repeat to compose (any forbid wins).")]
AgenciesOpt = Annotated[Optional[list[Path]], typer.Option("--agencies", help="A department's own registry file (TOML); repeatable.")]
ParamOpt = Annotated[Optional[list[str]], typer.Option("--param", help="Profile parameter PROFILE.NAME=V1,V2 (see `policy show`).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def registry_or_exit(extra: list[Path] | None) -> Registry:
    try:
        return load_registry(extra or [])
    except RegistryError as exc:
        err.print(f"[red]registry error[/red]: {exc}")
        raise typer.Exit(2) from None


def read_lines(source: str) -> Iterator[str]:
    """Non-empty lines of a JSONL file, or of standard input for `-`, without their line ending."""
    stream = sys.stdin if source == "-" else open(source, encoding="utf-8")
    with stream:
        for line in stream:
            if line.strip():
                yield line.rstrip("\r\n")


@app.command()
def decide(
    file: Annotated[str, typer.Argument(help="JSONL requests, one per line; - for standard input.")] = "-",
    profile: ProfileOpt = ["chicago-2021"],
    agencies: AgenciesOpt = None,
    param: ParamOpt = None,
    explain: Annotated[bool, typer.Option("--explain", help="A readable table instead of JSONL.")] = False,
    log: Annotated[
        Optional[str], typer.Option("--log", help="Record each decision in this log (SQLite path or postgresql:// URL).")
    ] = None,
) -> None:
    """Decide requests: JSONL in, one JSON decision per line out. Exit 1 if any line was an error."""
    registry = registry_or_exit(agencies)
    params = parse_params(param)
    if file != "-" and not Path(file).is_file():
        err.print(f"[red]error[/red]: file: {file} does not exist")
        raise typer.Exit(2)
    recorder = _open_log(log) if log else None
    pipeline = load_pipeline(profile, registry, params, recorder)
    if isinstance(pipeline, Unloaded):
        err.print(f"[red]{pipeline.error}[/red] — every request is denied (and recorded, with --log)")
    decisions: list[Decision] = []
    for line in read_lines(file):
        decision = pipeline.handle_raw(line).decision
        decisions.append(decision)
        if not explain:
            sys.stdout.write(decision.to_json() + "\n")
    if explain:
        out.print(_explain_table(decisions, profile))
    if any(d.error for d in decisions):
        raise typer.Exit(1)


def _open_log(url: str):
    from sanctuary.audit import open_log  # the log is optional for `decide`

    return open_log(url)


def _explain_table(decisions: list[Decision], profiles: list[str]) -> Table:
    table = Table(title=f"Decisions under {' + '.join(profiles)}", show_lines=True, expand=True)
    table.add_column("request", no_wrap=True)
    table.add_column("decision", no_wrap=True)
    table.add_column("cited", ratio=1)
    table.add_column("why", ratio=3)
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


# Each capability's own commands, mounted on the one `sanctuary` command.
app.add_typer(audit_app, name="audit")
app.command("screen")(screening.screen_command)
app.add_typer(screening.documents, name="documents")
app.command("scan")(retro.scan)
app.command("scan-partners")(retro.scan_partners)
app.command("serve")(gateway_cli.serve)
app.command("demo-keys")(gateway_cli.demo_keys_command)
app.add_typer(gateway_cli.keys_app, name="keys")
app.command("demo-data")(records_cli.demo_data)
app.add_typer(records_cli.app, name="store")
app.add_typer(web_cli.app, name="web")
app.command("proxy")(proxy_cli.proxy)
app.command("demo-upstream")(proxy_cli.demo_upstream)


def main() -> None:
    app()
