"""Shared fixtures: the shipped registry, engines per profile composition, request builders."""

from __future__ import annotations

import functools

import pytest

from sanctuary.agencies import load_registry
from sanctuary.models import parse_request
from sanctuary.pipeline import Pipeline
from sanctuary.policy.engine import PolicyEngine

PROFILES = [
    "chicago-2012",
    "chicago-2019-mayoral",
    "chicago-2019-proposed-eo",
    "chicago-2021",
    "illinois-trust",
    "california",
    "washington",
    "oregon",
    "new-york-dmv",
]


@functools.cache
def registry():
    return load_registry()


@functools.cache
def pipeline_for(*profiles: str, params: tuple = (), trusted: bool = False) -> Pipeline:
    """A pipeline as the gateway runs it (the body's facts and documents are claims), or, with
    `trusted`, as the department's own tool (`sanctuary decide`) runs it."""
    return Pipeline(PolicyEngine.load(list(profiles), registry(), dict(params)), trusted=trusted)


def request(kind: str, agency: str, **fields) -> dict:
    """A request dict; keyword arguments are contract fields (purpose=..., subject=..., ...)."""
    return {"id": f"t-{kind}", "kind": kind, "requester": {"agency": agency}, **fields}


def decide(profiles, raw: dict, *, trusted: bool = True):
    """Decide as the department does by default (its facts and documents); `trusted=False` as the gateway."""
    profiles = (profiles,) if isinstance(profiles, str) else tuple(profiles)
    return pipeline_for(*profiles, trusted=trusted).decide(parse_request(raw))


@pytest.fixture
def reg():
    return registry()
