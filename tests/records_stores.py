"""Store fixtures for the records, gateway and audit tests: a fresh SQLite file, or a fresh PostgreSQL
database (uniquely named, dropped afterwards, because other suites share the server)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def pg_database(prefix: str) -> Iterator[str]:
    name = f"sanctuary_{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def store_url(kind: str, tmp_path: Path, prefix: str) -> Iterator[str]:
    if kind == "sqlite":
        yield str(tmp_path / "records.db")
    else:
        yield from pg_database(prefix)


STORE_KINDS = [pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)]
