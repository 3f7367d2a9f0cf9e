"""Open a records store (SQLite by default, PostgreSQL by URL), migrate it, and run typed searches.

The store opens with its schema at the newest Alembic revision: ``open_store`` upgrades on open
(under an advisory lock on PostgreSQL, so many gateway processes can start at once).
Every database failure surfaces as ``StoreUnavailable`` so that callers fail closed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, FromClause, Select, bindparam, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from sanctuary import config
from sanctuary.policy.categories import SEARCHES
from sanctuary.records.errors import InvalidStoreURL, StoreUnavailable
from sanctuary.records.schema import Base, Booking, Contact, GangEntry, Person, PlateRead, Warrant
from sanctuary.records.searches import PlateSearch, Search, name_key

# Any number works; it only has to be the same for every process migrating the same database.
_MIGRATION_LOCK_ID = 0x5A4C7C_01
_INTERNAL_COLUMNS = frozenset({"name_key"})


@dataclass(frozen=True)
class Record:
    """One row handed out: its stable id, its kind (table), and its named fields."""

    record_id: str
    kind: str
    fields: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"record_id": self.record_id, "kind": self.kind, "fields": dict(self.fields)}


def database_url(url: str) -> str:
    """Turn a store location (a path, ``sqlite:///``, ``postgresql://``) into a SQLAlchemy URL."""
    if "://" not in url:
        if not url.strip():
            raise InvalidStoreURL("empty; give a SQLite path or a postgresql:// URL")
        return f"sqlite:///{url}"
    scheme = url.split("://", 1)[0]
    if scheme in ("postgresql", "postgres"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if scheme in ("sqlite", "postgresql+psycopg"):
        return url
    raise InvalidStoreURL(f"unsupported scheme {scheme!r}; use a SQLite path or postgresql://")


def _engine(url: str) -> Engine:
    sa_url = database_url(url)
    try:
        parsed = make_url(sa_url)
    except ArgumentError as exc:
        raise InvalidStoreURL(str(exc)) from exc
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise InvalidStoreURL("an in-memory SQLite store cannot be shared; give a file path")
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 5}, pool_size=8, max_overflow=8)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: survives a process crash, no fsync per commit
            cursor.close()

        return engine
    return create_engine(
        parsed,
        pool_size=8,
        max_overflow=8,
        pool_timeout=5,
        connect_args={"connect_timeout": 3, "options": "-c statement_timeout=5000"},
    )


def _alembic_config(connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "sanctuary.records:migrations")
    cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: Engine) -> str:
    """Upgrade the schema to the newest revision and return it."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
        command.upgrade(_alembic_config(connection), "head")
        revision = MigrationContext.configure(connection).get_current_revision()
    return revision or ""


def head_revision() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", "sanctuary.records:migrations")
    return ScriptDirectory.from_config(cfg).get_current_head() or ""


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return value


class RecordStore:
    """A migrated records store. Thread-safe: every call takes a pooled connection."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection in a transaction; database failures become ``StoreUnavailable``."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except SQLAlchemyError as exc:
            raise StoreUnavailable(_short_reason(exc)) from exc

    def search(self, query: Search) -> list[Record]:
        statement, params, kind, key = _statement(query)
        with self.connect() as connection:
            rows = connection.execute(statement, params).mappings().all()
        return [
            Record(
                record_id=row[key],
                kind=kind,
                fields={k: _json_value(v) for k, v in row.items() if k != key and k not in _INTERNAL_COLUMNS},
            )
            for row in rows
        ]

    def ping(self) -> None:
        """Raise ``StoreUnavailable`` unless the store answers, its schema is current and every table
        can be read (a row of each: a missing or unreadable table fails here, not in a search)."""
        with self.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            if current != head_revision():
                raise StoreUnavailable(f"schema at revision {current!r}, expected {head_revision()!r}")
            for table in Base.metadata.sorted_tables:
                connection.execute(select(table).limit(1)).all()

    def counts(self) -> dict[str, int]:
        with self.connect() as connection:
            return {
                table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in Base.metadata.sorted_tables
            }

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str | None = None) -> RecordStore:
    """Open (creating and migrating if needed) the store at ``url``, or the configured default."""
    engine = _engine(url if url is not None else config.store_url())
    try:
        migrate(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreUnavailable(_short_reason(exc)) from exc
    return RecordStore(engine)


def _short_reason(exc: SQLAlchemyError) -> str:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return re.sub(r"\s+", " ", reason)[:300]


# Each record kind's table and key column (which search returns which kind: policy.categories.SEARCHES).
TABLES: dict[str, tuple[FromClause, str]] = {
    "person": (Person.__table__, "person_id"),
    "warrant": (Warrant.__table__, "warrant_id"),
    "booking": (Booking.__table__, "booking_id"),
    "contact": (Contact.__table__, "contact_id"),
    "gang_entry": (GangEntry.__table__, "entry_id"),
    "plate_read": (PlateRead.__table__, "read_id"),
}


@functools.cache
def _prepared(search: str, conditions: frozenset[str]) -> Select[Any]:
    """The SELECT of one search shape, with bound parameters: built once, compiled once."""
    table = TABLES[SEARCHES[search].record_kind][0]
    c = table.c
    if search == "plate":
        stmt = select(table).where(c.plate == bindparam("plate"))
        if "state" in conditions:
            stmt = stmt.where(c.plate_state == bindparam("state"))
        if "since" in conditions:
            stmt = stmt.where(c.read_at >= bindparam("since"))
        if "until" in conditions:
            stmt = stmt.where(c.read_at <= bindparam("until"))
        return stmt.order_by(c.read_at, c.read_id).limit(bindparam("limit"))
    people = select(Person.person_id)
    if "person_id" in conditions:
        people = people.where(Person.person_id == bindparam("person_id"))
    # A person_id may come with a name, a date of birth, or both: each given narrows the search.
    if "name" in conditions:
        people = people.where(Person.name_key == bindparam("name_key"))
    if "dob" in conditions:
        people = people.where(Person.date_of_birth == bindparam("dob"))
    stmt = select(table).where(c.person_id.in_(people))
    if search == "warrant":
        stmt = stmt.where(c.status == "active").order_by(c.issued_on.desc())
    elif search == "custody":
        stmt = stmt.order_by(c.arrested_at.desc())
    return stmt.order_by(c[TABLES[SEARCHES[search].record_kind][1]]).limit(bindparam("limit"))


def _statement(query: Search) -> tuple[Select[Any], dict[str, Any], str, str]:
    """The SELECT for a typed search, its parameters, the kind of record it returns, its id column."""
    kind = SEARCHES[query.search].record_kind
    _, key = TABLES[kind]
    params: dict[str, Any] = {"limit": query.limit}
    if isinstance(query, PlateSearch):
        params.update(plate=query.plate, state=query.state, since=query.since, until=query.until)
    else:
        params.update(person_id=query.person_id, dob=query.dob, name_key=name_key(query.name) if query.name is not None else None)
        if query.name is not None:
            params["name"] = True
    conditions = frozenset(k for k, v in params.items() if v is not None and k != "limit")
    params = {k: v for k, v in params.items() if v is not None and k != "name"}
    return _prepared(query.search, conditions), params, kind, key
