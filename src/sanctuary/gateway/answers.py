"""How every door answers a decided request — the gateway's API and request desk, `sanctuary proxy`
and the `/v1/authz` hook: the HTTP status table, the answer's body with its handling caveat, the
structured events, and the held queue a held request goes into whichever way it came."""

from __future__ import annotations

import logging
from typing import Any

from sanctuary.events import Events
from sanctuary.gateway.held import HeldQueue
from sanctuary.models import Decision, Failure, Request

CAVEAT = (
    "Police records are released only for the purpose the decision permits, under the clauses it cites: "
    "do not re-disseminate them or use them for civil immigration enforcement. Every decision, and what it "
    "released, is recorded in the decision log."
)
# The HTTP status of every answer to a request, by what the decision says: its failure kind if it
# has one, else held, else permit or deny. Nothing else chooses a status for a decided request.
STATUS: dict[str, int] = {
    "permit": 200,
    "deny": 403,
    "held": 403,
    Failure.input: 422,
    Failure.unreadable: 400,
    Failure.identity: 403,
    Failure.unregistered: 422,
    Failure.policy: 503,
    Failure.store: 503,
    Failure.log: 503,
    Failure.timeout: 503,
    Failure.upstream: 502,
    Failure.upstream_timeout: 504,
}
event = Events("sanctuary.gateway")


def status_of(decision: Decision) -> int:
    """The HTTP status of a decision (see STATUS)."""
    if decision.failure is not None:
        return STATUS[decision.failure]
    return STATUS["held" if decision.held is not None else decision.decision]


def answer(request_id: str, decision: Decision, result: Any) -> dict[str, Any]:
    """The body of an answer to a decided request: its id, the log index, the decision, the caveat,
    and (a permit) what it hands out."""
    body: dict[str, Any] = {
        "request_id": request_id,
        "log_index": decision.log_index,
        "decision": decision.model_dump(exclude_none=True),
        "caveat": CAVEAT,
    }
    if result is not None:
        body["result"] = result
    return body


def keep_held(queue: HeldQueue, request: Request, decision: Decision, entered_by: str, channel: str) -> None:
    """Put a recorded held request in the held queue, whichever way it came (`Gateway.submit`, the
    proxy and the hook). The answer stands if the queue fails (a held request is a deny: nothing is
    handed out); the failure is logged, and the same request sent again is queued under the same
    reference."""
    try:
        queue.add(request, decision, entered_by, channel)
    except Exception as exc:  # noqa: BLE001 - logged; the request stays refused
        event(logging.ERROR, "held_not_queued", request_id=decision.id, log_index=decision.log_index, reason=str(exc))
