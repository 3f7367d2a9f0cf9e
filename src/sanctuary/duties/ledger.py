"""Duties in the decision log: a triggered duty, its fulfilment and a filed report are entries of
their own kinds (`duty`, `duty_fulfilled`, `report_filed`; schemas in docs/schemas/), appended with
the log's public API. The duties a decision triggers are committed with it (`RequestPath.record`),
each entry naming the decision's. What is owed is read back from the log, so it survives restarts and is as
tamper-evident as the decisions themselves.

Entries hold only closed-vocabulary values (duty and rule ids, registry ids, dates, the index of the
decision entry), never a personal value: the person a notice is owed to is found from the decision
entry's protected record (`sanctuary audit reveal N`), by staff who may see it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import rfc8785

from sanctuary.audit.errors import AuditError
from sanctuary.duties.book import Duty, DutyBook, Period
from sanctuary.errors import SanctuaryError

if TYPE_CHECKING:
    from sanctuary.audit import DecisionLog
    from sanctuary.models import Decision

FORMAT = 2  # a duty fulfilled, a report filed
DUTY_FORMAT = 3  # a duty a decision triggered: format 3 admits the request kind `agreement`
DUTY, FULFILLED, REPORT_FILED = "duty", "duty_fulfilled", "report_filed"
METHODS = ("letter", "email", "phone", "in_person", "filed", "other")
CHUNK = 1000


class DutyError(SanctuaryError):
    """A duty that cannot be recorded or fulfilled as asked (names the field)."""


def _time(now: datetime | None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def duty_entry(duty: Duty, decision_index: int, request_kind: str, decision: Decision, now: datetime | None = None) -> bytes:
    when = (now or datetime.now(UTC)).astimezone(UTC)
    return rfc8785.dumps(
        {
            "v": DUTY_FORMAT,
            "time": _time(when),
            "kind": DUTY,
            "duty": duty.id,
            "citation": duty.citation,
            "due": duty.due(when.date()).isoformat(),
            "decision_index": decision_index,
            "request_kind": request_kind,
            "requester": decision.requester,
            "on_behalf_of": list(decision.on_behalf_of),
            "decision": decision.decision,
            "profiles": list(decision.profiles),
        }
    )


def fulfilment_entry(duty_index: int, duty: str, method: str, now: datetime | None = None) -> bytes:
    if method not in METHODS:
        raise DutyError("method", f"{method!r} is not one of {', '.join(METHODS)}")
    return rfc8785.dumps({"v": FORMAT, "time": _time(now), "kind": FULFILLED, "duty": duty, "duty_index": duty_index, "method": method})


def report_entry(kind: str, period: str, rows: int, csv_sha256: str, now: datetime | None = None) -> bytes:
    return rfc8785.dumps(
        {"v": FORMAT, "time": _time(now), "kind": REPORT_FILED, "report": kind, "period": period, "rows": rows, "csv_sha256": csv_sha256}
    )


def entries(log: DecisionLog) -> Iterator[tuple[int, dict]]:
    """Every entry of the log, parsed, with its index."""
    size = log.size()
    for start in range(0, size, CHUNK):
        for offset, data in enumerate(log.entries(start, min(size, start + CHUNK))):
            yield start + offset, json.loads(data)


@dataclass(frozen=True)
class Owed:
    duty: str
    title: str
    citation: str
    to: str
    due: str
    overdue: bool
    index: int | None = None  # the duty entry (triggered duties); None for a periodic report
    decision_index: int | None = None
    requester: str | None = None
    period: str | None = None  # periodic reports

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def owed(log: DecisionLog, book: DutyBook, today: date | None = None) -> list[Owed]:
    """What the log shows is owed and not yet fulfilled, earliest due first.

    Triggered duties: every `duty` entry without a `duty_fulfilled` entry naming it. Periodic
    reports of the book: every period that has ended since the first decision taken under the
    report's profile, without a `report_filed` entry for it."""
    today = today or datetime.now(UTC).date()
    duties: dict[int, dict] = {}
    done: set[int] = set()
    filed: set[tuple[str, str]] = set()
    first: dict[str, date] = {}  # profile -> first decision under it
    for index, e in entries(log):
        kind = e.get("kind")
        if kind == DUTY:
            duties[index] = e
        elif kind == FULFILLED:
            done.add(e["duty_index"])
        elif kind == REPORT_FILED:
            filed.add((e["report"], e["period"]))
        elif "decision" in e:
            day = date.fromisoformat(e["time"][:10])
            for profile in e.get("profiles", []):
                first.setdefault(profile, day)
    known = {d.id: d for d in book.duties}
    out = []
    for index, e in duties.items():
        if index in done:
            continue
        d = known.get(e["duty"])
        out.append(
            Owed(
                duty=e["duty"],
                title=d.title if d else e["duty"],
                citation=e["citation"],
                to=d.to if d else "",
                due=e["due"],
                overdue=date.fromisoformat(e["due"]) < today,
                index=index,
                decision_index=e["decision_index"],
                requester=e.get("requester"),
            )
        )
    for report in book.reports.values():
        if report.profile not in first:
            continue
        period = Period.containing(first[report.profile], report.period)
        while period.end < today:
            if (report.kind, period.name) not in filed:
                due = report.due_for(period)
                out.append(Owed(report.kind, report.title, report.citation, report.to, due.isoformat(), due < today, period=period.name))
            period = period.next(report.period)
    return sorted(out, key=lambda o: (o.due, o.index if o.index is not None else -1))


def fulfil(log: DecisionLog, duty_index: int, method: str, now: datetime | None = None) -> int:
    """Record that the duty entered at `duty_index` was fulfilled; returns the new entry's index."""
    try:
        e = json.loads(log.entry(duty_index))
    except AuditError as exc:
        raise DutyError("index", str(exc)) from None
    if e.get("kind") != DUTY:
        raise DutyError("index", f"entry {duty_index} is not a duty (kind {e.get('kind')!r})")
    if any(x.get("kind") == FULFILLED and x.get("duty_index") == duty_index for _, x in entries(log)):
        raise DutyError("index", f"the duty at entry {duty_index} is already recorded as fulfilled")
    return log.append(fulfilment_entry(duty_index, e["duty"], method, now))
