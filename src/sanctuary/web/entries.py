"""The decision log read for people: each entry as a row to filter, count and show.

A request refused before it could be read is an entry too (kind "refused": the hash of the bytes,
the error, the deny); it has no requester, so its family is "Unreadable request".
Entries hold no personal data (docs/audit.md, "What an entry holds"): the pages read only the
fields below. Format 2 entries no longer copy the requester's own wording of its agency (the
resolved registry id stays) and keep an error as its code (`failure`). The agency *family* (DHS
components, DOJ, state, local, ...) comes from the registry's ancestors of the resolved requester.
Whether a request was for civil immigration enforcement is the decision's own fact, as its entry
records it (format 3), or for an older entry the same predicate on what it holds
(`policy.immigration.recorded`); whether an immigration agency asked is `immigration_agency`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sanctuary.agencies import Registry
from sanctuary.policy.immigration import immigration_agency, recorded
from sanctuary.recording import REFUSED

CHUNK = 1000
DHS_UNITS = ("ICE", "CBP", "USCIS")  # the immigration agencies of DHS, counted apart
UNREADABLE = "Unreadable request"
FAMILIES = (
    "DHS: ICE",
    "DHS: CBP",
    "DHS: USCIS",
    "DHS: other",
    "DOJ",
    "Other federal",
    "State",
    "Local",
    "Multi-agency",
    "Private",
    "Unregistered",
    UNREADABLE,
)


@dataclass(frozen=True)
class LoggedDecision:
    index: int
    time: datetime
    kind: str
    requester: str | None  # resolved registry id; None when the requester did not resolve
    requester_claimed: str
    on_behalf_of: tuple[str, ...]
    family: str
    purpose_category: str | None
    documents: tuple[str, ...]
    decision: str
    citations: tuple[str, ...]
    rules: tuple[str, ...]
    redact: tuple[str, ...]
    profiles: tuple[str, ...]
    error: str | None
    resource: dict[str, Any]
    held: str | None = None  # why a deny waits for a verified document or a review (Decision.held)
    immigration_purpose: bool = False  # the decision's fact (policy.immigration.recorded)
    immigration_agency: bool = False  # who asked: an immigration agency, or on behalf of one

    @property
    def outcome(self) -> str:
        """permit, deny or held: a held request is a deny that may yet be lifted, counted apart."""
        return "held" if self.held else self.decision

    @property
    def day(self) -> date:
        return self.time.date()

    @property
    def quarter(self) -> str:
        return f"{self.time.year} Q{(self.time.month - 1) // 3 + 1}"


@lru_cache(maxsize=4096)
def family(registry: Registry, agency_id: str | None) -> str:
    """The agency family of a registry id: the DHS unit for ICE/CBP/USCIS, else DOJ, state, local, ..."""
    if agency_id is None:
        return "Unregistered"
    try:
        agency = registry.get(agency_id)
    except KeyError:
        return "Unregistered"
    line = (agency.id, *agency.ancestors)
    if agency.dhs:
        unit = next((u for u in DHS_UNITS if u in line), None)
        return f"DHS: {unit}" if unit else "DHS: other"
    if "DOJ" in line:
        return "DOJ"
    return {
        "federal": "Other federal",
        "state": "State",
        "county": "Local",
        "city": "Local",
        "multi": "Multi-agency",
        "private": "Private",
    }.get(agency.level, "Unregistered")


# Entries of the log that are not decisions (sanctuary.duties: a duty triggered, fulfilled, a report
# filed): the pages count decisions only, and skip these.
NOT_DECISIONS = frozenset({"duty", "duty_fulfilled", "report_filed"})


def decisions_in(first: int, data: list[bytes], registry: Registry) -> list[LoggedDecision]:
    """The decision records among entries [first, first + len(data)), as rows."""
    rows = []
    for i, entry in enumerate(data):
        e = json.loads(entry.decode("utf-8"))  # str: json skips guessing the encoding
        if not isinstance(e, dict):
            raise ValueError(f"entry {first + i} is not a JSON object")
        if e.get("kind") not in NOT_DECISIONS:
            rows.append(_row(first + i, e, registry))
    return rows


def parse_entry(index: int, data: bytes, registry: Registry) -> LoggedDecision:
    """One log entry as a row; raises ValueError on an entry that is not a decision record."""
    return _row(index, json.loads(data.decode("utf-8") if isinstance(data, bytes) else data), registry)


def _row(index: int, e: dict[str, Any], registry: Registry) -> LoggedDecision:
    on_behalf_of = tuple(e.get("on_behalf_of") or ())
    return LoggedDecision(
        index=index,
        time=datetime.fromisoformat(e["time"].replace("Z", "+00:00")),
        kind=e["kind"],
        requester=e.get("requester"),
        requester_claimed=e.get("requester_claimed") or "",
        on_behalf_of=on_behalf_of,
        family=UNREADABLE if e["kind"] == REFUSED else family(registry, e.get("requester")),
        purpose_category=e.get("purpose_category"),
        documents=tuple(e.get("documents") or ()),
        decision=e["decision"],
        citations=tuple(e.get("citations") or ()),
        rules=tuple(e.get("rules") or ()),
        redact=tuple(e.get("redact") or ()),
        profiles=tuple(e.get("profiles") or ()),
        error=e.get("failure") or e.get("error"),  # format 2 keeps a failure code; format 1 kept the message
        resource=e.get("resource") or {},
        held=_held_reason(e.get("held")),
        immigration_purpose=recorded(e, registry),
        immigration_agency=immigration_agency([e.get("requester"), *on_behalf_of], registry),
    )


def _held_reason(held: Any) -> str | None:
    if isinstance(held, dict):
        return str(held.get("reason") or "held")
    return str(held) if held else None


def read_range(decision_log: Any, registry: Registry, start: int, end: int) -> list[LoggedDecision]:
    """Entries [start, end) of the log as rows, read in chunks (AuditError if the log cannot be read)."""
    rows: list[LoggedDecision] = []
    for first in range(start, end, CHUNK):
        last = min(end, first + CHUNK)
        rows += decisions_in(first, decision_log.entries(first, last), registry)
    return rows


def parse_day(value: str, field: str) -> date | None:
    """A YYYY-MM-DD filter value, or None when empty; ValueError names the field otherwise."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{field}: {value[:40]!r} is not a date (YYYY-MM-DD)") from None
