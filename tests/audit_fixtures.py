"""Fixtures shared by the audit tests: one log per driver (SQLite file, fresh PostgreSQL database)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

import sanctuary
from records_stores import pg_database
from sanctuary.audit import DecisionLog, open_log
from sanctuary.audit.keys import generate

SRC = Path(sanctuary.__file__).resolve().parents[1]
DRIVERS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture
def log_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "log.db")
        return
    yield from pg_database("audit")


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    folder = tmp_path / "keys"
    generate("sanctuary.test/decisions", folder)
    return folder


@pytest.fixture
def log(log_url: str, keys: Path) -> Iterator[DecisionLog]:
    opened = open_log(log_url, keys)
    yield opened
    opened.close()


def execute(url: str, sql: str, params: tuple[Any, ...] = ()) -> None:
    """Change the store behind the log's back, the way an insider with database access could."""
    if url.startswith("postgresql://"):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.replace("?", "%s"), params)
    else:
        conn = sqlite3.connect(url)
        with conn:
            conn.execute(sql, params)
        conn.close()


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a subprocess that must import this checkout's sanctuary."""
    return {**os.environ, "PYTHONPATH": str(SRC), **extra}
