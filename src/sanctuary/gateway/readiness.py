"""Readiness (`/readyz`): whether this process can record decisions and read the store *now*.

`/healthz` stays a liveness check (the process answers), so a full disk never causes a restart
loop; `/readyz` answers 503 while appends or store reads fail, so a load balancer stops sending
traffic, and 200 again once they work.

Two sources, because neither alone tells the truth:

- probes, run at most once per PROBE_SECONDS: the log's `probe` (a rolled-back dry run of an
  append plus one small committed write: disk full, read-only, locked, unreachable, damaged tree)
  and the store's `ping`;
- the outcome of real requests: an append or a store read that failed in the last GRACE_SECONDS
  keeps the check failing even if the probe passes, so a failure the probe cannot see still takes
  the process out of rotation (and it is probed again once the grace has passed); one that worked
  since ends the failure at once (`succeeded`): back in rotation as soon as the log takes appends.

Each failing check says since when (the first failure of the current run of failures).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

PROBE_SECONDS = 1.0
GRACE_SECONDS = 5.0


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class _State:
    since: float | None = None  # wall-clock time of the first failure in the current run
    reason: str = ""
    last_real_failure: float = float("-inf")  # monotonic
    probed_at: float = float("-inf")  # monotonic
    probe_ok: bool = False


class Readiness:
    """Failures seen by requests plus probes, per named check ("log", "store")."""

    def __init__(self, probes: dict[str, Callable[[], str]]) -> None:
        """`probes`: per check, a function that answers "ok" or why not."""
        self._probes = probes
        self._states = {name: _State() for name in probes}
        self._lock = threading.Lock()

    def failed(self, name: str, reason: object) -> None:
        """A real request could not append (or read): out of rotation for GRACE_SECONDS at least."""
        with self._lock:
            state = self._states[name]
            state.last_real_failure = time.monotonic()
            state.reason = str(reason) or type(reason).__name__
            if state.since is None:
                state.since = time.time()

    def succeeded(self, name: str) -> None:
        """A real request appended (or read) after a failure: the check passes again now, without
        waiting out the grace or the next probe (a request that worked is the best probe)."""
        state = self._states[name]
        if state.last_real_failure == float("-inf") and state.probe_ok:  # the usual case: nothing to clear, no lock
            return
        with self._lock:
            state.last_real_failure = float("-inf")
            state.probe_ok, state.probed_at = True, time.monotonic()

    def report(self) -> tuple[bool, dict[str, Any]]:
        """(ready, {"status", "checks": {name: "ok" or the reason}, "since": {failing name: when}}),
        probing what has not been probed in the last PROBE_SECONDS or since a real request failed."""
        checks: dict[str, str] = {}
        since: dict[str, str] = {}
        for name, probe in self._probes.items():
            state = self._states[name]
            now = time.monotonic()
            # A probe taken before the last real failure does not speak for now: probe again.
            if now - state.probed_at >= PROBE_SECONDS or state.probed_at <= state.last_real_failure:
                try:
                    reason = probe()
                except Exception as exc:  # noqa: BLE001 - any failure is the answer
                    reason = str(exc) or type(exc).__name__
                ok = reason == "ok"
                with self._lock:
                    state.probed_at, state.probe_ok = now, ok
                    if not ok:
                        state.reason = reason
                        state.since = state.since or time.time()
            with self._lock:
                if state.probe_ok and now - state.last_real_failure >= GRACE_SECONDS:
                    state.since, state.reason = None, ""
                    checks[name] = "ok"
                else:
                    checks[name] = state.reason
                    since[name] = _iso(state.since or time.time())
        ready = not since
        return ready, {"status": "ok" if ready else "fail", "checks": checks, "since": since}
