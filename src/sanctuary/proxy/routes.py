"""The route map (`routes.toml`): the calls a department's own system answers, and what each one is.

For each upstream method and path pattern the map says which request of the contract the call is
(kind, system, search, subject, custody topics), where each data category sits in its JSON answer
(RFC 9535 JSONPath, one leaf category per path) and what shape the answer must have. Optionally the
map names the system's call that answers facts about a subject (the carve-outs), keyed on the
subject's identity; without it those facts are unknown and the restrictive reading applies. A call
that matches no route is refused, never forwarded. The map is department data: it is checked in
full at start, and each error names the line and the route.

```toml
system = "RMS"                    # default for every route
[query]                           # optional: query parameters that carry the purpose (else headers)
purpose = "reason"
[facts]                           # optional: {person_id}, {name}, {dob} are the subject's
path = "/persons/{person_id}/facts"
outstanding_criminal_warrant = "$.active_criminal_warrant"

[[route]]
name = "person"
method = "GET"
path = "/persons/{person_id}"
kind = "database_query"
search = { type = "person", person_id = "{person_id}" }
subject = { person_id = "{person_id}" }
[route.response]
root = "object"
record_id = "$.person_id"
[route.response.categories]
"$.person_id" = "record_number"
"$.immigration_status" = "immigration_status"
```

A value written `{name}` in `search` or `subject` is the path parameter (or the query parameter
listed in `query`) of that name; any other value is taken as written.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, unquote

import jsonpath_rfc9535 as jsonpath
from jsonpath_rfc9535 import JSONPathQuery

from sanctuary.errors import SanctuaryError
from sanctuary.models import SEARCH_TYPES, Kind, RequestError, Search
from sanctuary.policy.categories import Vocabulary, vocabulary
from sanctuary.policy.facts import RECORD_FACTS, TOPICS
from sanctuary.proxy.target import parse as parse_target

METHODS = ("GET", "HEAD")
PURPOSE_PARTS = ("purpose", "purpose_category", "case_number", "on_behalf_of")
SEARCH_FIELDS = tuple(name for name in Search.model_fields if name != "type")
SUBJECT_FIELDS = ("person_id", "name", "dob")
_PLACEHOLDER = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)\}$")
_PATH_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_ROUTE_KEYS = {"name", "method", "path", "kind", "system", "search", "subject", "fields", "query", "response"}
_RESPONSE_KEYS = {"root", "record_id", "required", "categories"}


class RouteMapError(SanctuaryError):
    """A route map that cannot be used: `field` is `file:line` (and the route), `reason` what is wrong."""


@dataclass(frozen=True)
class Located:
    """One JSONPath of the map, compiled, with the text it was written as."""

    text: str
    query: JSONPathQuery


@dataclass(frozen=True)
class ResponseShape:
    """What a route's JSON answer must look like, and where each data category sits in it."""

    root: Literal["object", "array"]
    categories: tuple[tuple[Located, str], ...]  # (where, leaf category)
    required: tuple[Located, ...] = ()  # each must match: else the answer is not the route's shape
    record_id: Located | None = None

    def carried(self) -> frozenset[str]:
        """Every leaf category the answer can carry."""
        return frozenset(leaf for _, leaf in self.categories)


@dataclass(frozen=True)
class FactsCall:
    """The system's call answering facts about a subject: a carve-out is met where its JSONPath
    finds `true` in the answer."""

    path: str  # a template over the subject's identity: {person_id}, {name}, {dob}
    carveouts: tuple[tuple[str, Located], ...]

    @property
    def needs(self) -> tuple[str, ...]:
        return tuple(_PATH_PARAM.findall(self.path))

    def url_path(self, identity: dict[str, str]) -> str | None:
        """The call for a subject, or None if the subject lacks an identifier the path needs."""
        if any(not identity.get(name) for name in self.needs):
            return None
        return _PATH_PARAM.sub(lambda m: quote(identity[m.group(1)], safe=""), self.path)


@dataclass(frozen=True)
class Route:
    name: str
    line: int
    method: str
    path: str
    pattern: re.Pattern[str]
    kind: Kind
    system: str | None
    search: dict[str, str]  # request field -> "{param}" or literal
    subject: dict[str, str]
    fields: tuple[str, ...]
    query: frozenset[str]  # query parameters the route accepts (and forwards)
    response: ResponseShape

    @property
    def where(self) -> str:
        return f"route {self.name!r} (line {self.line})"


@dataclass(frozen=True)
class Match:
    """A call matched to its route: the parameters read from its path and query."""

    route: Route
    params: dict[str, str]
    purpose: dict[str, str] = field(default_factory=dict)  # purpose parts read from mapped query parameters
    target: str = ""  # the call's target, normalised (`proxy.target`): what the proxy forwards


class Unmapped(RequestError):
    """A call the route map does not know, or one with a query parameter the route does not take:
    it cannot be made a request of the contract (failure `input`)."""


@dataclass(frozen=True)
class RouteMap:
    routes: tuple[Route, ...]
    purpose_params: dict[str, str]  # purpose part -> query parameter name
    facts: FactsCall | None = None
    source: str = "routes.toml"

    def match(self, method: str, uri: str) -> Match:
        """The route a call (method and raw URI, `path?query`) is, or `Unmapped` or `BadTarget`
        naming why not. Decided on the target as the system will read it (`proxy.target`)."""
        target = parse_target(uri)
        method = method.upper()
        route, params = None, {}
        for candidate in self.routes:
            found = candidate.pattern.match(target.path)
            if found and (candidate.method == method or (method == "HEAD" and candidate.method == "GET")):
                route, params = candidate, {k: unquote(v) for k, v in found.groupdict().items()}
                break
        if route is None:
            # the path is not repeated: it may hold anything, and the refusal is recorded in public
            raise Unmapped("route", f"no {method[:10]} route of the map matches this path; the call is not forwarded")
        purpose_by_param = {param: part for part, param in self.purpose_params.items()}
        purpose: dict[str, str] = {}
        try:
            pairs = parse_qsl(target.query, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            raise Unmapped("query", f"{route.where}: a query parameter is not UTF-8; the call is not forwarded") from None
        for name, value in pairs:
            if name in purpose_by_param:
                into, where = purpose, purpose_by_param[name]
            elif name in route.query:
                into, where = params, name
            else:
                raise Unmapped("query", f"{route.where} takes a query parameter it does not map; the call is not forwarded")
            if where in into:
                raise Unmapped("query", f"{route.where}: a query parameter is given twice; the call is not forwarded")
            into[where] = value
        return Match(route, params, purpose, str(target))


def load(path: Path, vocab: Vocabulary | None = None) -> RouteMap:
    """Read and check a route map; `RouteMapError` names the file, line and route of the first problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RouteMapError(str(path), f"cannot read: {exc.strerror or exc}") from None
    return parse(text, str(path), vocab)


def parse(text: str, source: str = "routes.toml", vocab: Vocabulary | None = None) -> RouteMap:
    vocab = vocab or vocabulary()
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RouteMapError(source, f"not TOML: {exc}") from None
    unknown = set(doc) - {"system", "query", "facts", "route"}
    if unknown:
        raise RouteMapError(source, f"unknown key(s) {sorted(unknown)}; a route map has system, query, facts and [[route]] tables")
    purpose_params = doc.get("query", {})
    if not isinstance(purpose_params, dict) or set(purpose_params) - set(PURPOSE_PARTS):
        raise RouteMapError(f"{source}: query", f"maps only {', '.join(PURPOSE_PARTS)} to query parameter names")
    if not all(isinstance(v, str) and v for v in purpose_params.values()):
        raise RouteMapError(f"{source}: query", "each value is a query parameter name")
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if line.strip().startswith("[[route]]")]
    specs = doc.get("route", [])
    if not isinstance(specs, list) or not specs:
        raise RouteMapError(source, "no [[route]]: every call would be refused")
    default_system = doc.get("system")
    routes: list[Route] = []
    for i, spec in enumerate(specs):
        line = lines[i] if i < len(lines) else 0
        name = spec.get("name") if isinstance(spec.get("name"), str) else f"#{i + 1}"
        try:
            route = _route(spec, line, default_system, vocab)
        except RouteMapError as exc:
            raise RouteMapError(f"{source}:{line} (route {name!r})", str(exc)) from None
        if any(r.name == route.name for r in routes):
            raise RouteMapError(f"{source}:{line} (route {name!r})", "name: used by an earlier route")
        if route.query & set(purpose_params.values()):
            raise RouteMapError(f"{source}:{line} (route {name!r})", "query: a purpose parameter cannot also be a route parameter")
        routes.append(route)
    return RouteMap(tuple(routes), dict(purpose_params), _facts(doc.get("facts"), source), source)


def _route(spec: dict[str, Any], line: int, default_system: Any, vocab: Vocabulary) -> Route:
    unknown = set(spec) - _ROUTE_KEYS
    if unknown:
        raise RouteMapError(sorted(unknown)[0], f"unknown key; a route has {', '.join(sorted(_ROUTE_KEYS))}")
    name = _text(spec, "name")
    method = _text(spec, "method").upper()
    if method not in METHODS:
        raise RouteMapError("method", f"{method!r}: only {', '.join(METHODS)} are mapped (a body's search would not be on the record)")
    path = _text(spec, "path")
    if not path.startswith("/") or "?" in path:
        raise RouteMapError("path", f"{path!r}: a path starts with / and has no query")
    path_params = _PATH_PARAM.findall(path)
    if len(set(path_params)) != len(path_params):
        raise RouteMapError("path", "a parameter is named twice")
    try:
        kind = Kind(_text(spec, "kind"))
    except ValueError:
        raise RouteMapError("kind", f"{spec['kind']!r} is not one of {', '.join(k.value for k in Kind)}") from None
    query = spec.get("query", [])
    if not isinstance(query, list) or not all(isinstance(q, str) and q for q in query):
        raise RouteMapError("query", "a list of query parameter names")
    if set(query) & set(path_params):
        raise RouteMapError("query", "a query parameter cannot share a path parameter's name")
    known = set(path_params) | set(query)
    search = _mapping(spec, "search", ("type", *SEARCH_FIELDS), known)
    if search and search.get("type") not in SEARCH_TYPES:
        raise RouteMapError("search.type", f"{search.get('type')!r} is not a search type of the request contract")
    subject = _mapping(spec, "subject", SUBJECT_FIELDS, known)
    fields = spec.get("fields", [])
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise RouteMapError("fields", "a list of names")
    if kind is Kind.custody_inquiry and set(fields) - set(TOPICS):
        raise RouteMapError("fields", f"custody topics are {', '.join(TOPICS)}")
    system = spec.get("system", default_system)
    if system is not None and not isinstance(system, str):
        raise RouteMapError("system", "a name")
    return Route(
        name=name,
        line=line,
        method=method,
        path=path,
        pattern=_compile_path(path),
        kind=kind,
        system=system,
        search=search,
        subject=subject,
        fields=tuple(fields),
        query=frozenset(query),
        response=_response(spec.get("response"), vocab),
    )


def _compile_path(path: str) -> re.Pattern[str]:
    """`/persons/{person_id}` -> a pattern where each parameter is one path segment."""
    parts = _PATH_PARAM.split(path)  # literal, name, literal, name, ..., literal
    pattern = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts))
    return re.compile(f"^{pattern}$")


def _text(spec: dict[str, Any], key: str) -> str:
    value = spec.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RouteMapError(key, "required: a non-empty string")
    return value.strip()


def _mapping(spec: dict[str, Any], key: str, allowed: tuple[str, ...], params: set[str]) -> dict[str, str]:
    value = spec.get(key, {})
    if not isinstance(value, dict):
        raise RouteMapError(key, "a table")
    for name, source in value.items():
        if name not in allowed:
            raise RouteMapError(f"{key}.{name}", f"unknown field; one of {', '.join(allowed)}")
        if not isinstance(source, str):
            raise RouteMapError(f"{key}.{name}", "a string: '{param}' or a literal")
        ref = _PLACEHOLDER.match(source)
        if ref and ref.group(1) not in params:
            raise RouteMapError(f"{key}.{name}", f"{source}: no path parameter or listed query parameter of that name")
    return dict(value)


def _jsonpath(text: Any, where: str) -> Located:
    if not isinstance(text, str) or not text.startswith("$"):
        raise RouteMapError(where, f"{text!r} is not a JSONPath (RFC 9535) query")
    try:
        return Located(text, jsonpath.compile(text))
    except jsonpath.JSONPathError as exc:
        raise RouteMapError(where, f"{text!r} is not a valid JSONPath (RFC 9535) query: {exc}") from None


def _response(spec: Any, vocab: Vocabulary) -> ResponseShape:
    if not isinstance(spec, dict):
        raise RouteMapError("response", "required: a table with root and categories")
    unknown = set(spec) - _RESPONSE_KEYS
    if unknown:
        raise RouteMapError(f"response.{sorted(unknown)[0]}", f"unknown key; one of {', '.join(sorted(_RESPONSE_KEYS))}")
    root = spec.get("root", "object")
    if root not in ("object", "array"):
        raise RouteMapError("response.root", "object or array")
    categories = spec.get("categories")
    if not isinstance(categories, dict) or not categories:
        raise RouteMapError("response.categories", "required: where each data category sits ('$.path' = 'leaf category')")
    located = []
    for where, leaf in categories.items():
        if leaf not in vocab.categories:
            hint = " (a group: name its leaves)" if leaf in vocab.groups else ""
            raise RouteMapError(f"response.categories.{where!r}", f"{leaf!r} is not a leaf data category{hint}")
        located.append((_jsonpath(where, f"response.categories.{where!r}"), leaf))
    record_id = spec.get("record_id")
    required = spec.get("required", [record_id] if record_id else [])
    if not isinstance(required, list):
        raise RouteMapError("response.required", "a list of JSONPath queries")
    return ResponseShape(
        root=root,
        categories=tuple(located),
        required=tuple(_jsonpath(r, "response.required") for r in required),
        record_id=_jsonpath(record_id, "response.record_id") if record_id is not None else None,
    )


def _facts(spec: Any, source: str) -> FactsCall | None:
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise RouteMapError(f"{source}: facts", "a table: path and the carve-outs its answer shows")
    path = spec.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise RouteMapError(f"{source}: facts.path", "required: the path of the call answering facts about a subject")
    unknown = set(_PATH_PARAM.findall(path)) - set(SUBJECT_FIELDS)
    if unknown:
        raise RouteMapError(f"{source}: facts.path", f"uses {sorted(unknown)}; only the subject's {', '.join(SUBJECT_FIELDS)}")
    carveouts = []
    for name, where in spec.items():
        if name == "path":
            continue
        if name not in RECORD_FACTS:
            raise RouteMapError(f"{source}: facts.{name}", f"unknown fact about a subject; one of {', '.join(RECORD_FACTS)}")
        carveouts.append((name, _jsonpath(where, f"{source}: facts.{name}")))
    if not carveouts:
        raise RouteMapError(f"{source}: facts", "names no carve-out")
    return FactsCall(path, tuple(carveouts))
