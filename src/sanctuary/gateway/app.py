"""The enforcement gateway: the only door from outside agencies to the department's records.

Each request is authenticated (the requester agency comes from the key), limited, parsed against
the request contract, planned into typed searches, and then handed to the one decision pipeline
(``sanctuary.enforce``): decide -> fetch -> record durably -> release. Status codes:

- 200 permit (the records, redacted as the decision says);
- 403 deny by rule; 422 deny of a request that cannot be decided as asked (names the field);
- 503 fail closed: the policy, the store or the log failed, or the deadline passed; no data.

Every decision response carries the request id, the log index and the handling caveat.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.requests import Request as HttpRequest
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.staticfiles import StaticFiles

from sanctuary import config, web
from sanctuary.enforce import Pipeline, refused, request_id_of
from sanctuary.gateway import openapi
from sanctuary.gateway.credentials import KeyRing, Principal, Role
from sanctuary.gateway.decisions import DecisionIndex
from sanctuary.gateway.fulfil import Fulfilment, Step, plan
from sanctuary.gateway.limits import MAX_BODY, RateLimiter, read_body
from sanctuary.gateway.problems import Problem, problem_handler, validation_handler
from sanctuary.gateway.routes_admin import add_admin_routes
from sanctuary.gateway.routes_audit import add_audit_routes
from sanctuary.gateway.services import Policy, Reopening, Unavailable, load_policy
from sanctuary.gateway.users import UserBook
from sanctuary.models import Decision, Request, RequestError, parse_request
from sanctuary.records import RecordStore, open_store

CAVEAT = (
    "Police records are released for criminal law enforcement only (MCC 2-173, 5 ILCS 805): do not "
    "re-disseminate them or use them for civil immigration enforcement. Every decision, and what it "
    "released, is recorded in the decision log."
)
DATA_KINDS = ("database_query", "custody_inquiry")
log = logging.getLogger("sanctuary.gateway")


@dataclass
class GatewayConfig:
    profiles: list[str] = field(default_factory=lambda: ["chicago-2021"])
    params: dict[str, list[str]] = field(default_factory=dict)
    agencies: list[Path] = field(default_factory=list)
    store_url: str | None = None
    log_url: str | None = None
    keys: KeyRing = field(default_factory=KeyRing)
    users: UserBook = field(default_factory=UserBook)  # people who sign in to the pages
    rate: float = 50.0  # requests/s per key; 0 turns the limit off
    burst: float | None = None
    timeout: float = 2.0  # seconds from parsed request to answer
    max_body: int = MAX_BODY
    threads: int = 16
    tiles_dir: Path = field(default_factory=lambda: config.home() / "tiles")  # published log tiles
    routes: Any = None  # a proxy.routes.RouteMap: mounts the /v1/authz hook for NGINX and Envoy
    upstream: str | None = None  # the department system answering the routes' facts calls


def event(level: int, name: str, **fields: Any) -> None:
    """One structured log line: a JSON object with the event name and its fields."""
    if log.isEnabledFor(level):
        log.log(level, json.dumps({"event": name, **fields}, default=str))


class _Attempt(threading.local):
    """What went wrong while handling the current request (one per worker thread): 503 vs 4xx."""

    failure: str | None = None


class _Recorder:
    """The decision log as the pipeline sees it, opened on demand; notes a failure in the attempt."""

    def __init__(self, log_service: Reopening[Any], attempt: _Attempt) -> None:
        self.log_service = log_service
        self.attempt = attempt

    def record(self, request: Request, decision: Decision, disclosed: list[dict] | None = None) -> int:
        try:
            return self.log_service.get().record(request, decision, disclosed)
        except Exception as exc:
            self.attempt.failure = f"decision log unavailable: {exc}"
            raise


class _Fulfil:
    """The pipeline's fulfil step, noting a store failure in the attempt."""

    def __init__(self, store_service: Reopening[RecordStore], steps: list[Step], deadline: float, attempt: _Attempt) -> None:
        self.store_service, self.steps, self.deadline, self.attempt = store_service, steps, deadline, attempt

    def __call__(self, request: Request, decision: Decision) -> tuple[Any, list[dict]]:
        try:
            return Fulfilment(self.store_service.get(), self.steps, self.deadline)(request, decision)
        except Exception as exc:
            self.attempt.failure = f"store unavailable: {exc}"
            raise


class Gateway:
    """The pipeline and its services; one per process, shared by the worker threads."""

    def __init__(self, cfg: GatewayConfig, policy: Policy | None = None) -> None:
        self.cfg = cfg
        self.policy = policy or load_policy(cfg.profiles, cfg.params, cfg.agencies)
        self.store: Reopening[RecordStore] = Reopening("store", lambda: open_store(cfg.store_url))
        self.log: Reopening[Any] = Reopening("decision log", lambda: _open_log(cfg.log_url))
        self.attempt = _Attempt()
        self.recorder = _Recorder(self.log, self.attempt)
        # One pipeline per process: its decision cache is shared by every worker thread.
        self.pipeline = Pipeline(self.policy.engine, self.recorder) if self.policy.engine is not None else None
        self.index = DecisionIndex(self.store.get)
        self.limiter = RateLimiter(cfg.rate, cfg.burst)
        self.executor = ThreadPoolExecutor(cfg.threads, thread_name_prefix="gateway")
        self.metrics = CollectorRegistry()
        self.decided = Counter(
            "sanctuary_gateway_decisions", "Decisions answered, by outcome and HTTP status", ["decision", "status"], registry=self.metrics
        )
        self.rejected = Counter(
            "sanctuary_gateway_rejected", "Requests refused before a decision, by status", ["status"], registry=self.metrics
        )
        self.latency = Histogram(
            "sanctuary_gateway_decision_seconds",
            "Time from body read to answer",
            registry=self.metrics,
            buckets=(0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )

    # -- who is asking -----------------------------------------------------------------------
    def authenticate(self, http: HttpRequest, roles: tuple[Role, ...]) -> Principal:
        header = http.headers.get("authorization")
        if not header:
            raise Problem(401, "Authorization", "missing; send Authorization: Bearer <key>", headers={"WWW-Authenticate": "Bearer"})
        scheme, _, key = header.partition(" ")
        principal = self.cfg.keys.authenticate(key.strip()) if scheme.lower() == "bearer" else None
        if principal is None:
            event(logging.WARNING, "unknown_key", path=http.url.path, client=http.client.host if http.client else None)
            raise Problem(401, "Authorization", "unknown or malformed key", headers={"WWW-Authenticate": "Bearer"})
        if principal.role not in roles:
            raise Problem(403, "Authorization", f"a {principal.role} key may not do this; it needs {' or '.join(roles)}")
        return principal

    def parse(self, raw: bytes, principal: Principal) -> Request:
        """The request as the contract reads it, with the requester agency taken from the key."""
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise Problem(400, "body", f"not JSON: {exc}") from None
        if not isinstance(body, dict):
            raise Problem(422, "body", "must be a JSON object (a request)")
        if principal.role == "agency":
            requester = body.get("requester", {})
            if not isinstance(requester, dict):
                raise Problem(422, "requester", "must be an object")
            claimed = requester.get("agency")
            if claimed is not None:
                resolved = self.policy.registry.resolve(claimed) if isinstance(claimed, str) else None
                if resolved is None or resolved.id != principal.agency:
                    event(
                        logging.WARNING, "agency_mismatch", key_id=principal.key_id, key_agency=principal.agency, claimed=str(claimed)[:200]
                    )
                    raise Problem(
                        403,
                        "requester.agency",
                        f"this key belongs to {principal.agency}; it cannot make requests as {str(claimed)[:200]!r}",
                    )
            body["requester"] = {**requester, "agency": principal.agency}
        try:
            return parse_request(body)
        except RequestError as exc:
            raise Problem(422, exc.field, exc.reason) from None

    # -- decide, fetch, record ---------------------------------------------------------------
    def handle(self, request: Request, steps: list[Step], deadline: float) -> tuple[int, dict[str, Any]]:
        """Runs in a worker thread; returns the HTTP status and body. The log entry is durable first."""
        attempt = self.attempt
        attempt.failure = None
        if self.pipeline is None:
            decision = self._refusal(request, self.policy.error or "policy: not loaded")
            try:
                decision.log_index = self.recorder.record(request, decision, None)
            except Exception:
                decision.error = f"{decision.error}; {attempt.failure}"
            status, result = 503, None
        else:
            fulfil = _Fulfil(self.store, steps, deadline, attempt) if request.kind.value in DATA_KINDS else None
            outcome = self.pipeline.handle(request, fulfil)
            decision, result = outcome.decision, outcome.result
            status = _status(decision, attempt)
        body = answer(request.id, decision, result if status == 200 else None)
        if decision.log_index is not None:
            self.index.add(decision.log_index, decision.id, decision.requester, status, {k: v for k, v in body.items() if k != "result"})
        if status == 503:
            event(
                logging.ERROR,
                "fail_closed",
                request_id=request.id,
                requester=decision.requester,
                log_index=decision.log_index,
                reason=decision.error,
            )
        else:
            event(
                logging.INFO,
                "decision",
                request_id=request.id,
                requester=decision.requester,
                decision=decision.decision,
                status=status,
                log_index=decision.log_index,
            )
        return status, body

    def record_refusal(self, raw: bytes, problem: Problem) -> int:
        """Record a request refused before it could be decided: the hash of its bytes, the field, the reason."""
        decision = refused(
            request_id_of(raw),
            f"{problem.field}: {problem.reason}",
            profiles=self.policy.profiles,
            policy_hash=self.pipeline.engine.policy_hash if self.pipeline else "",
        )
        return self.log.get().record_refusal(raw, decision)

    def _refusal(self, request: Request, reason: str) -> Decision:
        return refused(request.id, reason, profiles=self.policy.profiles, explanation=f"Denied: {reason}; nothing was handed out.")

    def timeout_answer(self, request: Request) -> dict[str, Any]:
        reason = f"timeout: no answer within {self.cfg.timeout:g} s"
        return answer(request.id, self._refusal(request, reason), None)

    def warm_up(self) -> None:
        """Open the store and the log now (a failure is only reported: requests will retry), then
        move every object alive at start out of the garbage collector's reach. Without the freeze,
        each full collection walks the policy engine, the schemas and the SQL metadata, pausing every
        request in flight for tens of milliseconds (docs/benchmarks.md, "gateway")."""
        for service in (self.store, self.log):
            try:
                service.get()
            except Unavailable as exc:
                event(logging.ERROR, "unavailable_at_start", reason=str(exc))
        gc.collect()
        gc.freeze()

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        self.index.close()
        self.store.close(RecordStore.close)
        self.log.close(lambda opened: opened.close())


def _open_log(url: str | None) -> Any:
    from sanctuary.audit import open_log

    return open_log(url)


def _status(decision: Decision, attempt: _Attempt) -> int:
    if attempt.failure is not None or (decision.error or "").startswith("policy evaluation error"):
        return 503
    if decision.decision == "permit":
        return 200
    return 422 if decision.error else 403


def answer(request_id: str, decision: Decision, result: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "request_id": request_id,
        "log_index": decision.log_index,
        "decision": decision.model_dump(exclude_none=True),
        "caveat": CAVEAT,
    }
    if result is not None:
        body["result"] = result
    return body


def _json(status: int, body: dict[str, Any]) -> Response:
    headers = {"X-Log-Index": str(body["log_index"])} if body.get("log_index") is not None else None
    return Response(json.dumps(body), status_code=status, media_type="application/json", headers=headers)


def add_api_docs(app: FastAPI) -> None:
    """Swagger UI at /docs from assets shipped in a package, not a CDN: it works on a closed network."""
    assets = Path(fastapi_offline.__file__).parent / "static"  # Swagger UI 5 (OpenAPI 3.1), MIT
    app.mount("/static/swagger-ui", StaticFiles(directory=assets), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="sanctuary gateway — API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui/favicon.png",
        )


def create_app(cfg: GatewayConfig, policy: Policy | None = None) -> FastAPI:
    gw = Gateway(cfg, policy)
    app = FastAPI(
        title="sanctuary gateway",
        version="1",
        summary=__doc__.splitlines()[0],
        description=openapi.DESCRIPTION,
        docs_url=None,
        redoc_url=None,
    )
    app.state.gateway = gw
    app.add_exception_handler(Problem, problem_handler)
    app.add_exception_handler(RequestValidationError, validation_handler)
    app.router.add_event_handler("startup", gw.warm_up)
    app.router.add_event_handler("shutdown", gw.close)

    @app.post(
        "/v1/requests",
        openapi_extra=openapi.REQUEST_BODY,
        responses=openapi.DECISION_RESPONSES,
        summary="Decide a request and, if permitted, release the records",
    )
    async def post_request(http: HttpRequest) -> Response:
        loop = asyncio.get_running_loop()
        raw: bytes | None = None
        try:
            principal = gw.authenticate(http, ("agency", "desk"))
            gw.limiter.check(principal.key_id)
            raw = await read_body(http, cfg.max_body)
            started = time.perf_counter()
            request = gw.parse(raw, principal)
            steps = plan(request)
        except Problem as problem:
            gw.rejected.labels(str(problem.status)).inc()
            if raw is not None:  # read from an authenticated caller, then refused: recorded like any decision
                try:
                    problem.extra["log_index"] = await loop.run_in_executor(gw.executor, gw.record_refusal, raw, problem)
                except Exception as exc:
                    raise Problem(503, "log", f"decision log unavailable: {exc}; the request was refused and not recorded") from None
            raise
        work = loop.run_in_executor(gw.executor, gw.handle, request, steps, time.monotonic() + cfg.timeout)
        try:
            status, body = await asyncio.wait_for(work, cfg.timeout)
        except TimeoutError:
            status, body = 503, gw.timeout_answer(request)
            event(logging.ERROR, "fail_closed", request_id=request.id, reason=body["decision"]["error"])
        gw.latency.observe(time.perf_counter() - started)
        gw.decided.labels(body["decision"]["decision"], str(status)).inc()
        return _json(status, body)

    @app.get(
        "/v1/decisions/{request_id}",
        responses=openapi.LOOKUP_RESPONSES,
        summary="The latest decision answered for a request id (an agency sees its own only)",
    )
    def get_decision(request_id: str, http: HttpRequest) -> Response:
        principal = gw.authenticate(http, ("agency", "desk", "oversight", "admin"))
        try:
            found = gw.index.find(request_id, principal.agency if principal.role == "agency" else None)
        except Exception as exc:
            raise Problem(503, "store", str(exc)) from None
        if found is None:
            raise Problem(404, "request_id", f"no decision for {request_id[:128]!r} visible to this key")
        return _json(200, found)

    @app.get("/healthz", summary="Whether policy, store and log are all available")
    def healthz() -> JSONResponse:
        checks = {
            "policy": "ok" if gw.policy.engine is not None else gw.policy.error,
            "store": gw.store.status(RecordStore.ping),
            "log": gw.log.status(lambda opened: opened.size()),
        }
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ok" if ok else "fail", "checks": checks}, status_code=200 if ok else 503)

    @app.get("/metrics", summary="Prometheus metrics", response_class=Response)
    def metrics() -> Response:
        return Response(generate_latest(gw.metrics), media_type=CONTENT_TYPE_LATEST)

    add_audit_routes(app)
    add_admin_routes(app)
    if cfg.routes is not None:
        from sanctuary.proxy.authz import add_authz_routes

        add_authz_routes(app, cfg.routes, cfg.upstream)
    app.include_router(web.pages(gw))
    add_api_docs(app)
    app.mount("/static", StaticFiles(directory=web.STATIC), name="static")
    openapi.install(app)
    return app
