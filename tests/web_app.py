"""A gateway app with the pages, over a temporary SQLite store and log, and signed-in test clients."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from sanctuary import config
from sanctuary.audit.keys import SIGNING_FILE, generate
from sanctuary.gateway.app import GatewayConfig
from sanctuary.gateway.credentials import KeyRing
from sanctuary.gateway.users import UserBook
from sanctuary.records import open_store
from sanctuary.records.demo import fill
from sanctuary.server import create_app

PASSWORDS = {"desk": "desk-password-1", "oversight": "oversight-pass-2", "admin": "admin-password-3"}
LOG_NAME = "test.example/web-decisions"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page carries no CSRF token"
    return found.group(1)


class Site:
    def __init__(self, home: Path, profiles: list[str], log_url: str | None = None, jurisdiction: str | None = None) -> None:
        if not (config.keys_dir() / SIGNING_FILE).exists():  # several sites of one test share the log key
            generate(LOG_NAME)
        store = open_store(str(home / "records.db"))
        fill(store, 20, seed=1, replace=True)
        store.close()
        users = UserBook(home / "keys" / "users.json")
        for role, password in PASSWORDS.items():
            users.add(role, role, password)
        self.keys = KeyRing()
        self.desk_key = "sk_deskkey_" + "k" * 32
        self.keys.add(self.desk_key, "desk", None, "desk key")
        cfg = GatewayConfig(
            profiles=profiles,
            jurisdiction=jurisdiction,
            store_url=str(home / "records.db"),
            log_url=log_url or str(home / "log.db"),
            keys=self.keys,
            users=users,
            rate=0,
            timeout=10,
        )
        self.app = create_app(cfg)
        self.home = home

    def client(self, role: str | None = None) -> TestClient:
        client = TestClient(self.app, base_url="http://testserver", follow_redirects=False)
        if role is not None:
            page = client.get("/login")
            answer = client.post("/login", data={"csrf": csrf_of(page.text), "name": role, "password": PASSWORDS[role]})
            assert answer.status_code == 303, answer.text
        return client

    def api(self, body: dict) -> httpx.Response:
        return TestClient(self.app).post("/v1/requests", json=body, headers={"Authorization": f"Bearer {self.desk_key}"})


@pytest.fixture
def make_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    made: list[TestClient] = []

    def build(profiles: list[str] | None = None, log_url: str | None = None, jurisdiction: str | None = None) -> Site:
        """A site under `profiles` (default chicago-2021 alone), or under `jurisdiction` (jurisdictions.toml)."""
        site = Site(tmp_path, profiles or ([] if jurisdiction else ["chicago-2021"]), log_url, jurisdiction)
        made.append(site.app.state.gateway)
        return site

    yield build
    for gw in made:
        gw.close()
