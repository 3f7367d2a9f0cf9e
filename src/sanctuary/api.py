"""The public API behind ``sanctuary.open_pipeline``: decide requests from Python in one call.

    >>> import sanctuary
    >>> pipeline = sanctuary.open_pipeline(profiles=["chicago-2021"])
    >>> pipeline.decide({"id": "r1", "kind": "detention_hold", "requester": {"agency": "ICE-ERO"}}).decision
    'deny'

See docs/api.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sanctuary.agencies import load_registry
from sanctuary.models import Decision, Request
from sanctuary.pipeline import Log, RequestPath, build_pipeline
from sanctuary.policy.errors import PolicyError


class Decider:
    """A decision pipeline opened by `open_pipeline`: `decide` one request at a time."""

    def __init__(self, path: RequestPath) -> None:
        self._path = path

    @property
    def profiles(self) -> list[str]:
        """The profiles in force, in order."""
        return list(self._path.profiles)

    @property
    def policy_hash(self) -> str:
        return self._path.policy_hash

    def decide(self, request: Request | Mapping[str, Any] | str | bytes) -> Decision:
        """Decide one request (a `Request`, or its JSON as a mapping, text or bytes) and, with a log,
        record it before returning. A request that does not meet the contract is a deny whose
        `error` names the field and whose `failure` is `input`: never an exception, never a permit."""
        if isinstance(request, Request):
            return self._path.handle(request).decision
        raw = json.dumps(dict(request)) if isinstance(request, Mapping) else request
        return self._path.handle_raw(raw).decision


def open_pipeline(
    jurisdiction: str | None = None,
    profiles: Sequence[str] | None = None,
    log: Log = None,
    agencies: Sequence[str | Path] | None = None,
    params: Mapping[str, Sequence[str]] | None = None,
) -> Decider:
    """The decision pipeline for a jurisdiction (None: the configured default, see
    `sanctuary/policy/jurisdictions.toml`) or for explicit `profiles` (composed: any forbid wins).

    `log` (from `open_log`) records every decision before `decide` returns; None decides without
    recording. `agencies` are a department's own registry files (TOML); `params` set profile
    parameters (`{"PROFILE.NAME": [values]}`) and the department's (`{"baseline.NAME": [values]}`). Raises `PolicyError` (a `SanctuaryError`) when the
    jurisdiction is unknown or its profiles do not load, `RegistryError` when a registry file does
    not: nothing is decided under a policy that is not there.
    """
    if profiles is not None and jurisdiction is not None:
        raise PolicyError("profiles", "give a jurisdiction or profiles, not both")
    if profiles is not None and not list(profiles):
        raise PolicyError("profiles", "name at least one profile")
    registry = load_registry([Path(a) for a in agencies or []])
    given = {k: list(v) for k, v in (params or {}).items()}
    # a jurisdiction: its profiles and its home state ("out of state" is relative to it)
    return Decider(build_pipeline(list(profiles or []), registry, given, log, jurisdiction=jurisdiction))
