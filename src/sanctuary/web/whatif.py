""" "What if": recorded requests decided again under another profile, with what would change.

The log keeps the shape of each request, not its personal content: the purpose text, the subject's
record (warrants, convictions) and the documents' contents are not in it. A replay therefore sees a
request as its entry describes it: kind, requester, on whose behalf, declared purpose category,
fields and search type, document types. Differences that turn on what the log does not keep do not
show; the page says so, and that `sanctuary policy diff`, the same function over full requests, can
find more.

The shapes come from the public record's table (`record.PublicRecord.requests`), kept beside the
log and caught up incrementally, so no call reads the log's entries again. Deciding is the work:
each call decides the newest `DEFAULT_LIMIT` requests of a chosen period (at most `MAX_LIMIT`),
and the page says how many it decided of how many there are.
"""

from __future__ import annotations

import json

from sanctuary.agencies import Registry
from sanctuary.policy.diff import Difference, differences
from sanctuary.web.i18n import N_
from sanctuary.web.record import RecordedRequest

DEFAULT_LIMIT = 1000  # requests decided again, newest first, unless the page asks for another number
MAX_LIMIT = 5_000  # at most about 5 s of deciding each request under both profiles (docs/web.md)
NOT_KEPT = (
    N_("purpose text"),
    N_("the subject's record (warrants, convictions, gang listing)"),
    N_("document contents (court, signer)"),
    N_("the kind of operation"),
)


def replayable(row: RecordedRequest) -> str:
    """The request a log entry describes, as a JSON line for the pipeline."""
    request: dict = {
        "id": f"log-{row.index}",
        "kind": row.kind,
        "requester": {"agency": row.requester or row.requester_claimed or "unknown"},
    }
    if row.on_behalf_of:
        request["on_behalf_of"] = row.on_behalf_of[0]
    if row.purpose_category:
        request["purpose"] = {"category": row.purpose_category}
    resource = {k: v for k, v in (("system", row.resource.get("system")), ("fields", row.resource.get("fields"))) if v}
    if row.resource.get("search"):
        resource["search"] = {"type": row.resource["search"]}
    if resource:
        request["resource"] = resource
    if row.documents:
        request["documents"] = [{"type": d} for d in row.documents]
    return json.dumps(request)


def replay(rows: list[RecordedRequest], a: str, b: str, registry: Registry) -> list[Difference]:
    """Requests whose decision differs between profile `a` and profile `b` (PolicyError if one is
    unknown): `sanctuary policy diff`'s function, over what the log holds of each request."""
    return differences(a, b, [replayable(r) for r in rows], registry)
