"""Who signs the log's checkpoints, and when.

One process on SQLite signs when the checkpoint is fetched, at most once every CHECKPOINT_SECONDS.
Replicas on one PostgreSQL log choose one signer through the database (`sanctuary.audit.lease`):
every replica renews or tries to take the lease every RENEW_SECONDS; the holder signs whenever the
log grew (so an acknowledged entry is covered by a signed checkpoint within a second or two, whoever
fetches) and has it cosigned; the others answer fetches with the newest checkpoint stored. A
signer that lost the lease while frozen finds out when its checkpoint is refused, and stores nothing.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from sanctuary.gateway.problems import Problem
from sanctuary.gateway.services import Reopening

if TYPE_CHECKING:
    from sanctuary.audit import DecisionLog
    from sanctuary.audit.cosign import Cosigner
    from sanctuary.audit.lease import SignerLease

CHECKPOINT_SECONDS = 1.0  # sign at most once a second, however often the checkpoint is fetched
log = logging.getLogger("sanctuary.gateway")


def _event(level: int, name: str, **fields: Any) -> None:
    """One structured log line, as the gateway writes them: a JSON object with the event's name."""
    if log.isEnabledFor(level):
        log.log(level, json.dumps({"event": name, **fields}, default=str))


def _problem(exc: Exception) -> Problem:
    from sanctuary.audit import AuditError

    if isinstance(exc, AuditError):
        status = 503 if exc.field in ("log", "key", "checkpoint", "signer") else 422
        return Problem(status, exc.field, exc.reason)
    return Problem(503, "log", str(exc))


class CheckpointSigner:
    """Signs checkpoints of the gateway's log (this process alone, or the lease holder among replicas)."""

    def __init__(self, decision_log: Reopening[DecisionLog], log_url: str, cosigner: Cosigner | None = None) -> None:
        self.log = decision_log
        self.cosigner = cosigner  # when witnesses are configured
        self.lease: SignerLease | None = None
        if log_url.startswith(("postgresql://", "postgres://")):
            from sanctuary.audit.lease import SignerLease

            self.lease = SignerLease(log_url)
        self._lock = threading.Lock()
        self._note = ""
        self._at = -CHECKPOINT_SECONDS
        self._signed = -1  # the size of the last checkpoint this process signed
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- the replicas' loop -------------------------------------------------------------------
    def start(self) -> None:
        """Among replicas: renew the lease and sign while the log grows, in a daemon thread."""
        if self.lease is None or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="checkpoint-signer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from sanctuary.audit.lease import RENEW_SECONDS

        while not self._stop.is_set():
            try:
                self.tick()
            except Exception as exc:  # noqa: BLE001 - logged; the next tick tries again
                _event(logging.WARNING, "signer_tick_failed", reason=str(exc))
            self._stop.wait(RENEW_SECONDS)

    def tick(self) -> None:
        """Renew (or take) the lease; as the signer, sign if the log grew since the last checkpoint."""
        assert self.lease is not None
        was = self.lease.fence
        fence = self.lease.renew()
        if fence != was:
            _event(logging.INFO, "signer_lease", replica=self.lease.holder, signer=fence is not None, epoch=fence.epoch if fence else None)
        if fence is None:
            return
        decision_log = self.log.get()
        if decision_log.size() > self._signed:
            with self._lock:
                self._sign(decision_log)

    # --- fetching -----------------------------------------------------------------------------
    def is_signer(self) -> bool:
        return self.lease is None or self.lease.fence is not None

    def checkpoint(self, decision_log: DecisionLog) -> str:
        """The latest signed checkpoint; with witnesses, the latest one they cosigned (it may lag).
        The signer signs one first, another replica reads the newest one stored: either at most
        once every CHECKPOINT_SECONDS, however often it is fetched."""
        with self._lock:
            if time.monotonic() - self._at >= CHECKPOINT_SECONDS:
                if self.is_signer():
                    self._sign(decision_log)
                else:
                    self._note = self._stored(decision_log)
                self._at = time.monotonic()
            return self._note

    def _sign(self, decision_log: DecisionLog) -> None:
        """Sign the tree as it is (have it cosigned) and keep the note fetches are answered with."""
        from sanctuary.audit import AuditError

        try:
            note = decision_log.checkpoint(self.lease.fence if self.lease is not None else None)
        except AuditError as exc:
            if exc.field != "signer" or self.lease is None:
                raise _problem(exc) from None
            self.lease.fence = None  # lost while frozen or cut off: another replica signs
            _event(logging.WARNING, "signer_refused", reason=exc.reason)
            self._note = self._stored(decision_log)
            return
        self._signed = int(note.split("\n")[1])
        self._note = self._cosigned(decision_log, note) if self.cosigner is not None else note

    def _cosigned(self, decision_log: DecisionLog, note: str) -> str:
        """The note cosigned by the witnesses' quorum or, while they do not reach it, the newest
        stored checkpoint they did cosign (the cosigned checkpoint lags; the cosigner says since when)."""
        from sanctuary.audit import AuditError

        assert self.cosigner is not None
        try:
            return self.cosigner.cosign(decision_log, note)
        except AuditError as exc:
            if exc.field != "witnesses":
                raise _problem(exc) from None
        return self._stored(decision_log)

    def _stored(self, decision_log: DecisionLog) -> str:
        """The newest checkpoint stored (with witnesses, the newest their quorum cosigned), or 503."""
        from sanctuary.audit import AuditError

        try:
            if self.cosigner is not None:
                note = decision_log.latest_cosigned([w.vkey for w in self.cosigner.witnesses], self.cosigner.quorum)
                why = f"no checkpoint cosigned yet: {self.cosigner.last_error or 'the signer has not had one cosigned'}"
            else:
                note, why = decision_log.latest_checkpoint(), "no checkpoint signed yet"
        except AuditError as exc:
            raise _problem(exc) from None
        if note is None:
            raise Problem(503, "witnesses" if self.cosigner is not None else "checkpoint", why)
        return note

    def status(self) -> dict[str, Any]:
        """For /readyz: whether this process signs the checkpoints, and as which replica and epoch."""
        if self.lease is None:
            return {"signer": True}
        fence = self.lease.fence
        return {"signer": fence is not None, "replica": self.lease.holder, "epoch": fence.epoch if fence else None}

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.lease is not None:
            self.lease.close()
