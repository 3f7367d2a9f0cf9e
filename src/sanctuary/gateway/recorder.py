"""The decision log as the request path sees it, for the gateway, the `/v1/authz` hook and
`sanctuary proxy`: opened on first use and reopened after a failure (`log_service`), and recorded
to through `LogRecorder`, for which the log failing takes the process out of rotation (`/readyz`).
"""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sanctuary import config
from sanctuary.gateway.readiness import Readiness
from sanctuary.gateway.services import Reopening
from sanctuary.models import Decision, Request
from sanctuary.pipeline import Followers
from sanctuary.recording import EntryRecorder

if TYPE_CHECKING:
    from sanctuary.audit import DecisionLog


def log_service(url: str | None) -> Reopening[DecisionLog]:
    """The decision log at `url` (a SQLite path or a postgresql:// URL; None: the default one),
    opened on first use: Unavailable, saying why, while it cannot be."""

    def opener() -> DecisionLog:
        from sanctuary.audit import open_log

        return open_log(url)

    return Reopening("decision log", opener)


def log_at(url: str | None) -> str:
    """The log `log_service(url)` records to, written the same way by every process that opens it
    (the gateway, the proxy): a SQLite file by its absolute path, a PostgreSQL database by its URL
    without a password (it is shown to staff)."""
    from sanctuary.audit.storage import shown

    url = url or config.log_url()
    if url.startswith(("postgresql://", "postgres://")):
        return shown(url)
    return str(Path(url.removeprefix("sqlite://")).resolve())


class LogRecorder:
    """The pipeline's `Recorder` over a log service (Unavailable when it cannot be opened); a failed
    append takes the process out of rotation (`/readyz`)."""

    def __init__(self, service: Reopening[DecisionLog], readiness: Readiness) -> None:
        self.service = service
        self.readiness = readiness

    def record(
        self, request: Request, decision: Decision, disclosed: list[dict[str, Any]] | None = None, then: Followers | None = None
    ) -> int:
        try:
            index = EntryRecorder(self.service.get()).record(request, decision, disclosed, then)
        except Exception as exc:
            self._noted(exc)
            raise
        self.readiness.succeeded("log")
        return index

    def record_later(
        self, request: Request, decision: Decision, disclosed: list[dict[str, Any]] | None = None, then: Followers | None = None
    ) -> Future[int]:
        try:
            recording = EntryRecorder(self.service.get()).record_later(request, decision, disclosed, then)
        except Exception as exc:
            self._noted(exc)
            raise
        recording.add_done_callback(self._settled)
        return recording

    def _settled(self, recording: Future[int]) -> None:
        error = recording.exception()
        if error is not None:
            self._noted(error)
        else:
            self.readiness.succeeded("log")

    def record_refusal(self, raw: bytes, decision: Decision) -> int:
        try:
            index = EntryRecorder(self.service.get()).record_refusal(raw, decision)
        except Exception as exc:
            self._noted(exc)
            raise
        self.readiness.succeeded("log")
        return index

    def _noted(self, exc: BaseException) -> None:
        """The log itself failing (not one entry it refused) takes the process out of rotation."""
        from sanctuary.audit import AuditError

        if not isinstance(exc, AuditError) or exc.field in ("log", "key"):
            self.readiness.failed("log", exc)
