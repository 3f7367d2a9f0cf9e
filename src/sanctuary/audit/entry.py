"""What one log entry holds: the decision record as RFC 8785 canonical JSON.

Entries are meant to be published (tiles, checkpoints), so every personal identifier appears only
as a keyed HMAC-SHA-256 under `identifiers`; the clear text goes to the log's separate `clear`
table, keyed by entry index, readable only through `sanctuary audit reveal N`.

Identifying fields: the request id (requesting agencies choose it, and it may carry a name or a
case number), the requesting officer, the case number, the subject's name / date of birth /
person id, the name / date of birth / plate / person id of a search, and document numbers.
The purpose text is left out entirely (free text may name anyone); its category stays.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sanctuary.audit.canonical import canonical
from sanctuary.audit.errors import AuditError
from sanctuary.audit.keys import pseudonym
from sanctuary.models import Decision, Request

FORMAT = 1


def identifiers(request: Request) -> dict[str, str]:
    """Every personal identifier in the request, by field path, in clear text."""
    found = {
        "id": request.id,
        "requester.officer": request.requester.officer,
        "purpose.case_number": request.purpose.case_number,
        "subject.name": request.subject.name,
        "subject.dob": request.subject.dob,
        "subject.person_id": request.subject.person_id,
    }
    search = request.resource.search
    if search is not None:
        found.update({f"resource.search.{k}": getattr(search, k) for k in ("name", "dob", "plate", "person_id")})
    for i, doc in enumerate(request.documents):
        found[f"documents.{i}.number"] = doc.number
    return {k: v for k, v in found.items() if v}


def canonical_request(request: Request) -> bytes:
    return canonical(request.model_dump(mode="json"))


def _disclosed(items: list[dict] | None) -> list[dict[str, Any]]:
    out = []
    for i, item in enumerate(items or []):
        record_id, fields = item.get("record_id"), item.get("fields")
        if not isinstance(record_id, str) or not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise AuditError(f"disclosed.{i}", "must be {record_id: str, fields: [str], unmapped_removed?: int}")
        kept: dict[str, Any] = {"record_id": record_id, "fields": fields}
        unmapped = item.get("unmapped_removed")  # values a proxied system sent that its route map does not place
        if unmapped is not None:
            if not isinstance(unmapped, int) or isinstance(unmapped, bool) or unmapped < 0:
                raise AuditError(f"disclosed.{i}.unmapped_removed", "must be a count")
            kept["unmapped_removed"] = unmapped
        out.append(kept)
    return out


def build(
    request: Request, decision: Decision, disclosed: list[dict] | None, key: bytes, now: datetime | None = None
) -> tuple[bytes, dict[str, str]]:
    """The canonical entry bytes and the clear-text identifiers they hide."""
    if decision.id != request.id:
        raise AuditError("decision.id", f"{decision.id!r} is not the request's id")
    clear = identifiers(request)
    when = (now or datetime.now(UTC)).astimezone(UTC)
    record: dict[str, Any] = {
        "v": FORMAT,
        "time": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "request_sha256": hashlib.sha256(canonical_request(request)).hexdigest(),
        "requester": decision.requester,
        "requester_claimed": request.requester.agency,
        "on_behalf_of": decision.on_behalf_of,
        "kind": request.kind.value,
        "purpose_category": request.purpose.category,
        "resource": {
            "system": request.resource.system,
            "fields": request.resource.fields,
            "search": request.resource.search.type if request.resource.search else None,
        },
        "documents": [d.type for d in request.documents],
        "decision": decision.decision,
        "citations": decision.citations,
        "rules": decision.rules,
        "redact": decision.redact,
        "profiles": decision.profiles,
        "policy_hash": decision.policy_hash,
        "error": decision.error,
        "identifiers": {k: pseudonym(key, v) for k, v in clear.items()},
    }
    # Where the facts came from, what the requester only claimed, and holds (issue #10); absent when empty.
    for name in ("judged_as", "claims", "facts_source", "resolves"):
        value = getattr(decision, name)
        if value and value != [decision.requester]:
            record[name] = value
    if decision.held is not None:
        record["held"] = decision.held.model_dump()
    if disclosed:
        record["disclosed"] = _disclosed(disclosed)
    return canonical(record), clear


def build_refusal(raw: bytes, decision: Decision, key: bytes, now: datetime | None = None) -> tuple[bytes, dict[str, str]]:
    """An entry for a request refused before it could be read (invalid, unparseable).

    Only the SHA-256 of the bytes received is kept — they may hold anything — with the id the
    sender gave, if one could be read (as an HMAC), the error and the deny.
    """
    clear = {"id": decision.id} if decision.id != "?" else {}
    when = (now or datetime.now(UTC)).astimezone(UTC)
    record: dict[str, Any] = {
        "v": FORMAT,
        "time": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "request_sha256": hashlib.sha256(raw).hexdigest(),
        "kind": "refused",
        "decision": decision.decision,
        "citations": decision.citations,
        "profiles": decision.profiles,
        "policy_hash": decision.policy_hash,
        "error": decision.error,
        "identifiers": {k: pseudonym(key, v) for k, v in clear.items()},
    }
    return canonical(record), clear
