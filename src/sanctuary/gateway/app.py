"""The enforcement gateway: the only door from outside agencies to the department's records.

Each request is authenticated (the requester agency comes from the key) and limited; then its bytes
go to ``Gateway.submit``, the one way in for the API and the request desk alike: the decision
pipeline (``sanctuary.pipeline``) reads it against the contract, plans its typed searches, decides,
fetches, records durably, and only then releases. The HTTP status is a function of the decision
(``STATUS``, the one table):

- 200 permit (the records, redacted as the decision says);
- 403 deny by rule, a held request, or a body naming another agency than the key's;
- 400 not JSON; 422 a request that cannot be decided as asked (names the field);
- 503 fail closed: the policy, the store or the log failed, or the deadline passed; no data.

Every decision response carries the request id, the log index and the handling caveat.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import fastapi_offline
import orjson
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.metrics_core import Metric
from starlette.requests import Request as HttpRequest
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from sanctuary import config
from sanctuary.gateway import openapi
from sanctuary.gateway.answers import answer, event, keep_held, status_of
from sanctuary.gateway.credentials import ROLES, SUBMIT_ROLES, KeyRing, Principal, Refusal, Role, authenticate
from sanctuary.gateway.decisions import DecisionIndex
from sanctuary.gateway.fetch import StoreFetch, plan
from sanctuary.gateway.held import HeldQueue, waits
from sanctuary.gateway.limits import MAX_BODY, read_body
from sanctuary.gateway.problems import Problem, problem_handler, validation_handler
from sanctuary.gateway.readiness import Readiness
from sanctuary.gateway.recorder import LogRecorder, log_at, log_service
from sanctuary.gateway.routes_admin import add_admin_routes
from sanctuary.gateway.routes_audit import add_audit_routes
from sanctuary.gateway.services import Policy, Reopening, Unavailable, load_policy
from sanctuary.gateway.shared import rate_limiter
from sanctuary.gateway.signing import CheckpointSigner
from sanctuary.gateway.users import UserBook
from sanctuary.models import Decision, Document, Failure, Request, RequestError
from sanctuary.pipeline import DATA_KINDS, Fetch, Outcome, Pipeline, Prepare, Recorder, RequestPath, held_reference, refused, request_id_of
from sanctuary.records import RecordStore, open_store
from sanctuary.records.facts import StoreFacts
from sanctuary.wakeups import batched
from sanctuary.workers import replica_label

Channel = Literal["api", "desk"]  # how a request came: POST /v1/requests, or the request desk's form


@dataclass
class GatewayConfig:
    profiles: list[str] = field(default_factory=list)  # composed on top of the jurisdiction, or alone
    jurisdiction: str | None = None  # the law in force (None with no profiles: the configured default)
    declarations: Path | None = None  # 625 ILCS 5/2-130 declarations on file (CSV)
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
    witnesses: Path | None = None  # TOML [[witness]] url + vkey: publish only cosigned checkpoints
    quorum: int | None = None  # cosignatures required (default: every witness listed)
    # Mounted on the API once it is built, by whoever assembles the server: the /v1/authz hook for
    # NGINX and Envoy (`sanctuary.proxy.authz.authz_hook`), so the gateway never imports the proxy.
    mounts: list[Callable[[GatewayAPI], object]] = field(default_factory=list)


@dataclass(frozen=True)
class Submission:
    """What the gateway answered to one submitted request: the HTTP status, the JSON body, the
    decision, and the request as read (None when it could not be read)."""

    status: int
    body: dict[str, Any]
    decision: Decision
    request: Request | None = None
    refused: RequestError | None = None  # refused before it was decided: the field and the reason


class Gateway:
    """The pipeline and its services; one per process, shared by the worker threads."""

    def __init__(self, cfg: GatewayConfig, policy: Policy | None = None) -> None:
        self.cfg = cfg
        self.policy = policy or load_policy(
            cfg.profiles, cfg.params, cfg.agencies, jurisdiction=cfg.jurisdiction, declarations=cfg.declarations
        )
        self.store: Reopening[RecordStore] = Reopening("store", lambda: open_store(cfg.store_url))
        self.log = log_service(cfg.log_url)
        self.readiness = Readiness(
            {
                "policy": lambda: "ok" if self.policy.engine is not None else str(self.policy.error),
                "store": lambda: self.store.status(RecordStore.ping),
                "log": lambda: self.log.status(lambda opened: opened.probe()),
            }
        )
        self.cosigner = _cosigner(cfg)
        self.signer = CheckpointSigner(self.log, cfg.log_url or config.log_url(), self.cosigner)
        self.recorder: Recorder = LogRecorder(self.log, self.readiness)
        # One pipeline per process: its decision cache is shared by every worker thread. Under a
        # policy that did not load it denies (503) and records every request by itself. Facts about
        # a subject come from the department's records (the store); a body's are claims.
        self.pipeline: RequestPath = self.policy.pipeline(self.recorder, StoreFacts(self.store.get))
        self.index = DecisionIndex(self.store.get)
        self.held = HeldQueue(log=log_at(cfg.log_url), url=cfg.log_url or config.log_url())  # every held request, whichever way it came
        self.limiter = rate_limiter(cfg.log_url or config.log_url(), cfg.rate, cfg.burst)
        self.executor = ThreadPoolExecutor(cfg.threads, thread_name_prefix="gateway")
        self.metrics = CollectorRegistry()
        self.decided = Counter(
            "sanctuary_gateway_decisions",
            "Decisions answered, by outcome, HTTP status and channel",
            ["decision", "status", "channel"],
            registry=self.metrics,
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
        """The caller's principal (``credentials.authenticate``), or its refusal raised as a Problem."""
        found = authenticate(self.cfg.keys, http.headers.get("authorization"), roles)
        if isinstance(found, Refusal):
            if found.unknown:
                event(logging.WARNING, "unknown_key", path=http.url.path, client=http.client.host if http.client else None)
            raise Problem(found.status, found.field, found.reason, headers=found.headers)
        return found

    # -- the one way in ----------------------------------------------------------------------
    async def submit(self, raw: bytes, agency: str | None, channel: Channel, entered_by: str) -> Submission:
        """Read, decide, fetch, record and answer one request, by the deadline.

        `agency` is the registry id the caller's credential speaks for (an agency key), or None when
        the body names the requester (a desk key, or the request desk's form); `entered_by` says who
        (a key, a signed-in officer), for the held queue. A request that cannot be read is refused
        and recorded; one that does not finish by the deadline fails closed; one held is queued.
        A worker thread decides and fetches; the event loop waits for the log entry's commit, so no
        thread sleeps through it (docs/benchmarks.md), and answers only once it is durable. The
        loop is woken once for both, by the committer, for every request of its batch.
        """
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + self.cfg.timeout
        decided: Future[Outcome] = Future()
        work = self.executor.submit(self._decide_then_record, decided, raw, agency, deadline)
        try:
            async with asyncio.timeout(self.cfg.timeout):
                outcome = await batched(decided)  # one wake-up of this loop, with the rest of its commit
                submission = self._settle(outcome.settled())
                held = self._to_queue(submission)
                if held is not None:
                    await loop.run_in_executor(self.executor, keep_held, self.held, held, submission.decision, entered_by, channel)
        except TimeoutError:
            work.cancel()  # not decided if no worker took it up yet
            reason = f"timeout: no answer within {self.cfg.timeout:g} s"
            decision = refused(
                request_id_of(raw),
                reason,
                Failure.timeout,
                profiles=self.pipeline.profiles,
                policy_hash=self.pipeline.policy_hash,
                explanation=f"Denied: {reason}; nothing was handed out.",
            )
            submission = self._answer(Outcome(decision))
        self.latency.observe(time.perf_counter() - started)
        self.decided.labels(submission.decision.decision, str(submission.status), channel).inc()
        if submission.refused is not None:
            self.rejected.labels(str(submission.status)).inc()
        self._event(submission, channel)
        return submission

    def _decide_then_record(self, decided: Future[Outcome], raw: bytes, agency: str | None, deadline: float) -> None:
        """Runs in a worker thread: `decide`, its outcome handed to `decided` once its log entry is
        durable (or failed), by the committer with the rest of its batch; at once when nothing is
        recorded. The event loop waits for `decided` alone: it is woken once a request (a batch)."""
        try:
            outcome = self.decide(raw, agency, deadline)
        except BaseException as exc:  # noqa: BLE001 - handed to `submit`, as run_in_executor would
            decided.set_exception(exc)
            return
        if outcome.recording is None:
            decided.set_result(outcome)
        else:  # its error is the outcome's: settled()
            outcome.recording.add_done_callback(lambda _: decided.set_result(outcome))

    def decide(self, raw: bytes, agency: str | None, deadline: float) -> Outcome:
        """Runs in a worker thread: the pipeline's handling (the store's searches planned first), its
        log entry queued for the committer (`Outcome.recording`) rather than waited for."""
        return self.pipeline.handle_raw(raw, self._preparer(deadline), agency=agency, defer=True)

    def handle(self, raw: bytes, agency: str | None, deadline: float, channel: Channel, entered_by: str) -> Submission:
        """`submit` in the calling thread, without a deadline of its own: decided, recorded (waited
        for here), answered; a recorded decision goes into the lookup index too, and a held one into
        the held queue, whatever the channel."""
        submission = self._settle(self.decide(raw, agency, deadline).settled())
        held = self._to_queue(submission)
        if held is not None:
            keep_held(self.held, held, submission.decision, entered_by, channel)
        return submission

    @staticmethod
    def _to_queue(submission: Submission) -> Request | None:
        """The request to put in the held queue (`held.waits`), else None."""
        return submission.request if waits(submission.decision) else None

    def _settle(self, outcome: Outcome) -> Submission:
        """The answer to a settled outcome; a recorded decision, as answered but without the
        records, goes into the lookup index."""
        submission = self._answer(outcome)
        decision = submission.decision
        if decision.log_index is not None and submission.refused is None:
            looked_up = {k: v for k, v in submission.body.items() if k != "result"}
            self.index.add(decision.log_index, decision.id, decision.requester, submission.status, looked_up)
        return submission

    async def resolve_held(
        self, request: Request, held: Decision, documents: list[Document], officer: str, by: str, *, hand_out: bool = True
    ) -> Submission:
        """An officer (`by`; `officer` says who and how) verified the documents behind a held
        request of the held queue: the pipeline decides it again with them counted and records the
        second decision, which names the held one; a permit hands out what it allows, as `submit`
        would, unless not `hand_out` (a held call on a department system: what it asks for is not
        in the store; the agency repeats the call, `HeldQueue.redeem`). RequestError if the request
        is not the one held; see `_close_held` for the rest."""
        deadline = time.monotonic() + self.cfg.timeout

        def step(pipeline: Pipeline) -> Outcome:
            fetch = self._preparer(deadline)(request) if hand_out else None
            return pipeline.resolve_held(request, held, documents, officer, fetch)

        return await self._close_held(request, by, step)

    async def refuse_held(self, request: Request, held: Decision, officer: str, reason: str, by: str) -> Submission:
        """An officer (`by`; `officer` says who) closes a held request of the held queue without
        acting on it, saying why (`Pipeline.refuse_held`): the refusal is recorded, names the held
        one, and resolves the item; nothing is handed out."""
        return await self._close_held(request, by, lambda pipeline: pipeline.refuse_held(request, held, officer, reason))

    async def _close_held(self, request: Request, by: str, step: Callable[[Pipeline], Outcome]) -> Submission:
        """Run `step` (a second decision about a held request, recorded) for the held queue's item.
        The item is claimed first, so only one officer at a time decides it again
        (`HeldQueue.claim`: NotWaiting, naming it, for any other); the queue notes the second
        decision once it is recorded, and one that failed closed leaves the request waiting."""
        pipeline = self.pipeline
        if not isinstance(pipeline, Pipeline):  # the rules did not load: nothing can be decided again
            raise RequestError("policy", f"the rules are not loaded ({self.policy.error}); the request stays held")
        reference = held_reference(request)

        def work() -> Submission:
            claim = self.held.claim(reference, by)
            recorded: Decision | None = None
            try:
                submission = self._settle(step(pipeline))
                decision = submission.decision
                if decision.log_index is not None and decision.failure is None:
                    recorded = decision
            finally:
                self.held.settle(reference, claim, recorded, by)
            return submission

        submission = await asyncio.get_running_loop().run_in_executor(self.executor, work)
        self.decided.labels(submission.decision.decision, str(submission.status), "desk").inc()
        self._event(submission, "desk")
        return submission

    def _preparer(self, deadline: float) -> Prepare:
        def prepare(request: Request) -> Fetch | None:
            if request.kind.value not in DATA_KINDS:
                return None
            try:
                steps = plan(request)
            except Problem as problem:
                raise RequestError(problem.field, problem.reason) from None

            def fetch(req: Request, decision: Decision) -> tuple[Any, list[dict[str, Any]]]:
                try:
                    return StoreFetch(self.store.get(), steps, deadline)(req, decision)
                except Exception as exc:
                    if not isinstance(exc, TimeoutError):
                        self.readiness.failed("store", exc)
                    raise

            return fetch

        return prepare

    def _answer(self, outcome: Outcome) -> Submission:
        decision = outcome.decision
        status = status_of(decision)
        if outcome.refused is None:
            body = answer(decision.id, decision, outcome.result if status == 200 else None)
        elif decision.failure == Failure.log:
            body = {"error": {"field": "log", "reason": f"{decision.error}; the request was refused and not recorded"}}
        else:
            body = {"error": {"field": outcome.refused.field, "reason": outcome.refused.reason}, "log_index": decision.log_index}
        return Submission(status, body, decision, outcome.request, outcome.refused)

    def _event(self, submission: Submission, channel: Channel) -> None:
        decision = submission.decision
        if submission.status >= 500:
            event(
                logging.ERROR, "fail_closed", request_id=decision.id, channel=channel, log_index=decision.log_index, reason=decision.error
            )
        elif decision.failure == Failure.identity:
            event(logging.WARNING, "agency_mismatch", channel=channel, reason=decision.error)
        else:
            event(
                logging.INFO,
                "decision",
                request_id=decision.id,
                channel=channel,
                requester=decision.requester,
                decision=decision.decision,
                status=submission.status,
                log_index=decision.log_index,
            )

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
        self.signer.start()
        gc.collect()
        gc.freeze()

    def close(self) -> None:
        self.signer.close()
        self.executor.shutdown(wait=True)
        self.index.close()
        self.held.close()
        self.store.close(RecordStore.close)
        self.log.close(lambda opened: opened.close())


def _cosigner(cfg: GatewayConfig) -> Any:
    if cfg.witnesses is None:
        return None
    from sanctuary.audit.cosign import Cosigner, read_witnesses

    listed = read_witnesses(cfg.witnesses)
    return Cosigner(listed, cfg.quorum or len(listed), timeout=1.0)


class Labelled:
    """A registry's metrics with a `replica` label on every sample: replicas and workers behind one
    address are told apart, and the scraper sums them (Prometheus convention)."""

    def __init__(self, registry: CollectorRegistry, replica: str) -> None:
        self.registry, self.replica = registry, replica

    def collect(self) -> Iterator[Metric]:
        for family in self.registry.collect():
            labelled = Metric(family.name, family.documentation, family.type, family.unit)
            for sample in family.samples:
                labelled.add_sample(
                    sample.name, {**sample.labels, "replica": self.replica}, sample.value, sample.timestamp, sample.exemplar
                )
            yield labelled


def _json(status: int, body: dict[str, Any]) -> Response:
    headers = {"X-Log-Index": str(body["log_index"])} if body.get("log_index") is not None else None
    return Response(orjson.dumps(body), status_code=status, media_type="application/json", headers=headers)


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


Handler = Callable[[HttpRequest], Awaitable[Response]]


@dataclass(frozen=True)
class DirectRoute:
    """A declared route that `GatewayAPI` also serves directly: `path` exactly, or below it with
    `prefix`, for one of `methods`."""

    path: str
    methods: frozenset[str]
    handler: Handler
    prefix: bool = False

    def matches(self, method: str, path: str) -> bool:
        return method in self.methods and (path == self.path or (self.prefix and path.startswith(self.path + "/")))


class GatewayAPI(FastAPI):
    """The gateway's FastAPI application, whose busiest routes are served directly.

    ``POST /v1/requests`` carries almost every call an agency makes, and ``/v1/authz`` every call an
    NGINX or Envoy in front of a department system lets through. Each is answered by the same handler
    as its declared route (which stays in the OpenAPI document), but without the framework's
    middleware and dependency machinery, which cost about as much CPU per call as the store search
    (docs/benchmarks.md). The direct path does what that machinery would: a `Problem` becomes its
    JSON answer; any other exception propagates to the server, which answers 500 (nothing is handed
    out before the decision is recorded, so a failure here releases nothing).
    """

    direct: tuple[DirectRoute, ...] = ()

    def serve_directly(self, route: DirectRoute) -> None:
        self.direct = (*self.direct, route)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            route = next((r for r in self.direct if r.matches(scope["method"], scope["path"])), None)
            if route is not None:
                try:
                    response = await route.handler(HttpRequest(scope, receive))
                except Problem as problem:
                    response = problem.response()
                await response(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def create_api(cfg: GatewayConfig, policy: Policy | None = None) -> GatewayAPI:
    """The gateway's API (requests, decisions, audit, admin, health, metrics, docs). The pages are
    mounted on it one level up (``sanctuary.server``): the gateway knows nothing of them."""
    gw = Gateway(cfg, policy)
    app = GatewayAPI(
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
        try:
            principal = gw.authenticate(http, SUBMIT_ROLES)
            await gw.limiter.take(principal.key_id)
            raw = await read_body(http, cfg.max_body)
        except Problem as problem:
            gw.rejected.labels(str(problem.status)).inc()
            raise
        submission = await gw.submit(raw, principal.agency if principal.role == "agency" else None, "api", f"key {principal.key_id}")
        return _json(submission.status, submission.body)

    app.serve_directly(DirectRoute("/v1/requests", frozenset({"POST"}), post_request))

    @app.get(
        "/v1/decisions/{request_id}",
        responses=openapi.LOOKUP_RESPONSES,
        summary="The latest decision answered for a request id (an agency sees its own only)",
    )
    def get_decision(request_id: str, http: HttpRequest) -> Response:
        principal = gw.authenticate(http, ROLES)
        try:
            found = gw.index.find(request_id, principal.agency if principal.role == "agency" else None)
        except Exception as exc:
            raise Problem(503, "store", str(exc)) from None
        if found is None:
            raise Problem(404, "request_id", f"no decision for {request_id[:128]!r} visible to this key")
        return _json(200, found)

    @app.get("/healthz", summary="Liveness: the process answers (a full disk must not restart it)")
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/readyz", summary="Readiness: 503 while the policy, store reads or log appends fail, saying since when")
    def readyz() -> JSONResponse:
        ready, body = gw.readiness.report()
        body["recording"] = body["checks"]["log"] == "ok"
        body["signing"] = gw.signer.status()
        if gw.cosigner is not None:  # a witness that is down never makes the process unready
            body["cosigning"] = gw.cosigner.status()
        return JSONResponse(body, status_code=200 if ready else 503)

    @app.get("/metrics", summary="Prometheus metrics", response_class=Response)
    def metrics() -> Response:
        return Response(generate_latest(Labelled(gw.metrics, replica_label())), media_type=CONTENT_TYPE_LATEST)

    add_audit_routes(app)
    add_admin_routes(app)
    for mount in cfg.mounts:
        mount(app)
    add_api_docs(app)
    openapi.install(app)
    return app
