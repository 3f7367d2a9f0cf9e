"""The entry encoder: what the decision log's entry of a decided request holds — the public record
(RFC 8785 canonical JSON) and its protected counterpart — and `EntryRecorder`, the pipeline's
`Recorder` over a log that takes bytes (`DecisionLog.append_built`).

Entries are published (tiles, checkpoints, `GET /v1/audit/entries/N`), so a public entry holds
nothing that can be traced back to a person, in clear or by guessing:

- only closed-vocabulary values are copied: codes (kind, decision, failure, purpose category,
  search and document types), registry ids resolved by the department, policy ids and citations,
  field names or data categories of the vocabulary (policy/categories.toml, the store's map), and
  the decision's boolean fact `immigration_purpose` (format 3), which the reports count;
- every other string the request carries (its id, names, dates, numbers, a claimed agency, the
  system asked of, an unknown field name, free text) is *counted* under `not_copied`, never copied;
- an error is a code (`failure`), never its message (messages echo input);
- no subject-level fact: what was found and handed out (record ids, fields) stays protected;
- no linkable pseudonym: the two keyed values are unique to the entry. `request_hmac` keys the
  hash of the request (an unkeyed hash can be guessed offline); `sealed` keys the protected record,
  which holds a random nonce, so the signed log commits to it without revealing it.

The protected record (the log's `clear` table, never in a tile or checkpoint) holds the clear text
by field path, the error message, what was handed out and the nonce; `sanctuary audit reveal N`
reads it, and `keyed_view` gives oversight the linkable pseudonyms without the clear text.
Decision fields are read from an explicit allow-list, so a field added to `Decision` later stays
out of the public entry until someone decides how to show it.
"""

from __future__ import annotations

import base64
import secrets
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from functools import cache
from typing import Any

from sanctuary.audit import DecisionLog
from sanctuary.audit.canonical import canonical, canonical_plain
from sanctuary.audit.entry import mac, seal, timestamp
from sanctuary.audit.errors import AuditError
from sanctuary.audit.log import Followers
from sanctuary.models import Decision, Failure, Request, RequestError

FORMAT = 4  # a decided request; format 3 added `immigration_purpose`, the decision's own fact; 4 admits kind `agreement`
REFUSED_FORMAT = 2  # a request refused unread: unchanged since format 2
REFUSED = "refused"  # the kind of an entry for a request refused before it could be read
UNCLASSIFIED = "unclassified"  # a decision with an error but no Failure kind set
FAILURES = (*(f.value for f in Failure), UNCLASSIFIED)
# Request paths (list indices dropped) whose values are closed codes, checked by the request model.
CODES = frozenset({"kind", "purpose.category", "resource.search.type", "documents.type", "operation.type"})
# Request paths whose values are copied when they are names of the vocabulary, counted otherwise.
VOCABULARY_PATHS = frozenset({"resource.fields"})


@cache
def vocabulary_names() -> frozenset[str]:
    """Every name a public entry may copy as a field or category: the data categories (leaves and
    groups), the shipped store's field names, and the custody inquiry topics."""
    from sanctuary.policy.categories import store_field_map, vocabulary
    from sanctuary.policy.facts import TOPICS

    vocab = vocabulary()
    return frozenset(vocab.categories) | frozenset(vocab.groups) | {f for _, f in store_field_map()} | frozenset(TOPICS)


def canonical_request(request: Request) -> bytes:
    return canonical_plain(request.model_dump(mode="json"))


def _strings(value: dict[str, Any], full: str, field: str, out: list[tuple[str, str, str]]) -> None:
    """Append (full path, path without list indices, value) for every string inside the object
    `value`, whose own paths are `full` and `field` (each empty, or ending in a dot). The request's
    objects are its models: their keys are field names, never indices."""
    for key, item in value.items():
        if item is None or item is False or item is True:  # most of a request's values: skipped first
            continue
        if isinstance(item, str):
            out.append((full + key, field + key, item))
        elif isinstance(item, dict):
            _strings(item, f"{full}{key}.", f"{field}{key}.", out)
        elif isinstance(item, list):
            _items(item, full + key, field + key, out)


def _items(values: list[Any], full: str, field: str, out: list[tuple[str, str, str]]) -> None:
    """`_strings` for a list at `full` (its field path: `field`)."""
    for i, item in enumerate(values):
        if isinstance(item, str):
            out.append((f"{full}.{i}", field, item))
        elif isinstance(item, dict):
            _strings(item, f"{full}.{i}.", f"{field}.", out)
        elif isinstance(item, list):
            _items(item, f"{full}.{i}", field, out)


def split_request(request: Request, dumped: dict[str, Any] | None = None) -> tuple[dict[str, str], Counter[str]]:
    """The request's strings that are not copied (by full path, in clear) and their counts by field
    (booleans and nulls are claims the public entry does not carry). `dumped`: the request's JSON
    values, when the caller has them already."""
    names = vocabulary_names()
    clear: dict[str, str] = {}
    counted: Counter[str] = Counter()
    found: list[tuple[str, str, str]] = []
    _strings(request.model_dump(mode="json") if dumped is None else dumped, "", "", found)
    for full, field, value in found:
        if field in CODES or (field in VOCABULARY_PATHS and value in names):
            continue
        clear[full] = value
        counted[field] = counted.get(field, 0) + 1
    return clear, counted


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# What a proxied call's item may say besides what left: values its system sent that the route map
# does not place; placed values that arrived as an object or array (removed); the categories removed.
DISCLOSED_EXTRA: dict[str, tuple[Callable[[object], bool], str]] = {
    "unmapped_removed": (_count, "a count"),
    "nonscalar_removed": (_count, "a count"),
    "withheld": (lambda v: isinstance(v, list) and all(isinstance(c, str) for c in v), "a list of category names"),
}


def _disclosed(items: list[dict] | None) -> list[dict[str, Any]]:
    out = []
    for i, item in enumerate(items or []):
        record_id, fields = item.get("record_id"), item.get("fields")
        if not isinstance(record_id, str) or not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise AuditError(f"disclosed.{i}", "must be {record_id: str, fields: [str]}, optionally with " + ", ".join(DISCLOSED_EXTRA))
        kept: dict[str, Any] = {"record_id": record_id, "fields": fields}
        for name, (check, what) in DISCLOSED_EXTRA.items():
            value = item.get(name)
            if value is not None:
                if not check(value):
                    raise AuditError(f"disclosed.{i}.{name}", f"must be {what}")
                kept[name] = value
        out.append(kept)
    return out


def _failure(decision: Decision, default: str) -> str | None:
    if decision.failure is not None:
        return Failure(decision.failure).value
    return default if decision.error else None


def _decided(decision: Decision, counted: Counter[str]) -> dict[str, Any]:
    """The allow-listed decision fields: codes, registry ids, policy ids and citations."""
    names = vocabulary_names()
    redact = [r for r in decision.redact if r in names]
    if len(redact) != len(decision.redact):
        counted["decision.redact"] += len(decision.redact) - len(redact)
    return {
        "decision": decision.decision,
        "citations": list(decision.citations),
        "rules": list(decision.rules),
        "redact": redact,
        "profiles": list(decision.profiles),
        "policy_hash": decision.policy_hash,
    }


def build(
    request: Request, decision: Decision, disclosed: list[dict] | None, key: bytes, now: datetime | None = None
) -> tuple[bytes, dict[str, Any]]:
    """The canonical public entry bytes and the protected record that goes with them."""
    if decision.id != request.id:
        raise AuditError("decision.id", f"{decision.id!r} is not the request's id")
    dumped = request.model_dump(mode="json")  # once, for the keyed hash and the split
    clear, counted = split_request(request, dumped)
    protected: dict[str, Any] = {**clear, "nonce": base64.b64encode(secrets.token_bytes(16)).decode()}
    protected.update(_identity(request))
    if decision.error:
        protected["error"] = decision.error
    if disclosed:
        protected["disclosed"] = _disclosed(disclosed)
    search = request.resource.search
    record: dict[str, Any] = {
        "v": FORMAT,
        "time": timestamp(now),
        "kind": request.kind.value,
        "request_hmac": mac(key, "request", canonical_plain(dumped)),
        "requester": decision.requester,
        "on_behalf_of": list(decision.on_behalf_of),
        "purpose_category": request.purpose.category,
        "resource": {
            "fields": [f for f in request.resource.fields if f in vocabulary_names()],
            "search": search.type if search else None,
        },
        "documents": [d.type for d in request.documents],
        "operation": request.operation.type if request.operation else None,
        "immigration_purpose": decision.immigration_purpose,  # a boolean fact (null: none derived)
        **_decided(decision, counted),
    }
    failure = _failure(decision, UNCLASSIFIED)
    if failure:
        record["failure"] = failure
    if decision.judged_as and decision.judged_as != [decision.requester]:
        record["judged_as"] = list(decision.judged_as)  # registry ids: every reading of the parties
    # What the requester only claimed (facts about the subject among them) and where the facts came
    # from (whether the subject is in the records) are facts about the person: protected, counted.
    if decision.claims:
        protected["claims"] = list(decision.claims)
        counted["decision.claims"] += len(decision.claims)
    if decision.facts_source:
        protected["facts_source"] = decision.facts_source
        counted["decision.facts_source"] += 1
    # A held request and the decision that resolves it share a keyed reference (the desk's own
    # reference is an unkeyed hash of the request: guessable, so protected).
    if decision.held is not None:
        record["held"] = {
            "reason": decision.held.reason,
            "lifts": list(decision.held.lifts),
            "ref": mac(key, "held", decision.held.reference.encode()),
        }
        protected["held.reference"] = decision.held.reference
        if decision.held.evidence:  # what a hold for review rests on ("normalised:bidi"): kept with the words
            protected["held.evidence"] = list(decision.held.evidence)
    if decision.resolves:
        record["resolves"] = mac(key, "held", decision.resolves.encode())
        protected["resolves"] = decision.resolves
    record["not_copied"] = dict(sorted(counted.items()))
    record["sealed"] = seal(protected, key)
    return canonical_plain(record), protected  # its keys are ASCII names, its numbers small counts


def _identity(request: Request) -> dict[str, str]:
    """The person the request was decided about (`policy.facts.subject_of`, the identity the facts
    lookup and the records fetch used), for the sealed record only: `identity.person_id`, ... A
    request naming two people was refused and names no one."""
    from sanctuary.policy.facts import subject_of

    try:
        who = subject_of(request)
    except RequestError:
        return {}
    return {f"identity.{k}": v for k, v in who.as_dict().items()} if who is not None else {}


def build_refusal(raw: bytes, decision: Decision, key: bytes, now: datetime | None = None) -> tuple[bytes, dict[str, Any]]:
    """An entry for a request refused before it could be read (invalid, unparseable, a parser bomb).

    Only a keyed hash of the bytes received is public — they may hold anything — with the failure
    code and the deny; the id the sender gave (if one could be read) and the error are protected.
    """
    protected: dict[str, Any] = {"nonce": base64.b64encode(secrets.token_bytes(16)).decode()}
    if decision.id != "?":
        protected["id"] = decision.id
    if decision.error:
        protected["error"] = decision.error
    record: dict[str, Any] = {
        "v": REFUSED_FORMAT,
        "time": timestamp(now),
        "kind": REFUSED,
        "request_hmac": mac(key, "request", raw),
        "decision": decision.decision,
        "citations": list(decision.citations),
        "profiles": list(decision.profiles),
        "policy_hash": decision.policy_hash,
        "failure": Failure(decision.failure).value if decision.failure is not None else Failure.input.value,
        "sealed": seal(protected, key),
    }
    return canonical(record), protected


class EntryRecorder:
    """The pipeline's `Recorder` over a decision log: each decision encoded here (`build`,
    `build_refusal`) with the log's key, by the log's committer, appended with what follows it."""

    def __init__(self, log: DecisionLog) -> None:
        self.log = log

    def record(self, request: Request, decision: Decision, disclosed: list[dict] | None = None, then: Followers | None = None) -> int:
        """Record one decision (and what it handed out); durable when it returns. Returns the index.
        `disclosed` lists what was actually handed out: [{"record_id": str, "fields": [str]}]."""
        return self.record_later(request, decision, disclosed, then).result()

    def record_later(
        self, request: Request, decision: Decision, disclosed: list[dict] | None = None, then: Followers | None = None
    ) -> Future[int]:
        """Queue one decision for the log's committer, which encodes it and commits it with the
        others queued (`DecisionLog.append_built_later`). `request` and `decision` must not change
        until the future is done."""
        return self.log.append_built_later(lambda key: build(request, decision, disclosed, key), then)

    def record_refusal(self, raw: bytes, decision: Decision) -> int:
        """Record a request refused before it could be read; durable when it returns."""
        return self.log.append_built(lambda key: build_refusal(raw, decision, key))


def recorder(log: Any) -> Any:
    """The pipeline's recorder for `log`: a decision log, encoded by `EntryRecorder`; anything else
    (a recorder already, or None) as it is."""
    return EntryRecorder(log) if isinstance(log, DecisionLog) else log
