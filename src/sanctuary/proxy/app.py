"""`sanctuary proxy`: a filtering reverse proxy in front of a department system (ASGI, Starlette).

Every call: the agency's key and its rate limit -> the route -> the request -> the decision (the one
request path) -> for a permit, the call forwarded and its JSON answer filtered -> the log entry,
durable -> the answer.

| status | when | body |
|---|---|---|
| 200 | permit | the system's JSON answer without the withheld categories and the values the map does not place |
| 4xx | the system answered 4xx (e.g. 404) to a permitted call | `{"error": ...}`; nothing of the system's body |
| 401 / 403 | no or unknown key / not an agency key | `{"error": {"field", "reason"}}`, not recorded |
| 429 | over the key's rate (`--rate` calls/s, bursts of twice that), as on the gateway | `{"error": ...}`, `Retry-After`; not recorded (turned away unread, as by the gateway) |
| 403 | deny by a cited rule | the decision |
| 403 | held for an officer to read its words: waits in the gateway's held queue (docs/deploy.md) | the decision, `held.reference` |
| 400 | an `X-Sanctuary-*` header given twice or not UTF-8 (never forwarded) | the decision, naming the header |
| 422 | a call no route matches or whose target the system may read as another call (never forwarded, `proxy.target`), that cannot be made a request, or that names a held call it does not repeat | the decision |
| 502 / 504 | the system failed, answered something that is not the route's shape, or not in time | the decision |
| 503 | fail closed: policy not loaded, a rule errored, the log unavailable | the decision |

Headers on every decided answer: `X-Sanctuary-Decision-Id`, `X-Sanctuary-Log-Index`; on a permit
`X-Sanctuary-Withheld` (the categories removed) and `X-Sanctuary-Unmapped-Removed` (a count).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request as HttpRequest
from starlette.responses import Response
from starlette.routing import Route

from sanctuary import config
from sanctuary.gateway.answers import answer
from sanctuary.gateway.credentials import AGENCY_ROLES, KeyRing, Refusal, authenticate
from sanctuary.gateway.held import HeldQueue
from sanctuary.gateway.problems import Problem
from sanctuary.gateway.readiness import Readiness
from sanctuary.gateway.recorder import LogRecorder, log_at, log_service
from sanctuary.gateway.services import Unavailable, load_policy
from sanctuary.gateway.shared import rate_limiter
from sanctuary.proxy.facts import SystemFacts
from sanctuary.proxy.guard import CallAnswer, Guard, event
from sanctuary.proxy.routes import RouteMap
from sanctuary.proxy.upstream import Upstream

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]  # all are decided; the map says which exist


@dataclass
class ProxyConfig:
    upstream: str
    routes: RouteMap
    profiles: list[str] = field(default_factory=list)  # composed on top of the jurisdiction
    jurisdiction: str | None = None  # the law in force (None with no profiles: the shipped default)
    declarations: Path | None = None  # 625 ILCS 5/2-130 declarations on file (CSV)
    params: dict[str, list[str]] = field(default_factory=dict)
    agencies: list[Path] = field(default_factory=list)
    log_url: str | None = None
    keys: KeyRing = field(default_factory=KeyRing)
    rate: float = 50.0  # calls/s per key, as on the gateway; 0 turns the limit off
    burst: float | None = None  # default: twice the rate
    timeout: float = 5.0  # seconds the department system has to answer
    threads: int = 16


def decision_headers(verdict: CallAnswer) -> dict[str, str]:
    headers = {"X-Sanctuary-Decision-Id": verdict.decision.id, "X-Sanctuary-Decision": verdict.decision.decision}
    if verdict.decision.log_index is not None:
        headers["X-Sanctuary-Log-Index"] = str(verdict.decision.log_index)
    if verdict.withheld:
        headers["X-Sanctuary-Withheld"] = ", ".join(verdict.withheld)
    return headers


def decision_body(verdict: CallAnswer) -> dict[str, Any]:
    """The gateway's answer shape: request id, log index, the decision, the handling caveat."""
    return answer(verdict.decision.id, verdict.decision, None)


def create_app(cfg: ProxyConfig) -> Starlette:
    policy = load_policy(cfg.profiles, cfg.params, cfg.agencies, jurisdiction=cfg.jurisdiction, declarations=cfg.declarations)
    decision_log = log_service(cfg.log_url)
    limiter = rate_limiter(cfg.log_url or config.log_url(), cfg.rate, cfg.burst)
    threads = cfg.threads
    client = Upstream(cfg.upstream, timeout=cfg.timeout, connections=threads * 2)
    facts = SystemFacts(cfg.routes.facts, client) if cfg.routes.facts is not None else None
    readiness = Readiness({"log": lambda: decision_log.status(lambda opened: opened.size())})
    held = HeldQueue(
        log=log_at(cfg.log_url), url=cfg.log_url or config.log_url()
    )  # the gateway's, in the same $SANCTUARY_HOME: a held call waits for the desk
    guard = Guard(cfg.routes, policy.pipeline(LogRecorder(decision_log, readiness), facts), upstream=client, held=held)
    executor = ThreadPoolExecutor(threads, thread_name_prefix="proxy")

    async def call(http: HttpRequest) -> Response:
        principal = authenticate(cfg.keys, http.headers.get("authorization"), AGENCY_ROLES, "call a department system")
        if isinstance(principal, Refusal):  # turned away before anything is read: not recorded
            return Problem(principal.status, principal.field, principal.reason, headers=principal.headers).response()
        try:
            await limiter.take(principal.key_id)
        except Problem as limited:  # 429 with Retry-After, not recorded: as on the gateway
            return limited.response()
        assert principal.agency is not None  # authenticate refuses an agency key that names no agency
        uri = http.scope["raw_path"].decode("latin-1")
        if http.scope.get("query_string"):
            uri += "?" + http.scope["query_string"].decode("latin-1")
        loop = asyncio.get_running_loop()
        by = f"key {principal.key_id}"
        verdict = await loop.run_in_executor(executor, guard.forward, principal.agency, http.method, uri, http.headers.raw, by)
        headers = decision_headers(verdict)
        if verdict.status == 200:
            headers["X-Sanctuary-Unmapped-Removed"] = str(verdict.unmapped)
            return Response(json.dumps(verdict.body), media_type="application/json", headers=headers)
        if verdict.decision.decision == "permit":  # the system's own 4xx: passed on, nothing of its body
            reason = f"the department system answered {verdict.status}"
            return Problem(verdict.status, "upstream", reason, log_index=verdict.decision.log_index).response()
        return Response(json.dumps(decision_body(verdict)), status_code=verdict.status, media_type="application/json", headers=headers)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:  # open the log now; a failure is only reported: calls will retry, and fail closed meanwhile
            decision_log.get()
        except Unavailable as exc:
            event(logging.ERROR, "unavailable_at_start", reason=str(exc))
        gc.collect()
        gc.freeze()  # as in the gateway: full collections no longer walk the policy engine per call
        yield
        executor.shutdown(wait=True)
        client.close()
        held.close()
        decision_log.close(lambda opened: opened.close())

    app = Starlette(routes=[Route("/{path:path}", call, methods=METHODS)], lifespan=lifespan)
    app.state.guard = guard
    app.state.policy = policy
    app.state.limiter = limiter
    return app
