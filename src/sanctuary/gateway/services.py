"""What the gateway stands on, opened fail-closed: the policy engine, the records store, the log.

A store or log that cannot be opened at start (or goes away later) does not stop the service: every
request that needs it is denied with 503 and the reason, and the gateway tries again (at most once a
second) until it answers. A policy set that does not load denies every request the same way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from sanctuary.agencies import Registry, load_registry
from sanctuary.errors import SanctuaryError
from sanctuary.pipeline import Log, Pipeline, RequestPath, Unloaded, load_pipeline
from sanctuary.policy.engine import PolicyEngine
from sanctuary.policy.facts import FactSource
from sanctuary.policy.profiles import PROFILES

T = TypeVar("T")
RETRY_SECONDS = 1.0


class Unavailable(SanctuaryError):
    """A service the request needs is not there; the reason says which and why."""

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(what, reason)
        self.args = (f"{what} unavailable: {reason}",)  # read as one phrase: "store unavailable: ..."


class Reopening(Generic[T]):
    """A service opened on first use and reopened after a failure, at most once per RETRY_SECONDS."""

    def __init__(self, what: str, opener: Callable[[], T]) -> None:
        self.what = what
        self._opener = opener
        self._value: T | None = None
        self._error = "not opened yet"
        self._next_try = 0.0
        self._lock = threading.Lock()

    def get(self) -> T:
        value = self._value
        if value is not None:
            return value
        with self._lock:
            if self._value is None:
                if time.monotonic() < self._next_try:
                    raise Unavailable(self.what, self._error)
                try:
                    self._value = self._opener()
                except Exception as exc:  # any failure to open means: not available, say why
                    self._error = str(exc) or type(exc).__name__
                    self._next_try = time.monotonic() + RETRY_SECONDS
                    raise Unavailable(self.what, self._error) from exc
            return self._value

    def status(self, check: Callable[[T], object]) -> str:
        """ "ok", or why the service is not available: not open, or open but failing ``check``."""
        try:
            check(self.get())
        except Unavailable as exc:
            return str(exc)
        except Exception as exc:  # opened earlier, failing now
            return f"{self.what} unavailable: {exc}"
        return "ok"

    def close(self, closer: Callable[[T], None]) -> None:
        with self._lock:
            if self._value is not None:
                closer(self._value)
                self._value = None


@dataclass(frozen=True)
class Policy:
    """The law in force, built once (`load_pipeline`): its pipeline, or the path that denies every
    request with the reason the policy set did not load. Each door serves it (`pipeline`)."""

    built: RequestPath

    @property
    def engine(self) -> PolicyEngine | None:
        return self.built.engine if isinstance(self.built, Pipeline) else None

    @property
    def error(self) -> str | None:
        return self.built.error if isinstance(self.built, Unloaded) else None

    @property
    def profiles(self) -> list[str]:
        return self.built.profiles

    @property
    def registry(self) -> Registry:
        return self.built.registry

    def pipeline(self, log: Log = None, facts: FactSource | None = None) -> RequestPath:
        """The request path under this policy, as built: facts about a subject from `facts`, the
        department's records (a body's facts and documents are claims), decisions recorded to `log`;
        (not loaded) the path that denies and records every request with the reason."""
        return self.built.serving(log, facts)


def load_policy(
    profiles: list[str],
    params: dict[str, list[str]],
    agencies: list[Path],
    *,
    jurisdiction: str | None = None,
    declarations: Path | None = None,
    root: Path = PROFILES,
) -> Policy:
    """Load the registry and the law in force: a jurisdiction (with `profiles` composed on top), or
    the profiles alone (from ``root``). A registry that does not load is a startup error
    (``RegistryError``); a policy set that does not load gives a Policy that denies everything."""
    registry = load_registry(agencies)
    return Policy(load_pipeline(profiles, registry, params, jurisdiction=jurisdiction, declarations=declarations, root=root))
