"""The gateway's index of answered decisions (table ``gateway_decisions`` in the records store).

A convenience for ``GET /v1/decisions/{id}``: the decision log is the record, and every row names
its log entry. Rows are written in batches by one background thread, off the request path; a
lookup writes what is pending first, so an answer can be looked up as soon as it was sent.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import insert, select

from sanctuary.records import RecordStore
from sanctuary.records.schema import DecisionRow

# How often the pending rows are written. On SQLite a write to the store empties the page cache of
# every other connection reading it, so each write costs the searches after it their cached pages
# (about seven reads from disk a request under load when rows were written every 50 ms, against
# fewer than one without writes: docs/benchmarks.md). A lookup writes what is pending first, so a
# longer interval delays no answer; a crash loses at most this many seconds of rows of a copy whose
# record, the decision log, holds every one of them.
FLUSH_SECONDS = 1.0
log = logging.getLogger("sanctuary.gateway")


class DecisionIndex:
    def __init__(self, store: Callable[[], RecordStore]) -> None:
        self._store = store
        self._pending: list[dict[str, Any]] = []
        self._lock = threading.Lock()  # guards _pending
        self._write_lock = threading.Lock()  # one batch at a time, in order
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="decision-index", daemon=True)
        self._thread.start()

    def add(self, log_index: int, request_id: str, requester: str | None, status: int, body: dict[str, Any]) -> None:
        row = {
            "log_index": log_index,
            "request_id": request_id,
            "requester": requester,
            "status": status,
            "decided_at": datetime.now(UTC).replace(tzinfo=None),
            "body": orjson.dumps(body).decode(),
        }
        with self._lock:
            self._pending.append(row)

    def flush(self) -> None:
        with self._write_lock:
            with self._lock:
                rows, self._pending = self._pending, []
            if not rows:
                return
            try:
                with self._store().connect() as connection:
                    connection.execute(insert(DecisionRow), rows)
            except Exception as exc:  # the answers stand; only the lookup copy is lost
                log.warning(json.dumps({"event": "index_failed", "rows": len(rows), "reason": str(exc)}))

    def find(self, request_id: str, requester: str | None) -> dict[str, Any] | None:
        """The latest answered decision for ``request_id``; only ``requester``'s own unless None."""
        self.flush()
        stmt = select(DecisionRow.body).where(DecisionRow.request_id == request_id)
        if requester is not None:
            stmt = stmt.where(DecisionRow.requester == requester)
        with self._store().connect() as connection:
            body = connection.execute(stmt.order_by(DecisionRow.log_index.desc()).limit(1)).scalar()
        return json.loads(body) if body is not None else None

    def _run(self) -> None:
        while not self._stop.wait(FLUSH_SECONDS):
            self.flush()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.flush()
