"""Public audit endpoints: the signed checkpoint, inclusion proofs and entries of the decision log.

Entries hold no personal value (codes, vocabulary names, keyed hashes), so all of this can be published; the clear text
stays behind the admin endpoint.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from starlette.responses import JSONResponse, PlainTextResponse, Response

from sanctuary.gateway.problems import Problem
from sanctuary.gateway.services import Unavailable

if TYPE_CHECKING:  # the gateway mounts these routes: no import at run time
    from sanctuary.audit import DecisionLog
    from sanctuary.gateway.app import Gateway

T = TypeVar("T")
MAX_INDEX = 2**62  # log indices are 64-bit in both stores
Index = Annotated[int, PathParam(ge=0, le=MAX_INDEX, description="0-based entry index")]
CHECKPOINT_CACHE = "public, max-age=2"  # C2SP tlog-tiles: the checkpoint may be cached for seconds
TILE_CACHE = "public, max-age=31536000, immutable"  # a tile's bytes never change


def open_log_or_503(gw: Gateway) -> DecisionLog:
    """The gateway's decision log, or 503 saying why it is unavailable."""
    try:
        return gw.log.get()
    except Unavailable as exc:
        raise Problem(503, "log", str(exc)) from None


def audit_call(call: Callable[[], T]) -> T:
    """Run a log operation; the log's own errors name the field (index, size) or the log."""
    from sanctuary.audit import AuditError

    try:
        return call()
    except AuditError as exc:
        status = 503 if exc.field in ("log", "key", "checkpoint") else 404 if exc.field == "index" else 422
        raise Problem(status, exc.field, exc.reason) from None


def _accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding header asks for gzip (and does not refuse it with q=0)."""
    for item in header.lower().split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip() in ("gzip", "*"):
            q = params.strip().removeprefix("q=")
            return not q or q.strip() not in ("0", "0.0", "0.00", "0.000")
    return False


def tile_response(decision_log: DecisionLog, path: str, accept_encoding: str) -> Response:
    """A tile or entry bundle read from the log: immutable, so cached for long; bundles gzipped when asked."""
    from sanctuary.audit import AuditError
    from sanctuary.audit.tiles import parse_tile, read_tile

    try:
        tile = parse_tile(path)
        data = read_tile(decision_log, tile, decision_log.size())
    except AuditError as exc:
        if exc.field != "path":
            raise Problem(503, exc.field, exc.reason) from None
        raise Problem(404, "path", f"no tile {path[:200]!r}: {exc.reason}") from None
    headers = {"Cache-Control": TILE_CACHE}
    if tile[0] == "entries":
        headers["Vary"] = "Accept-Encoding"
        if _accepts_gzip(accept_encoding):
            data, headers["Content-Encoding"] = gzip.compress(data, compresslevel=6, mtime=0), "gzip"
    return Response(data, media_type="application/octet-stream", headers=headers)


def add_audit_routes(app: FastAPI) -> None:
    """The public audit routes over the gateway mounted on ``app`` (``app.state.gateway``)."""
    gw: Gateway = app.state.gateway

    def checkpoint_response() -> PlainTextResponse:
        return PlainTextResponse(gw.signer.checkpoint(open_log_or_503(gw)), headers={"Cache-Control": CHECKPOINT_CACHE})

    @app.get("/v1/audit/checkpoint", response_class=PlainTextResponse, summary="The signed checkpoint (C2SP tlog-checkpoint, signed note)")
    def checkpoint() -> PlainTextResponse:
        return checkpoint_response()

    @app.get(
        "/v1/audit/tiles/checkpoint",
        response_class=PlainTextResponse,
        summary="The checkpoint of the log as a C2SP tlog-tiles tree",
    )
    def tiles_checkpoint() -> PlainTextResponse:
        return checkpoint_response()

    @app.get("/v1/audit/tiles/{path:path}", summary="A tile or entry bundle (C2SP tlog-tiles), read from the log")
    def tile(path: str, request: Request) -> Response:
        return tile_response(open_log_or_503(gw), path, request.headers.get("accept-encoding", ""))

    @app.get("/v1/audit/proof/{index}", summary="Inclusion proof of entry `index` (base64 hashes)")
    def proof(index: Index, size: int | None = Query(default=None, ge=0, le=MAX_INDEX)) -> JSONResponse:
        decision_log = open_log_or_503(gw)
        return JSONResponse(audit_call(lambda: decision_log.prove(index, size)).to_json())

    @app.get("/v1/audit/entries/{index}", summary="The exact bytes of entry `index` (canonical JSON)")
    def entry(index: Index) -> Response:
        decision_log = open_log_or_503(gw)
        return Response(audit_call(lambda: decision_log.entry(index)), media_type="application/json")
