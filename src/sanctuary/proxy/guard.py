"""What the proxy and the authorization hook share: a call on a department system, made a request
of the contract, decided by the one pipeline, and recorded before anything is answered.

- `Guard.authorize` (NGINX `auth_request`, Envoy `ext_authz`): decides and records; the web server
  then forwards the call untouched. A hook cannot filter a body, so a call whose answer would carry
  a category the decision withholds is denied, naming the category and pointing to the proxy.
- `Guard.forward` (`sanctuary proxy`): decides, forwards a permitted call, removes every withheld
  category from the answer (`proxy.egress`), records what left, and only then answers.

A call no route matches is refused and recorded (the SHA-256 of its method and URI), never forwarded.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sanctuary.errors import SanctuaryError
from sanctuary.events import Events
from sanctuary.gateway.answers import keep_held, status_of
from sanctuary.gateway.held import HELD_HEADER, HeldQueue, waits
from sanctuary.models import Decision, Failure, Request, RequestError, Unreadable, parse_request
from sanctuary.pipeline import Pipeline, RequestPath, refused
from sanctuary.policy.categories import vocabulary
from sanctuary.proxy import egress
from sanctuary.proxy.routes import Match, Route, RouteMap
from sanctuary.proxy.upstream import Failed, TimedOut, TooLarge, Upstream

PURPOSE_HEADERS = {
    "purpose": "x-sanctuary-purpose",
    "purpose_category": "x-sanctuary-purpose-category",
    "case_number": "x-sanctuary-case-number",
    "on_behalf_of": "x-sanctuary-on-behalf-of",
}
SANCTUARY_HEADER = "x-sanctuary-"
RawHeaders = Sequence[tuple[bytes, bytes]]  # a call's headers as received (ASGI `headers`)
PROXY_HINT = "an authorization hook cannot remove fields from an answer: send this call through `sanctuary proxy` (docs/deploy.md)"
MAX_ANSWER = 8 * 1024 * 1024  # bytes read from a department system for one call
event = Events("sanctuary.proxy")


class UpstreamError(SanctuaryError):
    """The department system failed the call (error, unreadable or unexpected answer, no answer in time)."""

    def __init__(self, field: str, reason: str, failure: Failure = Failure.upstream) -> None:
        super().__init__(field, reason)
        self.failure = failure


@dataclass
class CallAnswer:
    """The answer to one call: status, the decision, and (proxy, permitted) the filtered body."""

    status: int
    decision: Decision
    body: Any = None  # JSON value to release (proxy permit only)
    withheld: list[str] = field(default_factory=list)  # categories removed from (proxy) or blocking (hook) the answer
    unmapped: int = 0


class Guard:
    """One per process, shared by the worker threads."""

    def __init__(
        self,
        routes: RouteMap,
        path: RequestPath,
        *,
        upstream: Upstream | None = None,
        held: HeldQueue | None = None,
        channel: str = "proxy",
    ) -> None:
        """`path` decides (facts about a subject from its fact source) and records (its log);
        `upstream` is the department system the proxy forwards permitted calls to; `held` the
        gateway's held queue (the same $SANCTUARY_HOME), where a held call waits for the desk
        under `channel` ("proxy", or "authz" for the hook)."""
        self.routes = routes
        self.path = path
        self.upstream = upstream
        self.held = held
        self.channel = channel
        self.vocab = vocabulary()

    # -- the call as a request ---------------------------------------------------------------
    def prepare(self, agency: str, method: str, uri: str, headers: Mapping[str, str]) -> tuple[Match, Request]:
        """The route of a call and the request it is; `Unmapped` or `RequestError` name what is wrong.
        Facts about the subject are the path's to look up (its fact source), never the caller's."""
        found = self.routes.match(method, uri)
        return found, build_request(found, agency, headers, new_request_id())

    # -- the hook ----------------------------------------------------------------------------
    def authorize(self, agency: str, method: str, uri: str, raw_headers: RawHeaders, by: str = "") -> CallAnswer:
        """Decide and record a call that the web server will forward untouched if this permits it.
        `raw_headers`: the call's, as received; `by`: who made it (the key), for the held queue."""
        try:
            headers = sanctuary_headers(raw_headers)
            found, request = self.prepare(agency, method, uri, headers)
            decision = self.decide(request, headers)
        except RequestError as exc:
            return self.refuse(method, uri, exc)
        blocking: list[str] = []
        disclosed = None
        if decision.decision == "permit":
            carried = found.route.response.carried()
            blocking = sorted(c for c in carried if self.vocab.covered(c, decision.redact))
            if blocking:
                decision = self._blocked(decision, found.route, blocking)
            else:
                disclosed = [{"record_id": f"route:{found.route.name}", "fields": sorted(carried)}]
        if self.path.log is not None:
            try:
                decision.log_index = self.path.record(request, decision, disclosed)
            except Exception as exc:  # unrecorded means not acted on
                self._spent(request, headers, False)
                return CallAnswer(503, _failed(decision, f"decision log unavailable: {exc}", Failure.log))
        self._queue(request, decision, by)
        self._spent(request, headers, decision.decision == "permit" and method.upper() != "HEAD")  # a HEAD gets no data
        return CallAnswer(status_of(decision), decision, withheld=blocking)

    # -- the proxy ---------------------------------------------------------------------------
    def forward(self, agency: str, method: str, uri: str, raw_headers: RawHeaders, by: str = "") -> CallAnswer:
        """Decide; forward a permitted call; filter its answer; record what leaves; then answer.
        `raw_headers`: the call's, as received; `by`: who made it (the key), for the held queue."""
        try:
            headers = sanctuary_headers(raw_headers)
            found, request = self.prepare(agency, method, uri, headers)
            decided = self.decide(request, headers)
        except RequestError as exc:
            return self.refuse(method, uri, exc)
        fetch = _Forward(self, found)
        outcome = self.path.act(request, decided, fetch)
        decision = outcome.decision
        self._queue(request, decision, by)
        status = status_of(decision)
        handed_out = status == 200 and fetch.filtered is not None and fetch.status == 200 and method.upper() != "HEAD"
        self._spent(request, headers, handed_out)
        if status != 200 or fetch.filtered is None:
            return CallAnswer(status, decision)
        if fetch.status != 200:  # the system answered (e.g. 404) but handed nothing out
            return CallAnswer(fetch.status, decision)
        filtered = fetch.filtered
        if filtered.unmapped:
            event(logging.WARNING, "unmapped_removed", route=found.route.name, count=len(filtered.unmapped), paths=filtered.unmapped[:20])
        if filtered.nonscalar:  # the system drifted, or was compromised: worth a look
            event(logging.ERROR, "nonscalar_removed", route=found.route.name, count=len(filtered.nonscalar), paths=filtered.nonscalar[:20])
        return CallAnswer(200, decision, filtered.body, sorted(filtered.removed), len(filtered.unmapped))

    # -- held calls --------------------------------------------------------------------------
    def decide(self, request: Request, headers: Mapping[str, str]) -> Decision:
        """The decision on a call. A call that names a held one (HELD_HEADER) is the repeat of a
        call the desk reviewed and allowed: taken once (`HeldQueue.redeem`, RequestError if it is
        not that), it is decided as reviewed and names the held one; the rules still decide it."""
        reference = headers.get(HELD_HEADER)
        if reference is None:
            return self.path.decide(request)
        if self.held is None or not isinstance(self.path, Pipeline):
            raise RequestError(HELD_HEADER, "no held queue here: the header cannot be honoured")
        try:
            self.held.redeem(reference, request)
        except RequestError:
            raise
        except Exception as exc:  # a claim that cannot be checked is not honoured
            raise RequestError(HELD_HEADER, f"the held queue could not be read ({type(exc).__name__}); the call is not forwarded") from None
        decision = self.path.decide(request, reviewed=True)
        note = f" Repeats held call {reference}, allowed at the desk after review."
        return decision.model_copy(update={"resolves": reference, "explanation": decision.explanation + note})

    def _spent(self, request: Request, headers: Mapping[str, str], handed_out: bool) -> None:
        """A repeat of a held call (taken by `decide`) that handed nothing out gives its allowance back."""
        reference = headers.get(HELD_HEADER)
        if reference is not None and not handed_out and self.held is not None:
            try:
                self.held.give_back(reference, request)
            except Exception as exc:  # the allowance stays used: the safe side
                event(logging.ERROR, "allowance_not_given_back", reason=f"{type(exc).__name__}: {exc}")

    def _queue(self, request: Request, decision: Decision, by: str) -> None:
        """Put a recorded held call in the held queue, for the desk (`keep_held`)."""
        if self.held is not None and waits(decision):
            keep_held(self.held, request, decision, by or f"agency {request.requester.agency}", self.channel)

    # -- refusals ----------------------------------------------------------------------------
    def refuse(self, method: str, uri: str, exc: RequestError) -> CallAnswer:
        """A call that is not in the map, or cannot be made a request: refused, and recorded (the
        hash of its method and URI: the URI itself may hold anything)."""
        decision = refused(new_request_id(), str(exc), exc.failure, profiles=self.path.profiles, policy_hash=self.path.policy_hash)
        if self.path.log is not None:
            try:
                decision.log_index = self.path.log.record_refusal(f"{method} {uri}".encode(), decision)
            except Exception as log_exc:
                return CallAnswer(503, _failed(decision, f"decision log unavailable: {log_exc}", Failure.log))
        return CallAnswer(status_of(decision), decision)

    def _blocked(self, decision: Decision, route: Route, blocking: list[str]) -> Decision:
        """The deny of a permit whose answer would carry a withheld category: cites the rules that withhold."""
        engine = self.path.engine if isinstance(self.path, Pipeline) else None
        forbids = [r for r in decision.rules if engine is not None and r in engine.rules and engine.rules[r].effect == "forbid"]
        # of those, the rules about the categories that block (a leaf, or its group, named in the rule)
        names = {f'Category::"{n}"' for c in blocking for n in (c, self.vocab.categories[c].group) if n}
        about = [r for r in forbids if engine is not None and any(n in engine.rules[r].text for n in names)]
        forbids = about or forbids
        citations = list(dict.fromkeys(engine.rules[r].citation for r in forbids)) if engine is not None else decision.citations
        return decision.model_copy(
            update={
                "decision": "deny",
                "rules": forbids,
                "citations": citations or decision.citations,
                "explanation": (
                    f"Denied: the answer of {route.where} carries {', '.join(blocking)}, which "
                    f"{decision.requester} may not receive; {PROXY_HINT}."
                ),
            }
        )


class _Forward:
    """The pipeline's fetch step for one proxied call: forward it, read the answer (streamed, up to
    MAX_ANSWER bytes), filter it, and say what leaves. Runs only for a permit, before recording."""

    def __init__(self, guard: Guard, found: Match) -> None:
        self.guard, self.found = guard, found
        self.filtered: egress.Filtered | None = None
        self.status = 200

    def __call__(self, request: Request, decision: Decision) -> tuple[Any, list[dict[str, Any]]]:
        upstream = self.guard.upstream
        if upstream is None:
            raise UpstreamError("upstream", "no department system is configured")
        route = self.found.route
        try:  # the target as decided; a HEAD is forwarded as a GET: its answer is checked too
            answer = upstream.get(self.found.target, MAX_ANSWER, {"x-sanctuary-decision-id": request.id})
        except TimedOut as exc:
            raise UpstreamError("upstream", f"{route.where}: {exc.reason}", Failure.upstream_timeout) from None
        except (Failed, TooLarge) as exc:
            raise UpstreamError("upstream", f"{route.where}: {exc.reason}; nothing is handed out") from None
        if answer.status >= 500 or answer.status < 200 or 300 <= answer.status < 400:
            raise UpstreamError("upstream", f"{route.where}: the system answered {answer.status}")
        if answer.status >= 400:  # e.g. 404: passed on, with nothing of the system's body
            self.status = answer.status
            self.filtered = egress.Filtered(body=None)
            return None, []
        raw = answer.body
        try:
            doc = egress.parse(raw, route.response)
        except egress.ShapeError as exc:
            event(logging.ERROR, "unexpected_answer", route=route.name, reason=exc.reason)
            raise UpstreamError("upstream", f"{route.where}: {exc.reason}") from None
        self.filtered = egress.apply(doc, route.response, decision.redact, self.guard.vocab)
        item: dict[str, Any] = {"record_id": self.filtered.record_id or f"route:{route.name}", "fields": sorted(self.filtered.disclosed)}
        if self.filtered.removed:
            item["withheld"] = sorted(self.filtered.removed)
        if self.filtered.unmapped:
            item["unmapped_removed"] = len(self.filtered.unmapped)
        if self.filtered.nonscalar:
            item["nonscalar_removed"] = len(self.filtered.nonscalar)
        return self.filtered.body, [item]


def sanctuary_headers(raw: RawHeaders) -> dict[str, str]:
    """The call's `X-Sanctuary-*` headers (lowercased names), each read as UTF-8. One given twice
    (`Purpose: armed robbery` and `Purpose: removal for ICE`) or not UTF-8 (read as latin-1, a
    Cyrillic look-alike would pass the screen as mojibake) makes the call unreadable: `Unreadable`
    names the header."""
    found: dict[str, str] = {}
    for name_bytes, value in raw:
        name = name_bytes.decode("latin-1").lower()
        if not name.startswith(SANCTUARY_HEADER):
            continue
        if name in found:
            raise Unreadable(name, "given more than once; give it once, the call is not forwarded")
        try:
            found[name] = value.decode("utf-8")
        except UnicodeDecodeError:
            raise Unreadable(name, "not UTF-8; the call is not forwarded") from None
    return found


def build_request(found: Match, agency: str, headers: Mapping[str, str], request_id: str) -> Request:
    """The request of the contract a matched call is: the requester from the key, the rest from the
    route and the call; the purpose from the X-Sanctuary-* headers or the mapped query parameters."""
    route = found.route
    purpose: dict[str, str] = {}
    for part, header in PURPOSE_HEADERS.items():
        value = headers.get(header)
        if value is not None and part in found.purpose and found.purpose[part] != value:
            raise RequestError(header, f"the query parameter for {part} says otherwise; give it once")
        value = value if value is not None else found.purpose.get(part)
        if value is not None:
            purpose[part] = value
    body: dict[str, Any] = {
        "id": request_id,
        "kind": route.kind.value,
        "requester": {"agency": agency},
        "purpose": {
            k: v
            for k, v in (
                ("text", purpose.get("purpose")),
                ("category", purpose.get("purpose_category")),
                ("case_number", purpose.get("case_number")),
            )
            if v is not None
        },
        "resource": {"system": route.system, "fields": list(route.fields)},
        "subject": _fill(route.subject, found.params),
    }
    search = _fill(route.search, found.params)
    if search:
        body["resource"]["search"] = search
    if purpose.get("on_behalf_of"):
        body["on_behalf_of"] = purpose["on_behalf_of"]
    return parse_request(body)


def _fill(template: Mapping[str, str], params: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for key, value in template.items():
        if value.startswith("{") and value.endswith("}"):
            if value[1:-1] in params:
                out[key] = params[value[1:-1]]
        else:
            out[key] = value
    return out


def new_request_id() -> str:
    return f"px-{int(time.time())}-{secrets.token_hex(6)}"


def _failed(decision: Decision, reason: str, failure: Failure) -> Decision:
    return decision.model_copy(
        update={"decision": "deny", "error": reason, "failure": failure, "explanation": f"Denied: {reason}; nothing was handed out."}
    )
