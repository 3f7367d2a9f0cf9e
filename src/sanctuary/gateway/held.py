"""The queue of held requests: refused for now, waiting for an officer to verify a document or review them.

Every request the gateway decides "deny" with `Decision.held` set, and records, enters this queue
with the request as read, whatever channel it came by (`Gateway.submit`: the API, `/v1/requests`,
or the request desk), so that the officer who verifies the document (calls the court clerk, checks
the signature) can resolve it at the desk (`/desk/held`): the pipeline decides it again with the
verified documents counted and records a second decision that names the held one (`resolves`).
Nothing is handed out before that. Once resolved, the request as read is dropped from the queue
(the log keeps the decisions; the department's own records keep the rest).

One resolution at a time: an officer first claims the item (`claim`, one conditional UPDATE: only
a waiting item that nobody holds moves to "resolving"), and only the holder of the claim decides it
again. A second officer resolving the same item at the same moment is told it is being resolved, or
was resolved (`NotWaiting`, naming the item), and nothing is decided, recorded or disclosed for
them. The claim ends with `settle`: a second decision recorded without a failure is noted (and the
claim dropped); anything else (the resolution failed closed, or was refused before deciding) gives
the item back, waiting. A claim older than `CLAIM_TIMEOUT` (ten minutes, far beyond the gateway's
deadline for deciding) is taken to be a resolution that crashed between claim and record: the item
counts as waiting again and the next officer may claim it. (A second decision recorded is noted
whoever holds the claim by then: the queue follows the log.)

A second decision that is itself held (held again: the officer verified the documents, and the
permit they open still waits for an officer to review the request's words) does not resolve the
item: records staff expect a request that still cannot be acted on to stay in the queue, not to
look closed. The item stays waiting, now showing the new hold's reason and explanation, with the
held-again decision linked (`again_index`, who and when); the next resolution decides it against
that hold, and resolving a hold for review is the review (`Pipeline.resolve_held`). The first
decision (`log_index`) stays the one the item was entered with.

A call on a department system held through the proxy or the hook (channels "proxy", "authz")
waits here too. The desk hands nothing out for it: what it asks for is in that system, not in the
store. Allowed at the desk, it may be repeated once by the same agency, the same call naming the
held one (`redeem`, HELD_HEADER): only that repeat is decided as reviewed; refused, or used, the
reference opens nothing. It is used by the repeat that gets the data: taken before the call is
forwarded (two repeats at once get it once), and given back (`give_back`) if nothing was handed
out (the system failed or did not answer in time, a HEAD, a 404).

The queue is SQLite in $SANCTUARY_HOME (desk-held.db: the name it had when only the desk kept one,
kept so that a queue already waiting is not lost); replicas on one PostgreSQL log keep it in that
database, so an item entered through one is resolved through another and its allowance is taken
once across all of them (the same conditional UPDATEs). It holds what the requester said about a person
until the request is resolved: it is the department's own file, never shown on a public page.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sanctuary import config
from sanctuary.models import Decision, Request, RequestError

SCHEMA = """
CREATE TABLE IF NOT EXISTS held (
  reference TEXT PRIMARY KEY, at TEXT NOT NULL, entered_by TEXT NOT NULL, log_index INTEGER,
  request TEXT, decision TEXT NOT NULL,
  resolved_at TEXT, resolved_by TEXT, resolved_index INTEGER, resolved_outcome TEXT,
  channel TEXT NOT NULL DEFAULT 'desk',
  claim TEXT, claimed_at TEXT, claimed_by TEXT, again_at TEXT, again_by TEXT, again_index INTEGER,
  repeat TEXT, redeemed_at TEXT, log TEXT);
"""
ADDED = {  # columns a queue kept by an older version lacks, with their type
    "channel": "TEXT NOT NULL DEFAULT 'desk'",
    "claim": "TEXT",
    "claimed_at": "TEXT",
    "claimed_by": "TEXT",
    "again_at": "TEXT",
    "again_by": "TEXT",
    "again_index": "INTEGER",
    "repeat": "TEXT",
    "redeemed_at": "TEXT",
    "log": "TEXT",
}
COLUMNS = (
    "reference, at, entered_by, log_index, request, decision, resolved_at, resolved_by, resolved_index, resolved_outcome, channel, "
    "claimed_at, claimed_by, again_at, again_by, again_index, redeemed_at, log"
)
SCHEMA_LOCK = 0x5A7C_4E1D  # advisory lock: replicas opening the queue at once create its table once
CLAIM_TIMEOUT = timedelta(minutes=10)  # a claim older than this is a resolution that crashed: the item waits again
REPEAT_WINDOW = timedelta(hours=24)  # a call allowed at the desk may be repeated once, within this
CAME = {"api": "through the API", "desk": "at the desk", "proxy": "through the proxy", "authz": "through the authorization hook"}
CALLED = ("proxy", "authz")  # channels of calls on a department system: the desk hands nothing out for them
UNCLAIMED = "claim = NULL, claimed_at = NULL, claimed_by = NULL"
REASONS = {
    "verification_required": "A document must be verified with whoever issued it before anything is done.",
    "needs_review": "An officer must review the request before anything is done.",
}


@dataclass(frozen=True)
class HeldItem:
    reference: str
    at: str
    entered_by: str
    log_index: int | None
    request: Request | None  # None once resolved
    decision: Decision
    resolved_at: str | None = None
    resolved_by: str | None = None
    resolved_index: int | None = None
    resolved_outcome: str | None = None
    channel: str = "desk"  # how it came: "api", "desk" (app.Channel), or "proxy", "authz" (CALLED)
    claimed_at: str | None = None  # an officer is resolving it now (a claim younger than CLAIM_TIMEOUT)
    claimed_by: str | None = None
    again_at: str | None = None  # the latest resolution was held again: its decision is `decision`
    again_by: str | None = None
    again_index: int | None = None
    redeemed_at: str | None = None  # a call allowed at the desk: when the agency repeated it
    # The log `log_index` counts in, when it is not the one this process records to (a proxy that
    # records to a log of its own): the desk names it rather than link an entry of its own log.
    elsewhere: str | None = None

    @property
    def came(self) -> str:
        """How it came, in words."""
        return CAME.get(self.channel, f"by {self.channel}")

    @property
    def called(self) -> bool:
        """A call on a department system (the proxy, the hook): what it asks for is not in the
        gateway's store, so the desk hands nothing out; the agency repeats the call once allowed."""
        return self.channel in CALLED

    @property
    def reason(self) -> str:
        return REASONS.get(self.decision.held.reason, self.decision.held.reason) if self.decision.held else ""


class NotWaiting(RequestError):
    """The held request cannot be claimed: another officer is resolving it, or it was resolved."""


def queue_file() -> Path:
    return config.home() / "desk-held.db"


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def _shown(stamp: str) -> str:
    return f"{stamp.replace('T', ' ')[:16]} UTC"


def _open_sqlite(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.executescript(SCHEMA)
    present = {row[1] for row in db.execute("PRAGMA table_info(held)")}
    for column, kind in ADDED.items():  # a queue kept before the column was
        if column not in present:
            db.execute(f"ALTER TABLE held ADD COLUMN {column} {kind}")
    return db


class _Postgres:
    """The queue's table in the replicas' PostgreSQL database, read and written with the same SQL;
    connected again after the server dropped the connection (a restart, a failover)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._conn = self._connect()
        with self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            self._conn.execute(SCHEMA.replace("INTEGER", "BIGINT"))

    def _connect(self) -> Any:
        import psycopg

        return psycopg.connect(self.url, autocommit=True, connect_timeout=5)

    def execute(self, sql: str, params: tuple = ()) -> Any:
        if self._conn.closed:
            self._conn = self._connect()
        return self._conn.execute(sql.replace("?", "%s"), params)

    def close(self) -> None:
        self._conn.close()


class HeldQueue:
    """Held requests by reference. Thread-safe."""

    def __init__(self, path: Path | None = None, log: str | None = None, url: str | None = None) -> None:
        """`log`: where this process records its decisions (`sanctuary.gateway.recorder.log_at`), kept
        with every item it adds; None: not said (items then link to the reader's own log). `url`: the
        replicas' PostgreSQL database to keep the queue in instead of the SQLite file at `path`."""
        self.log = log
        self._db: Any
        self._lock = threading.Lock()
        path = path or queue_file()
        if url is None or not url.startswith(("postgresql://", "postgres://")):
            self._db = _open_sqlite(path)
            return
        self._db = _Postgres(url)
        if path.is_file() and self._db.execute("SELECT count(*) FROM held").fetchone()[0] == 0:
            kept = _open_sqlite(path)  # the queue this home kept before its replicas shared one: moved, not lost
            every = f"{COLUMNS}, claim, repeat"
            rows = kept.execute(f"SELECT {every} FROM held").fetchall()
            kept.close()
            for row in rows:
                marks = ", ".join("?" * len(row))
                self._db.execute(f"INSERT INTO held ({every}) VALUES ({marks}) ON CONFLICT (reference) DO NOTHING", tuple(row))

    def close(self) -> None:
        self._db.close()

    def add(self, request: Request, decision: Decision, entered_by: str, channel: str) -> str:
        """Keep a held request, as read, with who entered it and by which channel of the gateway
        (`app.Channel`); once per reference: the same request entered again is the same item."""
        if decision.held is None:
            raise ValueError("decision: not held")
        with self._lock:
            self._db.execute(
                "INSERT INTO held (reference, at, entered_by, log_index, request, decision, channel, repeat, log) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (reference) DO NOTHING",
                (
                    decision.held.reference,
                    _stamp(_now()),
                    entered_by,
                    decision.log_index,
                    request.model_dump_json(),
                    decision.model_dump_json(),
                    channel,
                    repeat_key(request),
                    self.log,
                ),
            )
        return decision.held.reference

    def _item(self, row: tuple) -> HeldItem:
        (reference, at, entered_by, log_index, request, decision, r_at, r_by, r_index, r_outcome, channel) = row[:11]
        claimed_at, claimed_by, again_at, again_by, again_index, redeemed_at, log = row[11:]
        if claimed_at is not None and claimed_at < _stamp(_now() - CLAIM_TIMEOUT):  # a resolution that crashed
            claimed_at = claimed_by = None
        return HeldItem(
            reference,
            at,
            entered_by,
            log_index,
            Request.model_validate_json(request) if request else None,
            Decision.model_validate_json(decision),
            r_at,
            r_by,
            r_index,
            r_outcome,
            channel,
            claimed_at,
            claimed_by,
            again_at,
            again_by,
            again_index,
            redeemed_at,
            log if log is not None and self.log is not None and log != self.log else None,
        )

    def get(self, reference: str) -> HeldItem | None:
        with self._lock:
            row = self._db.execute(f"SELECT {COLUMNS} FROM held WHERE reference = ?", (reference,)).fetchone()
        return self._item(row) if row else None

    def items(self, limit: int = 200) -> list[HeldItem]:
        """Waiting first (oldest first), then the most recently resolved."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {COLUMNS} FROM held ORDER BY resolved_at IS NOT NULL, CASE WHEN resolved_at IS NULL THEN at END, resolved_at DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [self._item(r) for r in rows]

    def waiting(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM held WHERE resolved_at IS NULL").fetchone()[0])

    def claim(self, reference: str, by: str) -> str:
        """Claim a waiting item for one resolution by `by`, atomically: the answer is the claim to
        `settle` it with. NotWaiting (naming the item) if another officer holds a claim younger than
        CLAIM_TIMEOUT or it was resolved; RequestError if no such item is queued."""
        claim, now = uuid.uuid4().hex, _now()
        with self._lock:
            claimed = self._db.execute(
                "UPDATE held SET claim = ?, claimed_at = ?, claimed_by = ? "
                "WHERE reference = ? AND resolved_at IS NULL AND (claim IS NULL OR claimed_at < ?)",
                (claim, _stamp(now), by, reference, _stamp(now - CLAIM_TIMEOUT)),
            ).rowcount
        if claimed == 1:
            return claim
        item = self.get(reference)
        if item is None:
            raise RequestError("held.reference", f"no held request {reference} is in the queue")
        if item.resolved_at is not None:
            why = f"was resolved already, by {item.resolved_by} at {_shown(item.resolved_at)} (log entry {item.resolved_index})"
        elif item.claimed_at is not None:
            why = f"is being resolved by {item.claimed_by} since {_shown(item.claimed_at)}"
        else:  # the other officer's resolution ended between the two statements
            why = "was being resolved by another officer a moment ago: look at it again"
        raise NotWaiting("held.reference", f"held request {reference} {why}; nothing was decided or recorded for this attempt")

    def settle(self, reference: str, claim: str, resolution: Decision | None, by: str) -> None:
        """End a claim. `resolution`: the second decision, recorded without a failure, or None
        (nothing recorded, or it failed closed: the item waits again). One held again stays waiting
        with it linked (see the module's docstring); any other resolves the item and drops the
        request as read."""
        now = _stamp(_now())
        with self._lock:
            if resolution is None:
                self._db.execute(f"UPDATE held SET {UNCLAIMED} WHERE reference = ? AND claim = ?", (reference, claim))
            elif resolution.held is not None:
                self._db.execute(
                    f"UPDATE held SET decision = ?, again_at = ?, again_by = ?, again_index = ?, {UNCLAIMED} "
                    "WHERE reference = ? AND resolved_at IS NULL",
                    (resolution.model_dump_json(), now, by, resolution.log_index, reference),
                )
            else:
                self._db.execute(
                    f"UPDATE held SET resolved_at = ?, resolved_by = ?, resolved_index = ?, resolved_outcome = ?, request = NULL, {UNCLAIMED} "
                    "WHERE reference = ? AND resolved_at IS NULL",
                    (now, by, resolution.log_index, resolution.decision, reference),
                )

    def redeem(self, reference: str, request: Request) -> None:
        """Take, once, the allowance of a held call the desk resolved to a permit, for `request`: the
        same call repeated by the same agency (everything but its id) within REPEAT_WINDOW of the
        resolution. RequestError (field: the header that named it) saying why not, otherwise; the
        reference is then worth nothing more than any claim. One conditional UPDATE: two repeats
        at once get it once."""
        now = _now()
        with self._lock:
            taken = self._db.execute(
                "UPDATE held SET redeemed_at = ? WHERE reference = ? AND repeat = ? AND redeemed_at IS NULL "
                f"AND resolved_outcome = 'permit' AND resolved_at >= ? AND channel IN ({', '.join('?' * len(CALLED))})",
                (_stamp(now), reference, repeat_key(request), _stamp(now - REPEAT_WINDOW), *CALLED),
            ).rowcount
        if taken != 1:  # the item is read only to say why not
            raise RequestError(HELD_HEADER, f"{reference[:40]!r}: {_why_not(self.get(reference), now)}")

    def give_back(self, reference: str, request: Request) -> None:
        """Undo `redeem` for a repeat that handed nothing out (the system failed or answered
        nothing, a HEAD, a deny, a log that did not take it): the allowance is spent only on the
        call that gets the data. Only the taker calls this, while it holds the allowance."""
        with self._lock:
            self._db.execute(
                "UPDATE held SET redeemed_at = NULL WHERE reference = ? AND repeat = ? AND redeemed_at IS NOT NULL",
                (reference, repeat_key(request)),
            )


HELD_HEADER = "x-sanctuary-held-reference"  # a repeated call names the held one the desk allowed


def waits(decision: Decision) -> bool:
    """Whether the queue keeps a decision: held, and recorded without a failure (a held request
    the log did not take was not acted on, and is answered as a failure, not queued)."""
    return decision.held is not None and decision.log_index is not None and decision.failure is None


def repeat_key(request: Request) -> str:
    """What a repeated call must match: the request without its id (which is new on every call)."""
    return hashlib.sha256(request.model_dump_json(exclude={"id"}).encode()).hexdigest()


def _why_not(item: HeldItem | None, now: datetime) -> str:
    if item is None or not item.called:
        return "no held call of this reference is in the queue"
    if item.redeemed_at is not None:
        return f"the call it allowed was made already ({_shown(item.redeemed_at)}); it allows one call"
    if item.resolved_at is None:
        return "the held call has not been resolved at the desk yet"
    if item.resolved_outcome != "permit":
        return "the desk refused the held call"
    if item.resolved_at < _stamp(now - REPEAT_WINDOW):
        return f"the desk allowed the held call more than {REPEAT_WINDOW.total_seconds() / 3600:g} hours ago"
    return "this call is not the one that was held (agency, route, parameters or purpose differ)"
