"""Public audit endpoints: the signed checkpoint, inclusion proofs and entries of the decision log.

Entries hold no personal value (codes, vocabulary names, keyed hashes), so all of this can be published; the clear text
stays behind the admin endpoint.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

from fastapi import FastAPI, Query
from fastapi import Path as PathParam
from starlette.responses import JSONResponse, PlainTextResponse, Response

from sanctuary.gateway.problems import Problem
from sanctuary.gateway.services import Unavailable

if TYPE_CHECKING:  # the gateway mounts these routes: no import at run time
    from sanctuary.audit import DecisionLog
    from sanctuary.audit.cosign import Cosigner
    from sanctuary.gateway.app import Gateway

T = TypeVar("T")
MAX_INDEX = 2**62  # log indices are 64-bit in both stores
Index = Annotated[int, PathParam(ge=0, le=MAX_INDEX, description="0-based entry index")]
CHECKPOINT_SECONDS = 1.0  # sign at most once a second, however often the checkpoint is fetched


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


class _Publisher:
    """Signs a checkpoint and publishes the tiles up to it, at most once every CHECKPOINT_SECONDS.

    Tiles are immutable once written, so a client holding an older checkpoint still finds the tiles
    (full and partial) that it needs.
    """

    def __init__(self, directory: Path, cosigner: Cosigner | None = None) -> None:
        self.directory = directory
        self.cosigner = cosigner  # when witnesses are configured
        self._lock = threading.Lock()
        self._note = ""
        self._at = -CHECKPOINT_SECONDS

    def checkpoint(self, decision_log: DecisionLog) -> str:
        """The latest signed checkpoint; with witnesses, the latest one they cosigned (it may lag)."""
        from sanctuary.audit.tiles import publish

        cosigner = self.cosigner
        with self._lock:
            if time.monotonic() - self._at >= CHECKPOINT_SECONDS:
                cosign = (lambda note: _cosign(cosigner, decision_log, note)) if cosigner is not None else None
                audit_call(lambda: publish(decision_log, self.directory, cosign))
                try:
                    self._note = (self.directory / "checkpoint").read_text(encoding="utf-8")
                except FileNotFoundError:  # with witnesses: none cosigned yet
                    why = cosigner.last_error if cosigner is not None else "no checkpoint was published"
                    raise Problem(503, "witnesses", f"no checkpoint cosigned yet: {why}") from None
                self._at = time.monotonic()
            return self._note

    def file(self, relative: str) -> bytes:
        path = (self.directory / relative).resolve()
        if not path.is_relative_to(self.directory.resolve()) or not path.is_file() or path.suffix == ".tmp":
            raise Problem(404, "path", f"no published tile {relative[:200]!r}; fetch the checkpoint first")
        return path.read_bytes()


def _cosign(cosigner: Cosigner, decision_log: DecisionLog, note: str) -> str | None:
    """The note cosigned by the witnesses' quorum, or None while they do not reach it."""
    from sanctuary.audit import AuditError

    try:
        return cosigner.cosign(decision_log, note)
    except AuditError as exc:
        if exc.field != "witnesses":
            raise
        return None  # the cosigned checkpoint lags; the cosigner says since when


def add_audit_routes(app: FastAPI) -> None:
    """The public audit routes over the gateway mounted on ``app`` (``app.state.gateway``)."""
    gw: Gateway = app.state.gateway
    publisher = _Publisher(gw.cfg.tiles_dir, gw.cosigner)

    @app.get("/v1/audit/checkpoint", response_class=PlainTextResponse, summary="The signed checkpoint (C2SP tlog-checkpoint, signed note)")
    def checkpoint() -> PlainTextResponse:
        return PlainTextResponse(publisher.checkpoint(open_log_or_503(gw)))

    @app.get(
        "/v1/audit/tiles/checkpoint",
        response_class=PlainTextResponse,
        summary="The checkpoint of the published C2SP tlog-tiles tree (publishes up to it)",
    )
    def tiles_checkpoint() -> PlainTextResponse:
        return PlainTextResponse(publisher.checkpoint(open_log_or_503(gw)))

    @app.get("/v1/audit/tiles/{path:path}", summary="A published tile or entry bundle (C2SP tlog-tiles)")
    def tile(path: str) -> Response:
        return Response(publisher.file(path), media_type="application/octet-stream")

    @app.get("/v1/audit/proof/{index}", summary="Inclusion proof of entry `index` (base64 hashes)")
    def proof(index: Index, size: int | None = Query(default=None, ge=0, le=MAX_INDEX)) -> JSONResponse:
        decision_log = open_log_or_503(gw)
        return JSONResponse(audit_call(lambda: decision_log.prove(index, size)).to_json())

    @app.get("/v1/audit/entries/{index}", summary="The exact bytes of entry `index` (canonical JSON)")
    def entry(index: Index) -> Response:
        decision_log = open_log_or_503(gw)
        return Response(audit_call(lambda: decision_log.entry(index)), media_type="application/json")
