"""The pipeline every request takes: read -> resolve -> screen -> decide -> fulfil -> record.

One request path (`RequestPath.handle_raw`) serves `sanctuary decide`, the Python API, the gateway's
API and the request desk, so no rule exists twice. Data flows one way: nothing is handed out that
was not decided and recorded first, and any failure on the way (bad input, unknown agency, policy
error, log or store down, deadline) ends in a deny that says why, with its kind in
`Decision.failure` (set where it happens, never read back from the explanation).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sanctuary.agencies import Agency, Registry
from sanctuary.models import Decision, Failure, ForeignRequester, Request, RequestError, Unreadable, Unregistered, parse_request
from sanctuary.policy.engine import DEFAULT_DENY, Evaluation, PolicyEngine, Query
from sanctuary.policy.errors import PolicyError
from sanctuary.policy.facts import CUSTODY_TOPICS, Facts, derive
from sanctuary.policy.profiles import PROFILES
from sanctuary.screening import PurposeScreen, classify, screen

UNREGISTERED = "unregistered requester"
FAIL_CLOSED = "Fail closed: the request could not be decided"
DATA_KINDS = ("database_query", "custody_inquiry")
CACHE_LIMIT = 100_000


class Recorder(Protocol):
    """The decision log, as the pipeline sees it: durable when `record` returns."""

    def record(self, request: Request, decision: Decision, disclosed: list[dict[str, Any]] | None = None) -> int: ...

    def record_refusal(self, raw: bytes, decision: Decision) -> int: ...


# A fulfilment hands out data for a permitted decision: (result, disclosed [{record_id, fields}]).
Fulfil = Callable[[Request, Decision], tuple[Any, list[dict[str, Any]]]]
# Readies a parsed request for serving, before it is decided: its fulfil step (None: nothing to hand
# out). A request that cannot be served as asked raises RequestError naming the field: it is refused.
Prepare = Callable[[Request], Fulfil | None]


@dataclass(frozen=True)
class Parties:
    requester: Agency
    proxies: tuple[Agency, ...]  # on whose behalf: declared in on_behalf_of or named in the purpose


@dataclass
class Outcome:
    """A handled request: the decision, what it hands out, and (refused before deciding) the error."""

    decision: Decision
    result: Any = None
    request: Request | None = None  # None: the request could not be read
    refused: RequestError | None = None  # why it was refused before it was decided (field, reason)


class RequestPath:
    """Read -> decide -> fulfil -> record, for any way of deciding: the one path every entry point
    takes (CLI, gateway API, request desk), so a failure anywhere is a typed deny that is recorded."""

    registry: Registry
    log: Recorder | None
    profiles: list[str]
    policy_hash: str

    def decide(self, request: Request) -> Decision:
        raise NotImplementedError

    # -- read ------------------------------------------------------------------------------
    def read(self, raw: str | bytes, agency: str | None = None) -> Request:
        """The request in `raw`; RequestError names the field. With `agency` (the registry id a
        credential speaks for) the request is made in its name: a body naming another is refused."""
        if agency is None:
            return parse_request(raw)
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise Unreadable("body", f"not JSON: {exc}") from None
        if not isinstance(body, dict):
            raise RequestError("body", "must be a JSON object (a request)")
        requester = body.get("requester", {})
        if not isinstance(requester, dict):
            raise RequestError("requester", "must be an object")
        claimed = requester.get("agency")
        if claimed is not None:
            resolved = self.registry.resolve(claimed) if isinstance(claimed, str) else None
            if resolved is None or resolved.id != agency:
                raise ForeignRequester(
                    "requester.agency", f"this key belongs to {agency}; it cannot make requests as {str(claimed)[:200]!r}"
                )
        body["requester"] = {**requester, "agency": agency}
        return parse_request(body)

    def decide_raw(self, raw: str | bytes | dict[str, Any]) -> tuple[Request | None, Decision]:
        """Parse and decide one request; bad input is a deny naming the field, never an exception."""
        try:
            request = parse_request(raw)
        except RequestError as exc:
            return None, self.refusal(request_id_of(raw), exc)
        return request, self.decide(request)

    def refusal(self, request_id: str, exc: RequestError, citation: str = FAIL_CLOSED) -> Decision:
        return refused(request_id, str(exc), exc.failure, profiles=self.profiles, policy_hash=self.policy_hash, citation=citation)

    # -- record -> fulfil ------------------------------------------------------------------
    def handle_raw(self, raw: str | bytes, prepare: Prepare | None = None, *, agency: str | None = None) -> Outcome:
        """`handle` for bytes as received (see `read`): a request that cannot be read, or that
        `prepare` cannot serve, is refused before it is decided, and recorded too (its hash)."""
        try:
            request = self.read(raw, agency)
            fulfil = prepare(request) if prepare is not None else None
        except RequestError as exc:
            decision = self.refusal(request_id_of(raw), exc)
            if self.log is not None:
                data = raw.encode() if isinstance(raw, str) else raw
                try:
                    decision.log_index = self.log.record_refusal(data, decision)
                except Exception as log_exc:  # the refusal stands; say the log did not take it
                    decision = _fail(decision, f"decision log unavailable: {log_exc}", Failure.log, keep_citations=True)
            return Outcome(decision, refused=exc)
        return self.handle(request, fulfil)

    def handle(self, request: Request, fulfil: Fulfil | None = None) -> Outcome:
        """Decide, prepare what a permit hands out, record (durably), and only then release it."""
        decision = self.decide(request)
        result, disclosed = None, None
        if decision.decision == "permit" and fulfil is not None:
            try:
                result, disclosed = fulfil(request, decision)
            except TimeoutError as exc:  # the deadline passed while the store was asked
                decision = _fail(decision, f"timeout: {exc}", Failure.timeout)
                result, disclosed = None, None
            except Exception as exc:  # the store (or a proxied system) failed: deny, hand out nothing
                failure = getattr(exc, "failure", None)  # a fulfil step may name its own kind (upstream, upstream_timeout)
                decision = _fail(decision, str(exc) if failure else f"store unavailable: {exc}", failure or Failure.store)
                result, disclosed = None, None
        if self.log is not None:
            try:
                decision.log_index = self.log.record(request, decision, disclosed)
            except Exception as exc:  # unrecorded means not acted on
                return Outcome(_fail(decision, f"decision log unavailable: {exc}", Failure.log), request=request)
        return Outcome(decision, result, request)


class Unloaded(RequestPath):
    """The path under a policy set that did not load: every request is denied with the reason (a
    policy failure), and recorded like any other decision."""

    def __init__(self, profiles: list[str], registry: Registry, error: str, log: Recorder | None = None) -> None:
        self.profiles = profiles
        self.registry = registry
        self.error = error
        self.log = log
        self.policy_hash = ""

    def decide(self, request: Request) -> Decision:
        return refused(
            request.id,
            self.error,
            Failure.policy,
            profiles=self.profiles,
            explanation=f"Denied: the policy set did not load ({self.error}); nothing was handed out.",
        )


def load_pipeline(
    profiles: list[str],
    registry: Registry,
    params: dict[str, list[str]] | None = None,
    log: Recorder | None = None,
    *,
    root: Path = PROFILES,
) -> RequestPath:
    """The pipeline for `profiles`; if they do not load, the path that denies (and records) every
    request, saying why. A registry is loaded by the caller: one that does not load is a start-up error."""
    try:
        return Pipeline(PolicyEngine.load(profiles, registry, params or {}, root=root), log)
    except PolicyError as exc:
        return Unloaded(profiles, registry, f"policy: {exc}", log)


class Pipeline(RequestPath):
    """The path under a loaded policy set: resolve -> screen -> judge, with a decision cache."""

    def __init__(self, engine: PolicyEngine, log: Recorder | None = None, *, cache: bool = True):
        self.engine = engine
        self.registry = engine.registry
        self.profiles = engine.names
        self.policy_hash = engine.policy_hash
        self.log = log
        # Decisions repeat (real request streams do). The key holds every input _judge reads
        # except the request id, so a cached decision is the decision; tests compare both ways.
        self._cache: dict[tuple[Any, ...], Decision] | None = {} if cache else None

    # -- resolve -------------------------------------------------------------------------
    def resolve(self, request: Request, purpose: PurposeScreen) -> Parties:
        requester = self.registry.resolve(request.requester.agency)
        if requester is None:
            raise Unregistered("requester.agency", f"{UNREGISTERED}: {request.requester.agency!r}")
        proxies: list[Agency] = []
        if request.on_behalf_of:
            declared = self.registry.resolve(request.on_behalf_of)
            if declared is None:
                raise Unregistered("on_behalf_of", f"{UNREGISTERED}: {request.on_behalf_of!r}")
            proxies.append(declared)
        for agency_id in purpose.agencies:
            named = self.registry.resolve(agency_id)
            if named is None:
                raise RequestError("purpose.text", f"names agency {agency_id!r}, which is not in the registry")
            proxies.append(named)
        unique = tuple({a.id: a for a in proxies if a.id != requester.id}.values())
        if request.kind.value == "custody_inquiry":
            unknown = set(request.resource.fields) - set(CUSTODY_TOPICS)
            if unknown:
                raise RequestError("resource.fields", f"unknown custody topic(s) {sorted(unknown)}; use {', '.join(CUSTODY_TOPICS)}")
        return Parties(requester, unique)

    # -- screen --------------------------------------------------------------------------
    def facts(self, request: Request, parties: Parties, purpose: PurposeScreen) -> Facts:
        return derive(
            request,
            purpose=purpose,
            requester=parties.requester,
            proxies=parties.proxies,
            documents=[classify(d) for d in request.documents],
            dropped_carveouts=self.engine.dropped_carveouts,
        )

    # -- decide --------------------------------------------------------------------------
    def decide(self, request: Request) -> Decision:
        try:
            purpose = screen(request.purpose.text)
            parties = self.resolve(request, purpose)
            facts = self.facts(request, parties, purpose)
        except RequestError as exc:
            return self.refusal(request.id, exc, citation=UNREGISTERED if isinstance(exc, Unregistered) else FAIL_CLOSED)
        if self._cache is None:
            return self._judge(request, parties, facts)
        key = (parties.requester.id, tuple(a.id for a in parties.proxies), request.kind, request.resource.system, facts)
        template = self._cache.get(key)
        if template is None:
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            template = self._cache[key] = self._judge(request, parties, facts)
        return template.model_copy(update={"id": request.id})  # lists are never mutated in place

    def _judge(self, request: Request, parties: Parties, facts: Facts) -> Decision:
        action = request.kind.value
        acting = (parties.requester, *parties.proxies)
        judged = list(
            zip(acting, self.engine.evaluate_all([Query(a.id, action, request.resource.system or action) for a in acting], facts))
        )
        base = {
            "id": request.id,
            "profiles": self.engine.names,
            "policy_hash": self.engine.policy_hash,
            "requester": parties.requester.id,
            "on_behalf_of": [a.id for a in parties.proxies],
        }
        errors = [e for _, ev in judged for e in ev.errors]
        if errors:
            return self._unevaluable(errors[0], base)
        refused = [(a, ev) for a, ev in judged if not ev.allowed]
        if refused:
            return self._denial(refused, parties, base)
        redact, redact_rules, errors = self._redactions(action, acting, facts)
        if errors:
            return self._unevaluable(errors[0], base)
        rules = _unique([r for _, ev in judged for r in ev.rules] + redact_rules)
        withheld = f" Withheld: {', '.join(redact)}." if redact else ""
        return _decision(
            decision="permit",
            rules=rules,
            citations=self._citations(rules),
            redact=redact,
            explanation=f"Permitted: no rule of {' + '.join(self.engine.names)} forbids this request from {parties.requester.name}.{withheld}",
            **base,
        )

    def _unevaluable(self, error: str, base: dict[str, Any]) -> Decision:
        return _decision(
            decision="deny",
            citations=[FAIL_CLOSED],
            explanation="Denied: a rule could not be evaluated; the request fails closed.",
            error=f"policy evaluation error: {error}",
            failure=Failure.policy,
            **base,
        )

    def _denial(self, refused: list[tuple[Agency, Evaluation]], parties: Parties, base: dict[str, Any]) -> Decision:
        rules = _unique([r for _, ev in refused for r in ev.rules])
        if not rules:
            agency = refused[0][0]
            return _decision(
                decision="deny",
                citations=[DEFAULT_DENY],
                explanation=f"Denied: {agency.name} is not a registered law-enforcement agency, and no rule permits its requests.",
                **base,
            )
        first = self.engine.rules[rules[0]]
        agency = next(a for a, ev in refused if rules[0] in ev.rules)
        as_proxy = f" Judged as a request by {agency.name}, on whose behalf it is made." if agency is not parties.requester else ""
        more = f" {len(rules) - 1} more rule(s) also forbid it." if len(rules) > 1 else ""
        return _decision(
            decision="deny",
            rules=rules,
            citations=self._citations(rules),
            explanation=f"Denied: {first.explain} ({first.citation}).{as_proxy}{more}",
            **base,
        )

    def _redactions(self, action: str, acting: tuple[Agency, ...], facts: Facts) -> tuple[list[str], list[str], list[str]]:
        """Protected fields some acting agency may not receive: each is asked as `disclose`, in one engine call."""
        if action not in DATA_KINDS:
            return [], [], []
        queries = [Query(a.id, "disclose", field, "Field") for field in self.engine.fields for a in acting]
        redact: list[str] = []
        rules: list[str] = []
        errors: list[str] = []
        for query, ev in zip(queries, self.engine.evaluate_all(queries, facts)):
            errors += ev.errors
            if not ev.allowed:
                redact.append(query.resource)
                rules += [r for r in ev.rules if self.engine.rules[r].effect == "forbid"]
        return _unique(redact), _unique(rules), errors

    def _citations(self, rules: list[str]) -> list[str]:
        return _unique([self.engine.rules[r].citation for r in rules])


def _decision(**fields: Any) -> Decision:
    """A decision the pipeline built itself from checked parts: no second validation on the hot path."""
    return Decision.model_construct(**fields)


def refused(
    request_id: str,
    reason: str,
    failure: Failure,
    *,
    profiles: list[str],
    policy_hash: str = "",
    citation: str = FAIL_CLOSED,
    explanation: str | None = None,
) -> Decision:
    """The deny for a request that could not be decided: it cites why, `error` names the problem
    and `failure` its kind."""
    return _decision(
        id=request_id,
        decision="deny",
        citations=[citation],
        profiles=profiles,
        policy_hash=policy_hash,
        explanation=explanation or f"Denied: {reason}.",
        error=reason,
        failure=failure,
    )


def _fail(decision: Decision, reason: str, failure: Failure, *, keep_citations: bool = False) -> Decision:
    """`decision` turned into a deny because `reason` (of kind `failure`) happened after deciding."""
    update: dict[str, Any] = {
        "decision": "deny",
        "rules": [],
        "redact": [],
        "explanation": f"Denied: {reason}; nothing was handed out.",
        "error": reason if not keep_citations or not decision.error else f"{decision.error}; {reason}",
        "failure": failure,
        "log_index": None,
    }
    if not keep_citations:
        update["citations"] = [FAIL_CLOSED]
    return decision.model_copy(update=update)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def request_id_of(raw: str | bytes | dict[str, Any]) -> str:
    """The request id of an invalid request, if one can be read, so the error can be matched up."""
    try:
        obj = raw if isinstance(raw, dict) else json.loads(raw)
        rid = obj.get("id") if isinstance(obj, dict) else None
        return rid if isinstance(rid, str) and 0 < len(rid) <= 128 else "?"
    except (ValueError, TypeError):
        return "?"
