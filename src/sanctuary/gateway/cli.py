"""`sanctuary demo-keys` and `sanctuary keys ...`: the gateway's keys (`sanctuary serve` is in
``sanctuary.server``, which assembles the gateway with the pages)."""

from __future__ import annotations

import json
from typing import Annotated, NoReturn, Optional

import typer
from rich.console import Console
from rich.table import Table

from sanctuary.agencies import load_registry
from sanctuary.gateway.credentials import ROLES, CredentialError, KeyRing, demo_keys, keys_file
from sanctuary.options import JsonOpt

keys_app = typer.Typer(no_args_is_help=True, help="Gateway keys: issue, list, revoke (stored hashed).")
out = Console()
err = Console(stderr=True)

DEMO_PERSONS_COUNT = 1000


def keys_table(keys: dict[str, str]) -> Table:
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
        out.print(keys_table(keys))


@keys_app.command("issue")
def issue(
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")] = "agency",
    agency: Annotated[Optional[str], typer.Option(help="The agency an agency key speaks for (id, alias or ORI).")] = None,
    label: Annotated[str, typer.Option(help="Who holds the key.")] = "",
    as_json: JsonOpt = False,
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
def list_keys(as_json: JsonOpt = False) -> None:
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
