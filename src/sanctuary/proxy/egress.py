"""What leaves through the proxy: a department system's JSON answer without the withheld categories.

This is the proxy's application of the decision (`Decision.redact`: leaf data categories, or
groups of them), placed by the route map's JSONPath queries. The rules, in order:

- an answer that is not JSON, or not the route's shape (another root type, a required part
  missing), is withheld whole: `ShapeError`, and the call fails closed;
- a value placed by the map is kept unless its category is withheld (a placed object or array
  carries its category down to every value in it the map does not place more precisely);
- a value the map does not place is removed and counted: a vendor adding a field costs that field,
  not the service. An object or array with nothing placed inside goes whole (its keys may say
  something too); one on the way to a placed value stays, possibly empty.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sanctuary.errors import SanctuaryError
from sanctuary.policy.categories import Vocabulary, vocabulary
from sanctuary.proxy.routes import ResponseShape

Location = tuple[str | int, ...]
_DROP = object()


class ShapeError(SanctuaryError):
    """A department system's answer that cannot be checked field by field: it is withheld whole."""


@dataclass
class Filtered:
    body: Any  # the JSON value that may leave
    disclosed: set[str] = field(default_factory=set)  # leaf categories in it
    removed: set[str] = field(default_factory=set)  # leaf categories taken out because withheld
    unmapped: list[str] = field(default_factory=list)  # normalized paths of values the map does not place
    record_id: str | None = None


def parse(raw: bytes, shape: ResponseShape) -> Any:
    """The answer as JSON of the route's shape, or `ShapeError`."""
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ShapeError("upstream", "the answer is not JSON; it is withheld whole") from None
    expected = dict if shape.root == "object" else list
    if not isinstance(doc, expected):
        raise ShapeError("upstream", f"the answer is not a JSON {shape.root}; it is withheld whole")
    for required in shape.required:
        if required.query.find_one(doc) is None:
            raise ShapeError("upstream", f"the answer has nothing at {required.text}; it is withheld whole")
    return doc


def apply(doc: Any, shape: ResponseShape, withheld: Iterable[str], vocab: Vocabulary | None = None) -> Filtered:
    """`doc` (already `parse`d) with every value of a withheld category, and every value the map
    does not place, removed."""
    vocab = vocab or vocabulary()
    names = set(withheld)
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
            out.disclosed |= leaves
            return value
        if container and (loc in inner or not loc):
            if isinstance(value, dict):
                kept = ((k, walk(v, (*loc, k), leaves)) for k, v in value.items())
                return {k: v for k, v in kept if v is not _DROP}
            return [v for v in (walk(v, (*loc, i), leaves) for i, v in enumerate(value)) if v is not _DROP]
        out.unmapped += [_normalized(p) for p in _scalars(value, loc)]  # its keys may say something too
        return _DROP

    out.body = walk(doc, (), None)
    return out


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
