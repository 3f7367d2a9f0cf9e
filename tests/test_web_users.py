"""Staff accounts and sessions: scrypt hashes only, constant answers, expiry, and the `web` commands."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanctuary.cli import app
from sanctuary.gateway.credentials import CredentialError
from sanctuary.gateway.users import UserBook, demo_password
from sanctuary.web import sessions
from sanctuary.web.sessions import Sessions, csrf_ok


def test_passwords_are_stored_as_scrypt_hashes_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    book = UserBook(path)
    book.add("ana.desk", "desk", "correct horse battery")
    stored = path.read_text()
    assert "correct horse" not in stored and json.loads(stored)[0]["role"] == "desk"
    again = UserBook(path)  # read back from the file
    assert again.check("ana.desk", "correct horse battery").role == "desk"
    assert again.check("ana.desk", "correct horse batterz") is None
    assert again.check("nobody", "correct horse battery") is None


@pytest.mark.parametrize(
    ("name", "role", "password", "field"),
    [
        ("Ana Desk", "desk", "long enough pw", "name"),
        ("ana", "chief", "long enough pw", "role"),
        ("ana", "desk", "short", "password"),
    ],
)
def test_bad_accounts_name_the_field(tmp_path: Path, name: str, role: str, password: str, field: str) -> None:
    with pytest.raises(CredentialError) as caught:
        UserBook(tmp_path / "users.json").add(name, role, password)
    assert caught.value.field == field


def test_demo_users_sign_in_but_are_never_written(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    book = UserBook(path)
    book.add("real", "admin", "a real password")
    shown = book.add_demo_users()
    assert shown["oversight"] == demo_password("oversight")
    assert book.check("oversight", demo_password("oversight")).role == "oversight"
    assert [row["name"] for row in json.loads(path.read_text())] == ["real"]


def test_a_damaged_user_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text('[{"name": 1}]')
    with pytest.raises(CredentialError) as caught:
        UserBook(path)
    assert caught.value.field == str(path)


class _Http:
    def __init__(self, token: str | None) -> None:
        self.cookies = {sessions.COOKIE: token} if token else {}


def test_sessions_expire_when_idle_and_tokens_must_match(monkeypatch: pytest.MonkeyPatch) -> None:
    store = Sessions()
    session = store.new("ana", "desk")
    assert store.get(_Http(session.token)) is session
    assert store.get(_Http("guessed")) is None and store.get(_Http(None)) is None
    assert csrf_ok(session, session.csrf) and not csrf_ok(session, "x") and not csrf_ok(None, session.csrf)
    later = time.monotonic() + sessions.IDLE_SECONDS + 1
    monkeypatch.setattr(sessions.time, "monotonic", lambda: later)
    assert store.get(_Http(session.token)) is None


def test_web_commands_add_list_and_remove_users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    runner = CliRunner()
    added = runner.invoke(app, ["web", "user-add", "ana", "--role", "oversight", "--password-stdin"], input="a long password\n")
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["web", "users", "--json"])
    assert [(u["name"], u["role"]) for u in json.loads(listed.stdout)] == [("ana", "oversight")]
    short = runner.invoke(app, ["web", "user-add", "bob", "--password-stdin"], input="short\n")
    assert short.exit_code == 2 and "password" in short.output
    assert runner.invoke(app, ["web", "user-remove", "ana"]).exit_code == 0
    assert runner.invoke(app, ["web", "user-remove", "ana"]).exit_code == 2


def test_web_users_says_why_the_demo_users_are_not_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    empty = runner.invoke(app, ["web", "users"])
    assert empty.exit_code == 0 and "No staff account is stored" in empty.stdout
    assert "demo users (desk, oversight, admin) are not stored here" in empty.stdout and "serve --demo" in empty.stdout
    runner.invoke(app, ["web", "user-add", "ana", "--password-stdin"], input="a long password\n")
    listed = runner.invoke(app, ["web", "users"]).stdout
    assert "ana" in listed and "not stored here" in listed
    assert json.loads(runner.invoke(app, ["web", "users", "--json"]).stdout)[0]["name"] == "ana"  # JSON: the accounts only
