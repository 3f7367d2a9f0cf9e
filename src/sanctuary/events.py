"""Structured log lines: one JSON object per event, with its name and fields, on a named logger
(`sanctuary.gateway`, `sanctuary.proxy`, `sanctuary.web`)."""

from __future__ import annotations

import json
import logging
from typing import Any


class Events:
    """The events of one logger: `events(level, name, **fields)` writes one line, if enabled."""

    def __init__(self, logger: str) -> None:
        self.log = logging.getLogger(logger)

    def __call__(self, level: int, name: str, /, **fields: Any) -> None:
        if self.log.isEnabledFor(level):
            self.log.log(level, json.dumps({"event": name, **fields}, default=str))
