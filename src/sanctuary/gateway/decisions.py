"""The gateway's index of answered decisions (table ``gateway_decisions`` in the records store)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from sanctuary.records import RecordStore
from sanctuary.records.schema import DecisionRow


def remember(store: RecordStore, log_index: int, request_id: str, requester: str | None, status: int,
             body: dict[str, Any]) -> None:
    with store.connect() as connection:
        connection.execute(insert(DecisionRow), {
            "log_index": log_index, "request_id": request_id, "requester": requester, "status": status,
            "decided_at": datetime.now(UTC).replace(tzinfo=None), "body": json.dumps(body),
        })


def find(store: RecordStore, request_id: str, requester: str | None) -> dict[str, Any] | None:
    """The latest answered decision for ``request_id``; only ``requester``'s own unless None."""
    stmt = select(DecisionRow.body).where(DecisionRow.request_id == request_id)
    if requester is not None:
        stmt = stmt.where(DecisionRow.requester == requester)
    with store.connect() as connection:
        body = connection.execute(stmt.order_by(DecisionRow.log_index.desc()).limit(1)).scalar()
    return json.loads(body) if body is not None else None
