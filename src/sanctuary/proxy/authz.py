"""`/v1/authz` on `sanctuary serve --routes FILE`: the authorization hook for NGINX and Envoy.

- NGINX `auth_request`: the subrequest (to `/v1/authz` itself) carries the client's headers
  (`Authorization`, the `X-Sanctuary-*` purpose headers) and `X-Original-Method` /
  `X-Original-URI` (`$request_uri`), set in the config.
- Envoy `ext_authz` (HTTP service): the check request has the original method, and the original
  path after the configured `path_prefix` (`/v1/authz`), with the allowed headers; any
  `X-Original-*` header is ignored.

The target is decided as the department system will read it, and refused when it may be read as
another call (`proxy.target`: a fragment, a `;` path parameter, a dot segment...).

200 (empty body) with `X-Sanctuary-Decision-Id` and `X-Sanctuary-Log-Index` to pass upstream; 401
no or unknown key; 403 a deny (the decision as JSON, with its clauses), a call no route matches or
that cannot be made a request (its own status, e.g. 422, in `X-Sanctuary-Status`), or a permit
whose answer would carry a withheld category (named in `X-Sanctuary-Withheld`: a hook cannot filter
a body, so such calls go through `sanctuary proxy`); 503 fail closed. Every decided call is
recorded before the answer leaves.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from functools import partial

from fastapi import FastAPI
from starlette.requests import Request as HttpRequest
from starlette.responses import Response

from sanctuary.gateway.app import DirectRoute, Gateway, GatewayAPI
from sanctuary.gateway.credentials import AGENCY_ROLES
from sanctuary.models import RequestError, Unreadable
from sanctuary.proxy.app import decision_body, decision_headers
from sanctuary.proxy.facts import SystemFacts
from sanctuary.proxy.guard import Guard
from sanctuary.proxy.routes import RouteMap
from sanctuary.proxy.upstream import Upstream

PREFIX = "/v1/authz"
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def authz_hook(routes: RouteMap, upstream: str | None = None) -> Callable[[GatewayAPI], Guard]:
    """The hook as a mount of `GatewayConfig.mounts` (`sanctuary serve --routes`)."""
    return partial(add_authz_routes, routes=routes, upstream=upstream)


def add_authz_routes(app: FastAPI, routes: RouteMap, upstream: str | None = None, timeout: float = 2.0) -> Guard:
    """Mount the hook on the gateway `app`; `upstream` (optional) answers the route map's facts call."""
    gw: Gateway = app.state.gateway
    client = Upstream(upstream, timeout=timeout) if upstream else None
    # Its own path: facts about a subject come from the department system the routes are on (not
    # the gateway's records store); without --upstream they are unknown, the restrictive reading.
    facts = SystemFacts(routes.facts, client) if client is not None and routes.facts is not None else None
    guard = Guard(routes, gw.policy.pipeline(gw.recorder, facts), upstream=client, held=gw.held, channel="authz")
    app.state.authz = guard
    if client is not None:
        app.router.add_event_handler("shutdown", client.close)

    async def authz(http: HttpRequest) -> Response:
        principal = gw.authenticate(http, AGENCY_ROLES)  # 401 / 403 as a problem, not recorded
        await gw.limiter.take(principal.key_id)  # 429, as on /v1/requests
        assert principal.agency is not None  # authenticate refuses an agency key that names no agency
        loop = asyncio.get_running_loop()
        by = f"key {principal.key_id}"
        try:
            method, uri = original_call(http)
        except RequestError as exc:  # refused, and recorded
            verdict = await loop.run_in_executor(gw.executor, guard.refuse, http.method, http.url.path, exc)
        else:
            verdict = await loop.run_in_executor(gw.executor, guard.authorize, principal.agency, method, uri, http.headers.raw, by)
        headers = decision_headers(verdict)
        gw.decided.labels(verdict.decision.decision, str(verdict.status), "authz").inc()
        if verdict.status == 200:
            return Response(status_code=200, headers=headers)
        # NGINX reads only 2xx, 401 and 403 (anything else is its 500): every refusal that is not a
        # failure is a 403 here, its own status in X-Sanctuary-Status and the body
        status = verdict.status if verdict.status >= 500 else 403
        headers["X-Sanctuary-Status"] = str(verdict.status)
        return Response(json.dumps(decision_body(verdict)), status_code=status, media_type="application/json", headers=headers)

    summary = "Authorization hook for NGINX auth_request and Envoy ext_authz: decide and record a call on a department system"
    app.add_api_route(PREFIX, authz, methods=METHODS, summary=summary, include_in_schema=True)
    app.add_api_route(PREFIX + "/{path:path}", authz, methods=METHODS, summary=summary + " (Envoy: original path after the prefix)")
    if isinstance(app, GatewayAPI):  # called on every call a department system answers: served directly
        app.serve_directly(DirectRoute(PREFIX, frozenset(METHODS), authz, prefix=True))
    return guard


def original_call(http: HttpRequest) -> tuple[str, str]:
    """The method and target of the call to decide. NGINX (the check is on PREFIX itself): its
    `X-Original-Method` and `X-Original-URI` (`$request_uri`, the target as the client sent it);
    Envoy (PREFIX + the original path): the check request's own method and target, and never an
    `X-Original-*` header, which a client could have sent through a config that forwards it."""
    raw_path = http.scope["raw_path"].decode("latin-1")
    if raw_path != PREFIX:  # Envoy
        uri = raw_path[len(PREFIX) :] or "/"
        if http.scope.get("query_string"):
            uri += "?" + http.scope["query_string"].decode("latin-1")
        return http.method, uri
    uris, methods = http.headers.getlist("x-original-uri"), http.headers.getlist("x-original-method")
    if not uris:
        raise RequestError("x-original-uri", "missing: the web server must pass the original request target ($request_uri)")
    for name, given in (("x-original-uri", uris), ("x-original-method", methods)):
        if len(given) > 1:
            raise Unreadable(name, "given more than once; the call is not forwarded")
    return (methods[0] if methods else http.method), uris[0]
