"""The duties a loaded policy set imposes: read from each profile's `duties.toml`.

    [duty."new-york-dmv:notify-subject"]
    citation = "N.Y. Veh. & Traf. Law §201(12)(a)"
    title = "Notify the person the request is about, naming the agency that made it"
    title_es = "..."
    to = "the person the records are about"
    within_days = 3                  # or: by = "end_of_month"
    when = "principal.immigration_enforcement"   # a Cedar condition, like a rule's `when`

    [report."mcc-2-173-069"]
    citation = "MCC 2-173-069"
    title = "..."
    to = "Mayor's Office; Inspector General"
    period = "quarter"               # month | quarter | year
    due = "end_of_period"            # or "MM-DD" of the following year, or "+N" days after the period
    rows = "administrative_documents"  # which log entries become rows (sanctuary.duties.report)
    missing = ["oemc_notifications: ..."]  # what the report needs that the log does not hold
    staff_columns = ["transfer_carried_out"]  # per-row facts the log does not hold, left for staff

A duty's condition is checked with Cedar against the same schema, registry and facts as the rules,
for the requester and every agency the request is made for, whatever the decision: New York's
notice is owed for a request the DMV refused too. It is part of the decision: the pipeline judges
the conditions (`DutyBook.conditions`) in the same Cedar request as the rules (`policy.disclosure`;
`DutyBook.owed` names the duties), or, where the rules are judged by the reference, asks
`DutyBook.triggered` with the queries and facts it judges by; the decision
carries the ids of the duties it triggers (its log entry and theirs are committed together). A
condition that does not validate does not load; one that errors when evaluated triggers its duty
(a duty is never silently dropped).
"""

from __future__ import annotations

import calendar
import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import cedarpy

from sanctuary.policy.engine import SCHEMA_PATH, PolicyEngine, Query
from sanctuary.policy.errors import PolicyError
from sanctuary.policy.facts import Facts
from sanctuary.policy.profiles import PROFILES

FILENAME = "duties.toml"
PERIODS = ("month", "quarter", "year")
_DUTY_KEYS = {"citation", "title", "title_es", "to", "within_days", "by", "when"}
_REPORT_KEYS = {"citation", "title", "title_es", "to", "period", "due", "rows", "missing", "staff_columns"}


@dataclass(frozen=True)
class Duty:
    id: str
    profile: str
    citation: str
    title: str
    title_es: str
    to: str
    when: str
    within_days: int | None  # None with by="end_of_month"
    by: str | None

    def due(self, triggered: date) -> date:
        if self.by == "end_of_month":
            return triggered.replace(day=calendar.monthrange(triggered.year, triggered.month)[1])
        return triggered + timedelta(days=self.within_days or 0)


@dataclass(frozen=True)
class PeriodicReport:
    kind: str
    profile: str
    citation: str
    title: str
    title_es: str
    to: str
    period: str
    due: str
    rows: str
    missing: tuple[str, ...]  # "name: what it is": what the report needs that the log does not hold
    staff_columns: tuple[str, ...] = ()  # per-row columns the log cannot fill: left blank for staff

    def due_for(self, period: Period) -> date:
        if self.due == "end_of_period":
            return period.end
        if m := re.fullmatch(r"\+(\d+)", self.due):
            return period.end + timedelta(days=int(m.group(1)))
        month, day = (int(x) for x in self.due.split("-"))
        return date(period.end.year + 1 if self.period == "year" else period.end.year, month, day)


@dataclass(frozen=True)
class Period:
    """A calendar month, quarter or year: `2026-03`, `2026-Q1`, `2026`."""

    name: str
    start: date
    end: date  # inclusive

    @property
    def unit(self) -> str:
        return "year" if "-" not in self.name else "quarter" if "Q" in self.name else "month"

    @classmethod
    def parse(cls, text: str) -> Period:
        if m := re.fullmatch(r"(\d{4})", text):
            y = int(m.group(1))
            return cls(text, date(y, 1, 1), date(y, 12, 31))
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
            y, q = int(m.group(1)), int(m.group(2))
            first = 3 * q - 2
            return cls(text, date(y, first, 1), date(y, first + 2, calendar.monthrange(y, first + 2)[1]))
        if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            y, mo = int(m.group(1)), int(m.group(2))
            if 1 <= mo <= 12:
                return cls(text, date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1]))
        raise PolicyError("period", f"{text!r} is not YYYY, YYYY-Qn or YYYY-MM")

    @classmethod
    def containing(cls, day: date, unit: str) -> Period:
        if unit == "year":
            return cls.parse(f"{day.year}")
        if unit == "quarter":
            return cls.parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
        return cls.parse(f"{day.year}-{day.month:02d}")

    def next(self, unit: str) -> Period:
        return Period.containing(self.end + timedelta(days=1), unit)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


class DutyBook:
    """The duties and periodic reports of a set of profiles, their conditions compiled into one
    policy set (one policy per duty, in order), so that one engine call checks them all."""

    def __init__(self, duties: list[Duty], reports: list[PeriodicReport]):
        self.duties = duties
        self.reports = {r.kind: r for r in reports}
        self._triggers: cedarpy.PolicySet | None = None
        if duties:
            schema = SCHEMA_PATH.read_text(encoding="utf-8")
            for duty in duties:
                result = cedarpy.validate_policies(_trigger_policy(duty), schema)
                if not result.validation_passed:
                    raise PolicyError(f"{duty.profile}/{FILENAME}", f"{duty.id}: when does not validate: {result.errors[0].error}")
            self._triggers = cedarpy.PolicySet.from_str("\n".join(_trigger_policy(d) for d in duties))
        self._by_policy = {f"policy{i}": d.id for i, d in enumerate(duties)}
        self.by_id = {d.id: d for d in duties}

    @classmethod
    def for_engine(cls, engine: PolicyEngine, root: Path = PROFILES) -> DutyBook:
        return cls(*read(engine.names, root))

    @classmethod
    def for_profiles(cls, names: list[str], root: Path = PROFILES) -> DutyBook:
        return cls(*read(names, root))

    @property
    def conditions(self) -> list[str]:
        """Each duty's condition (its `when`), in book order: what `owed` is given the indexes of."""
        return [d.when for d in self.duties]

    def owed(self, held: frozenset[int]) -> list[str]:
        """The ids of the duties whose conditions (indexes into `conditions`) hold, in book order."""
        return [d.id for i, d in enumerate(self.duties) if i in held]

    def triggered(self, engine: PolicyEngine, queries: list[Query], facts: Facts) -> list[str]:
        """The ids of the duties a request triggers, in book order: those whose condition holds for
        any of `queries` (the request's action, for the requester and every agency it is made for)
        about `facts` (the facts it is judged by). A condition that errors triggers its duty; an
        engine that fails triggers them all."""
        if self._triggers is None or not queries:
            return []
        results = engine.authorize(queries, facts, self._triggers)
        if isinstance(results, str):  # the engine failed: every duty (never silently dropped)
            return [d.id for d in self.duties]
        hit: set[str] = set()
        for result in results:
            hit.update(self._by_policy[p] for p in result.diagnostics.reasons if p in self._by_policy)
            for error in result.diagnostics.errors:
                named = [d for p, d in self._by_policy.items() if f"`{p}`" in str(error)]
                hit.update(named or self._by_policy.values())
        return [d.id for d in self.duties if d.id in hit]


def _trigger_policy(duty: Duty) -> str:
    return f"permit (principal, action, resource) when {{ {duty.when} }};"


def read(names: list[str], root: Path = PROFILES) -> tuple[list[Duty], list[PeriodicReport]]:
    """Every duty and periodic report the named profiles declare, in profile order."""
    duties: list[Duty] = []
    reports: list[PeriodicReport] = []
    for name in names:
        path = root / name / FILENAME
        if not path.is_file():
            continue
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(str(path), str(exc)) from None
        for did, spec in doc.get("duty", {}).items():
            _check(path, f"duty.{did}", spec, _DUTY_KEYS, ("citation", "title", "to", "when"))
            if not did.startswith(f"{name}:"):
                raise PolicyError(str(path), f"duty.{did}: id must start with {name + ':'!r}")
            if ("within_days" in spec) == ("by" in spec) or spec.get("by", "end_of_month") != "end_of_month":
                raise PolicyError(str(path), f'duty.{did}: give within_days = N or by = "end_of_month"')
            duties.append(
                Duty(
                    did,
                    name,
                    spec["citation"],
                    spec["title"],
                    spec.get("title_es", ""),
                    spec["to"],
                    spec["when"],
                    spec.get("within_days"),
                    spec.get("by"),
                )
            )
        for kind, spec in doc.get("report", {}).items():
            _check(path, f"report.{kind}", spec, _REPORT_KEYS, ("citation", "title", "to", "period", "rows"))
            if spec["period"] not in PERIODS:
                raise PolicyError(str(path), f"report.{kind}.period: one of {', '.join(PERIODS)}")
            due = spec.get("due", "end_of_period")
            if not re.fullmatch(r"end_of_period|\+\d+|\d{2}-\d{2}", due):
                raise PolicyError(str(path), f"report.{kind}.due: end_of_period, +N or MM-DD")
            reports.append(
                PeriodicReport(
                    kind,
                    name,
                    spec["citation"],
                    spec["title"],
                    spec.get("title_es", ""),
                    spec["to"],
                    spec["period"],
                    due,
                    spec["rows"],
                    tuple(spec.get("missing", ())),
                    tuple(spec.get("staff_columns", ())),
                )
            )
    return duties, reports


def _check(path: Path, where: str, spec: dict, allowed: set[str], required: tuple[str, ...]) -> None:
    unknown = set(spec) - allowed
    if unknown:
        raise PolicyError(str(path), f"{where}: unknown key(s) {sorted(unknown)}")
    for key in required:
        if not spec.get(key):
            raise PolicyError(str(path), f"{where}.{key}: required")
