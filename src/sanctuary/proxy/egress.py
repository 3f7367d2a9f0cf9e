"""What leaves through the proxy: a department system's JSON answer without the withheld categories.

This is the proxy's application of the decision (`Decision.redact`: leaf data categories, or
groups of them), placed by the route map's JSONPath queries. The rules, in order:

- an answer that cannot be read as one JSON value is withheld whole (`ShapeError`, the call fails
  closed): not JSON, a key repeated in one object (readers disagree on which value counts), NaN or
  Infinity or a number too large for a float (not JSON: it could not be passed on as JSON), nesting
  deeper than MAX_DEPTH; so is one that is not the route's shape (another root type, a required
  part missing);
- a value placed by the map is kept unless its category is withheld, and only if it is a scalar
  (string, number, boolean, null). A placed object or array is walked when the map places
  something more precisely inside it (its other values inherit its category, and must be scalars
  too); otherwise it is removed, its category listed as withheld and the value counted
  (`nonscalar`): `first_name: {"immigration_status": ...}` is a system that drifted or was
  compromised, and what it holds has no category;
- a value the map does not place is removed and counted: a vendor adding a field costs that field,
  not the service. An object or array with nothing placed inside goes whole (its keys may say
  something too); one on the way to a placed value stays, possibly empty. If it is not placed
  itself, only its members whose names the map writes stay (a member reached through `[*]` or `..`
  under another name is removed and counted: its name is the system's word, not the map's).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jsonpath_rfc9535.selectors import NameSelector

from sanctuary.errors import SanctuaryError
from sanctuary.policy.categories import Vocabulary, vocabulary
from sanctuary.proxy.routes import ResponseShape

Location = tuple[str | int, ...]
MAX_DEPTH = 64  # levels of nesting an answer may have: far beyond any record, far below the stack
_TOO_DEEP = f"the answer is nested deeper than {MAX_DEPTH} levels"
_DROP = object()


class ShapeError(SanctuaryError):
    """A department system's answer that cannot be checked field by field: it is withheld whole."""


class _Unreadable(SanctuaryError, ValueError):
    """Raised from inside the JSON decoder: the answer is not one JSON value we can pass on."""

    def __init__(self, reason: str) -> None:
        super().__init__("answer", reason)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Unreadable("the answer repeats a key in one object")
    return out


def _constant(name: str) -> float:
    raise _Unreadable(f"the answer holds {name}, which is not JSON")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Unreadable("the answer holds a number too large for a float")
    return value


@dataclass
class Filtered:
    body: Any  # the JSON value that may leave
    disclosed: set[str] = field(default_factory=set)  # leaf categories in it
    removed: set[str] = field(default_factory=set)  # leaf categories taken out: withheld, or not a scalar
    unmapped: list[str] = field(default_factory=list)  # normalized paths of values the map does not place
    nonscalar: list[str] = field(default_factory=list)  # normalized paths of placed values that were objects or arrays
    record_id: str | None = None


def loads(raw: bytes) -> Any:
    """A system's answer as one JSON value, read strictly (see the module's docstring), or `ShapeError`."""
    try:
        doc = json.loads(raw, object_pairs_hook=_object, parse_constant=_constant, parse_float=_float)
    except _Unreadable as exc:
        raise ShapeError("upstream", exc.reason) from None
    except RecursionError:  # deeper than the decoder goes
        raise ShapeError("upstream", _TOO_DEEP) from None
    except (ValueError, UnicodeDecodeError):
        raise ShapeError("upstream", "the answer is not JSON") from None
    if _depth(doc) > MAX_DEPTH:  # before any JSONPath query or walk recurses into it
        raise ShapeError("upstream", _TOO_DEEP)
    return doc


def parse(raw: bytes, shape: ResponseShape) -> Any:
    """The answer as JSON of the route's shape, or `ShapeError`."""
    try:
        doc = loads(raw)
    except ShapeError as exc:
        raise ShapeError("upstream", f"{exc.reason}; it is withheld whole") from None
    expected = dict if shape.root == "object" else list
    if not isinstance(doc, expected):
        raise ShapeError("upstream", f"the answer is not a JSON {shape.root}; it is withheld whole")
    for required in shape.required:
        if required.query.find_one(doc) is None:
            raise ShapeError("upstream", f"the answer has nothing at {required.text}; it is withheld whole")
    return doc


def apply(doc: Any, shape: ResponseShape, withheld: Iterable[str], vocab: Vocabulary | None = None) -> Filtered:
    """`doc` (already `parse`d) with every value of a withheld category, every placed value that is
    not a scalar, and every value the map does not place, removed."""
    vocab = vocab or vocabulary()
    names = set(withheld)
    written = _names(shape)
    placed: dict[Location, set[str]] = {}
    for where, leaf in shape.categories:
        for node in where.query.finditer(doc):
            placed.setdefault(node.location, set()).add(leaf)
    inner = {loc[:i] for loc in placed for i in range(len(loc))}  # locations with a placed value below them
    out = Filtered(body=None)
    if shape.record_id is not None:
        found = shape.record_id.query.find_one(doc)
        if found is not None and isinstance(found.value, str | int) and not isinstance(found.value, bool):
            out.record_id = str(found.value)

    def walk(value: Any, loc: Location, inherited: set[str] | None) -> Any:
        leaves = placed.get(loc, inherited)
        container = isinstance(value, dict | list)
        if leaves is not None and not (container and loc in inner):
            hit = {leaf for leaf in leaves if vocab.covered(leaf, names)}
            if hit:
                out.removed |= hit
                return _DROP
            if container:  # a category is a scalar's: what an object or array holds has none
                out.removed |= leaves
                out.nonscalar.append(_normalized(loc))
                return _DROP
            out.disclosed |= leaves
            return value
        if container and (loc in inner or not loc):
            if isinstance(value, dict):
                kept = {}
                for k, v in value.items():
                    if leaves is None and k not in written:  # reached through a wildcard: the name is the system's word
                        out.unmapped += [_normalized(p) for p in _scalars(v, (*loc, k))]
                    elif (v := walk(v, (*loc, k), leaves)) is not _DROP:
                        kept[k] = v
                return kept
            return [v for v in (walk(v, (*loc, i), leaves) for i, v in enumerate(value)) if v is not _DROP]
        out.unmapped += [_normalized(p) for p in _scalars(value, loc)]  # its keys may say something too
        return _DROP

    out.body = walk(doc, (), None)
    return out


def _depth(doc: Any) -> int:
    """How deeply `doc` nests (a scalar: 0), without recursion."""
    deepest, stack = 0, [(doc, 0)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_DEPTH:
            break
        stack += [(v, level + 1) for v in value]
    return deepest


@cache
def _names(shape: ResponseShape) -> frozenset[str]:
    """The member names the map's placements write (name selectors): the only keys that leave."""
    return frozenset(
        selector.name
        for where, _ in shape.categories
        for segment in where.query.segments
        for selector in segment.selectors
        if isinstance(selector, NameSelector)
    )


def _scalars(value: Any, loc: Location) -> list[Location]:
    """Where the values of an unplaced part sit (an empty object or array counts as one)."""
    if isinstance(value, dict) and value:
        return [p for k, v in value.items() for p in _scalars(v, (*loc, k))]
    if isinstance(value, list) and value:
        return [p for i, v in enumerate(value) for p in _scalars(v, (*loc, i))]
    return [loc]


def _normalized(loc: Location) -> str:
    """RFC 9535 normalized path of a location (array positions as [*]: the count is what matters)."""
    return "$" + "".join("[*]" if isinstance(p, int) else f"[{json.dumps(p)}]" for p in loc)
