"""The queue of held requests: refused for now, waiting for an officer to verify a document or review them.

Every request the gateway decides "deny" with `Decision.held` set, and records, enters this queue
with the request as read, whatever channel it came by (`Gateway.submit`: the API, `/v1/requests`,
or the request desk), so that the officer who verifies the document (calls the court clerk, checks
the signature) can resolve it at the desk (`/desk/held`): the pipeline decides it again with the
verified documents counted and records a second decision that names the held one (`resolves`).
Nothing is handed out before that. Once resolved, the request as read is dropped from the queue
(the log keeps the decisions; the department's own records keep the rest).

The queue is SQLite in $SANCTUARY_HOME (desk-held.db: the name it had when only the desk kept one,
kept so that a queue already waiting is not lost). It holds what the requester said about a person
until the request is resolved: it is the department's own file, never shown on a public page.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sanctuary import config
from sanctuary.models import Decision, Request

SCHEMA = """
CREATE TABLE IF NOT EXISTS held (
  reference TEXT PRIMARY KEY, at TEXT NOT NULL, entered_by TEXT NOT NULL, log_index INTEGER,
  request TEXT, decision TEXT NOT NULL,
  resolved_at TEXT, resolved_by TEXT, resolved_index INTEGER, resolved_outcome TEXT,
  channel TEXT NOT NULL DEFAULT 'desk');
"""
COLUMNS = "reference, at, entered_by, log_index, request, decision, resolved_at, resolved_by, resolved_index, resolved_outcome, channel"
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
    channel: str = "desk"  # how the request came to the gateway (app.Channel): "api" or "desk"

    @property
    def reason(self) -> str:
        return REASONS.get(self.decision.held.reason, self.decision.held.reason) if self.decision.held else ""


def queue_file() -> Path:
    return config.home() / "desk-held.db"


class HeldQueue:
    """Held requests by reference. Thread-safe."""

    def __init__(self, path: Path | None = None) -> None:
        path = path or queue_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.executescript(SCHEMA)
        if "channel" not in {row[1] for row in self._db.execute("PRAGMA table_info(held)")}:  # a queue of the desk alone
            self._db.execute("ALTER TABLE held ADD COLUMN channel TEXT NOT NULL DEFAULT 'desk'")
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    def add(self, request: Request, decision: Decision, entered_by: str, channel: str) -> str:
        """Keep a held request, as read, with who entered it and by which channel of the gateway
        (`app.Channel`); once per reference: the same request entered again is the same item."""
        if decision.held is None:
            raise ValueError("decision: not held")
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO held (reference, at, entered_by, log_index, request, decision, channel) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    decision.held.reference,
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    entered_by,
                    decision.log_index,
                    request.model_dump_json(),
                    decision.model_dump_json(),
                    channel,
                ),
            )
        return decision.held.reference

    def _item(self, row: tuple) -> HeldItem:
        reference, at, entered_by, log_index, request, decision, r_at, r_by, r_index, r_outcome, channel = row
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

    def resolve(self, reference: str, resolution: Decision, by: str) -> None:
        """Note the second decision and drop the request as read."""
        with self._lock:
            self._db.execute(
                "UPDATE held SET resolved_at = ?, resolved_by = ?, resolved_index = ?, resolved_outcome = ?, request = NULL "
                "WHERE reference = ? AND resolved_at IS NULL",
                (datetime.now(UTC).isoformat(timespec="seconds"), by, resolution.log_index, resolution.decision, reference),
            )
