"""sanctuary: executable, verifiable sanctuary rules for outside requests to police data.

The public API (see docs/api.md)::

    import sanctuary

    pipeline = sanctuary.open_pipeline(profiles=["chicago-2021"], log=sanctuary.open_log("decisions.db"))
    decision = pipeline.decide(request)  # a sanctuary.Request, or its JSON

Every error the package raises derives from `sanctuary.SanctuaryError` (`field`, `reason`). Names
are imported on first use, so `import sanctuary` stays cheap for the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sanctuary.lazy import exports

__version__ = "0.1.0"

if TYPE_CHECKING:
    from sanctuary.api import Decider, open_pipeline
    from sanctuary.audit.log import DecisionLog, open_log
    from sanctuary.errors import SanctuaryError
    from sanctuary.models import Decision, Failure, Request, RequestError

_HOMES = {
    "open_pipeline": "sanctuary.api",
    "Decider": "sanctuary.api",
    "open_log": "sanctuary.audit.log",
    "DecisionLog": "sanctuary.audit.log",
    "SanctuaryError": "sanctuary.errors",
    "Request": "sanctuary.models",
    "Decision": "sanctuary.models",
    "Failure": "sanctuary.models",
    "RequestError": "sanctuary.models",
}
__all__ = [
    "Decider",
    "Decision",
    "DecisionLog",
    "Failure",
    "Request",
    "RequestError",
    "SanctuaryError",
    "open_log",
    "open_pipeline",
]


__getattr__, __dir__ = exports(__name__, _HOMES)
