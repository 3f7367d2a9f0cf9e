"""`sanctuary web ...`: the staff accounts that sign in to the pages (stored as scrypt hashes)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from sanctuary.gateway.credentials import CredentialError
from sanctuary.gateway.users import STAFF_ROLES, UserBook, users_file

app = typer.Typer(no_args_is_help=True, help="Pages for people: staff accounts for sign-in (desk, oversight, admin).")
out = Console()
err = Console(stderr=True)


def _book() -> UserBook:
    try:
        return UserBook(users_file())
    except CredentialError as exc:
        err.print(f"[red]error[/red] {exc.field}: {exc.reason}")
        raise typer.Exit(2) from None


@app.command("user-add")
def user_add(
    name: Annotated[str, typer.Argument(help="User name: lower-case letters, digits, '.', '_' or '-'.")],
    role: Annotated[str, typer.Option(help=f"One of {', '.join(STAFF_ROLES)}.")] = "desk",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")] = False,
) -> None:
    """Add (or reset) a staff account (the server reads accounts at start); the password is never an argument."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        user = _book().add(name, role, password)
    except CredentialError as exc:
        err.print(f"[red]error[/red] {exc.field}: {exc.reason}")
        raise typer.Exit(2) from None
    out.print(f"{user.name} ({user.role}) can sign in at /login; stored as an scrypt hash in {users_file()}")


@app.command("users")
def users(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")] = False) -> None:
    """The staff accounts stored (names, roles, created; never the hashes); the demo users are not among them."""
    rows = [{"name": u.name, "role": u.role, "created": u.created} for u in _book().users()]
    if as_json:
        print(json.dumps(rows))
        return
    if rows:
        table = Table("name", "role", "created")
        for row in rows:
            table.add_row(row["name"], row["role"], row["created"])
        out.print(table)
    else:
        out.print(f"No staff account is stored in {users_file()}.", highlight=False, soft_wrap=True)
    demo = ", ".join(STAFF_ROLES)
    out.print(
        f"The demo users ({demo}) are not stored here: only `sanctuary serve --demo` (what `make run` runs) accepts them, "
        "with the passwords it prints at start (`sanctuary web user-add` stores a real account).",
        highlight=False,
        soft_wrap=True,
    )


@app.command("user-remove")
def user_remove(name: Annotated[str, typer.Argument(help="The user name.")]) -> None:
    """Remove a staff account (takes effect when the server restarts, which also ends its sessions)."""
    if not _book().remove(name):
        err.print(f"[red]error[/red] name: no user {name!r}")
        raise typer.Exit(2)
    out.print(f"removed {name}")
