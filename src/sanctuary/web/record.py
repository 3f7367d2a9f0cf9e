"""The public record: each decision's shape and the report's counts, in a table kept beside the log.

The log only grows, so the record is built once and then caught up: on each request the entries
after the last one counted (`upto`, a log index) are read, their shape written to `decisions` and
added to `counts`, in one transaction per chunk. /report reads a few hundred rows of `counts`
whatever the size of the log; /report/decisions filters `decisions` with SQL. The file is SQLite
in $SANCTUARY_HOME (one per log), and nothing in it is personal: only the fields of an entry that
describe the request's shape (time, agency, kind, documents' types, outcome, clauses; for the staff
pages also the declared purpose category and the resource's vocabulary fields and search type, what
"what if" decides again), never the pseudonymised identifiers. If the log is not the one counted (its
first entry differs, or it shrank) the record starts again from entry 0; so does a record of another
`LAYOUT` (its columns, or the way it counts, differ from this release's).

Replicas on one PostgreSQL log keep the counts in that database instead (`sanctuary.web.totals`),
one set for all of them; the list of decisions stays in each replica's file.

Counts are per calendar month, in long form (month, measure, category, outcome, n): the same rows
as /report.csv. `MEASURES` says what each counts; it is the data dictionary's source.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sanctuary import config
from sanctuary.agencies import Registry
from sanctuary.recording import REFUSED
from sanctuary.web.entries import LoggedDecision, decisions_in
from sanctuary.web.i18n import N_
from sanctuary.web.totals import SharedTotals, shared_totals

CHUNK = 20_000
ADMIN_WARRANTS = ("I-200", "I-203", "I-205")
OUTCOMES = ("permit", "deny", "held")

# measure -> what one count of it is (msgid); the data dictionary and the report's sentences
MEASURES = {
    "requests": N_("Requests decided and recorded in the log (category and outcome: all)."),
    "outcome": N_("Requests by outcome: %(permit)s, %(deny)s, or %(held)s (a deny that waits for a verified document or a review)."),
    "agency_family": N_("Requests by the family of the agency that asked (registry id resolved from its credential)."),
    "kind": N_("Requests by kind (inquiry, transfer, hold, access, support, database request, refused unread)."),
    "clause": N_("Requests whose decision cites the clause; one request can cite several clauses."),
    "immigration_agency": N_("Who asked: requests from ICE, CBP or USCIS, or made on behalf of one of them, whatever their purpose."),
    "immigration_purpose": N_(
        "Requests the decision found to be for civil immigration enforcement, from any agency: the same fact the rules read."
    ),
    "detainers": N_("Immigration detainer forms (I-247 family) attached to requests."),
    "admin_warrants": N_("Administrative immigration warrants (I-200, I-203, I-205) attached to requests."),
    "transfers": N_("Custody-transfer requests, by the agency that asked to receive the person."),
}
FIELDS = {
    "month": N_("Calendar month of the decision (UTC), YYYY-MM."),
    "measure": N_("What is counted; see the measures below."),
    "category": N_("The value counted (an agency family, a kind, a clause, ...), or %(all)s."),
    "outcome": N_("%(permit)s, %(deny)s or %(held)s; %(all)s for every outcome."),
    "count": N_("The number of requests (or, for detainers and warrants, of documents)."),
}
DECISION_FIELDS = {
    "index": N_("The decision's position in the public log (its log index), from 0."),
    "date": N_("The day of the decision (UTC)."),
    "agency": N_("The agency that asked, as resolved from its credential; %(unregistered)s if it did not resolve."),
    "agency_family": N_("The agency's family (DHS component, DOJ, other federal, state, local, ...)."),
    "kind": N_("The kind of request."),
    "outcome": N_("%(permit)s, %(deny)s or %(held)s."),
    "clauses": N_("The clauses the decision cites, separated by ' | '."),
    "documents": N_("The types of the documents attached (for example I-247A, judicial warrant); never their contents."),
}

# The tables' layout and the way they count: a record of another layout is counted again from entry 0
# (2: the request's shape for "what if"; 3: the immigration count is the decision's own fact,
# sanctuary.policy.immigration).
LAYOUT = "3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
  idx INTEGER PRIMARY KEY, day TEXT NOT NULL, agency TEXT NOT NULL, family TEXT NOT NULL, kind TEXT NOT NULL,
  outcome TEXT NOT NULL, clauses TEXT NOT NULL, documents TEXT NOT NULL,
  at TEXT NOT NULL, requester TEXT NOT NULL, claimed TEXT NOT NULL, behalf TEXT NOT NULL,  -- these six: staff pages only
  purpose TEXT NOT NULL, resource TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS decisions_day ON decisions (day);
CREATE TABLE IF NOT EXISTS counts (
  month TEXT NOT NULL, measure TEXT NOT NULL, category TEXT NOT NULL, outcome TEXT NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (month, measure, category, outcome)) WITHOUT ROWID;
"""
SEP = " | "
PUBLIC_COLUMNS = "idx, day, agency, family, kind, outcome, clauses, documents"  # never what the requester typed


@dataclass(frozen=True)
class StaffDecision:
    """A decision as the staff list shows it: the public shape, and who asked as resolved and as claimed."""

    index: int
    time: datetime
    requester: str
    requester_claimed: str
    on_behalf_of: tuple[str, ...]
    family: str
    kind: str
    outcome: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class RecordedRequest:
    """A decided request as the log describes it, for deciding it again ("what if"): its shape only."""

    index: int
    kind: str
    requester: str  # resolved registry id; '' when it did not resolve
    requester_claimed: str
    on_behalf_of: tuple[str, ...]
    purpose_category: str
    resource: dict[str, Any]  # the entry's: vocabulary fields and search type (format 1: also the system)
    documents: tuple[str, ...]


@dataclass(frozen=True)
class Pages:
    """A page of a list of decisions among those a filter matches: rows first..last of total, and the
    `before` of the newer and the older page (keyset paging on the log index)."""

    first: int
    last: int
    total: int
    newer: bool
    newer_before: int | None
    older_before: int | None
    query: str  # the filter (and the language), to carry to the other pages


@dataclass(frozen=True)
class PublicDecision:
    index: int
    date: str
    agency: str
    agency_family: str
    kind: str
    outcome: str
    clauses: tuple[str, ...]
    documents: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "clauses": list(self.clauses), "documents": list(self.documents)}


@dataclass(frozen=True)
class DecisionFilter:
    since: str = ""  # YYYY-MM-DD
    until: str = ""
    family: str = ""
    kind: str = ""
    outcome: str = ""
    clause: str = ""

    def where(self) -> tuple[str, list[Any]]:
        parts, args = [], []
        for column, value, op in (
            ("day", self.since, ">="),
            ("day", self.until, "<="),
            ("family", self.family, "="),
            ("kind", self.kind, "="),
            ("outcome", self.outcome, "="),
        ):
            if value:
                parts.append(f"{column} {op} ?")
                args.append(value)
        if self.clause:
            parts.append("instr(clauses, ?) > 0")
            args.append(f"|{self.clause}|")
        return (" AND ".join(parts) or "1"), args


@dataclass
class Counts:
    """The counts of a set of months, to show: {(measure, category, outcome): n}, and per month."""

    months: list[str]
    cells: Counter = field(default_factory=Counter)
    by_month: dict[str, Counter] = field(default_factory=dict)
    first: str = ""
    last: str = ""
    updated: str = ""

    def n(self, measure: str, category: str = "all", outcome: str = "all") -> int:
        return self.cells[(measure, category, outcome)]

    def categories(self, measure: str) -> list[tuple[str, dict[str, int]]]:
        """[(category, {outcome: n, "all": n})] of a measure, the largest first."""
        found: dict[str, dict[str, int]] = {}
        for (m, category, outcome), n in self.cells.items():
            if m == measure:
                found.setdefault(category, Counter())[outcome] += n
        return sorted(found.items(), key=lambda item: (-item[1]["all"], item[0]))

    def month(self, month: str, measure: str, category: str = "all", outcome: str = "all") -> int:
        return self.by_month.get(month, Counter())[(measure, category, outcome)]


def _cells(row: LoggedDecision, registry: Registry) -> Iterable[tuple[str, str]]:
    """(measure, category) pairs one decision adds to, each also under outcome 'all'."""
    yield "requests", "all"
    yield "outcome", row.outcome
    yield "agency_family", row.family
    yield "kind", row.kind
    for clause in dict.fromkeys(row.citations):
        yield "clause", clause
    if row.immigration_agency:
        yield "immigration_agency", "all"
    if row.immigration_purpose:
        yield "immigration_purpose", "all"
    for document in row.documents:
        if document.startswith("I-247"):
            yield "detainers", document
        elif document in ADMIN_WARRANTS:
            yield "admin_warrants", document
    if row.kind == "custody_transfer":
        yield "transfers", _agency_name(row, registry)


def _agency_name(row: LoggedDecision, registry: Registry) -> str:
    if row.requester is None:
        return "unregistered"
    try:
        return registry.get(row.requester).name
    except KeyError:
        return row.requester


def _resource(row: LoggedDecision) -> dict[str, Any]:
    """The entry's resource as "what if" reads it: the system (format 1), the fields and the search type."""
    return {k: row.resource[k] for k in ("system", "fields", "search") if row.resource.get(k)}


def _tally(rows: list[LoggedDecision], registry: Registry) -> Counter:
    """The counts `rows` add: {(month, measure, category, outcome): n}."""
    # Decisions of one shape add to the same cells: count the shapes, then expand each once.
    shapes: dict[tuple, list] = {}
    for row in rows:
        month = row.time.strftime("%Y-%m")
        shape = (
            month,
            row.outcome,
            row.family,
            row.kind,
            row.citations,
            row.immigration_purpose,
            row.immigration_agency,
            row.documents,
            row.requester,
        )
        found = shapes.get(shape)
        if found is None:
            shapes[shape] = [row, 1]
        else:
            found[1] += 1
    cells: Counter = Counter()
    for (month, outcome, *_), (row, n) in shapes.items():
        for measure, category in _cells(row, registry):
            cells[(month, measure, category, outcome)] += n
            cells[(month, measure, category, "all")] += n
    return cells


def record_file(log_url: str) -> Path:
    return config.home() / f"public-record-{hashlib.sha256(log_url.encode()).hexdigest()[:16]}.db"


def open_record(log_url: str, registry: Registry) -> PublicRecord:
    """The record of the log at `log_url`; its counts shared by the replicas when the log is PostgreSQL."""
    return PublicRecord(record_file(log_url), registry, shared_totals(log_url, LAYOUT, CHUNK))


class PublicRecord:
    """The record of one log (see the module docstring). Thread-safe; one per process and log.

    With `totals` (replicas on a PostgreSQL log) the counts are those in the log's database, counted
    once across the replicas (`sanctuary.web.totals`); the list of decisions stays in the file."""

    def __init__(self, path: Path, registry: Registry, totals: SharedTotals | None = None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.registry = registry
        self._totals = totals
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        if self._meta("layout") != LAYOUT:  # an older layout (or a new file): counted again from entry 0
            self._db.executescript("BEGIN; DROP TABLE decisions; DROP TABLE counts; DELETE FROM meta; COMMIT;")
            self._db.executescript(SCHEMA)
            self._set("layout", LAYOUT)
        self._lock = threading.Lock()  # the connection: one statement or chunk at a time
        self._catching = threading.Lock()  # one catch-up at a time

    def close(self) -> None:
        self._db.close()

    def _meta(self, key: str) -> str | None:
        found = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return found[0] if found else None

    def _set(self, key: str, value: str) -> None:
        self._db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))

    def upto(self) -> int:
        """How many entries of the log (from index 0) are counted."""
        return int(self._meta("upto") or 0)

    def catch_up(self, decision_log: Any, wait: bool = True) -> int:
        """Count the entries appended since the last call; returns how many entries are counted.

        One catch-up runs at a time (`wait=False`: return at once if one is running); the table is
        locked per chunk only, so pages keep reading while a long catch-up runs. Raises what the log
        raises (AuditError) or ValueError/KeyError on an entry that is not a decision record;
        nothing of a failed chunk is kept.
        """
        if not self._catching.acquire(blocking=wait):
            return self.upto()
        try:
            size = decision_log.size()
            with self._lock:
                upto = self.upto()
                if upto:
                    first = hashlib.sha256(decision_log.entry(0)).hexdigest()
                    if size < upto or first != self._meta("first_entry"):
                        self._reset()
                        upto = 0
            for start in range(upto, size, CHUNK):
                end = min(size, start + CHUNK)
                data = decision_log.entries(start, end)
                rows = decisions_in(start, data, self.registry)
                with self._lock:
                    self._add(start, end - start, rows, data[0] if start == 0 else None)
            if size > upto:
                with self._lock:
                    self._set_now()
            if self._totals is not None:
                self._totals.fold(decision_log, self._tally_entries)
            return size
        finally:
            self._catching.release()

    def _reset(self) -> None:
        self._db.executescript("BEGIN; DELETE FROM decisions; DELETE FROM counts; DELETE FROM meta WHERE key != 'layout'; COMMIT;")

    def _set_now(self) -> None:
        self._set("updated", datetime.now(UTC).isoformat(timespec="seconds"))

    def _tally_entries(self, start: int, data: list[bytes]) -> tuple[Counter, str, str]:
        """The counts the entries `data` from `start` add, and their first and last decision's time ('': none)."""
        rows = decisions_in(start, data, self.registry)
        times = [row.time.isoformat(timespec="seconds") for row in rows[:1] + rows[-1:]]
        return _tally(rows, self.registry), times[0] if times else "", times[-1] if times else ""

    def _add(self, start: int, read: int, rows: list[LoggedDecision], first_entry: bytes | None) -> None:
        """Record `rows`, the decisions among the `read` entries from `start`, and count them unless
        the counts are shared (then `SharedTotals.fold` counts them)."""
        cells = _tally(rows, self.registry) if self._totals is None else Counter()
        self._db.execute("BEGIN")
        try:
            self._db.executemany(
                "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        r.index,
                        r.time.date().isoformat(),
                        _agency_name(r, self.registry) if r.kind != REFUSED else "",
                        r.family,
                        r.kind,
                        r.outcome,
                        "|" + "|".join(r.citations) + "|" if r.citations else "",
                        SEP.join(r.documents),
                        r.time.isoformat(timespec="seconds"),
                        r.requester or "",
                        r.requester_claimed,
                        SEP.join(r.on_behalf_of),
                        r.purpose_category or "",
                        json.dumps(_resource(r), sort_keys=True),
                    )
                    for r in rows
                ],
            )
            self._db.executemany(
                "INSERT INTO counts VALUES (?, ?, ?, ?, ?) ON CONFLICT (month, measure, category, outcome) DO UPDATE SET n = n + excluded.n",
                [(*key, n) for key, n in cells.items()],
            )
            if first_entry is not None:
                self._set("first_entry", hashlib.sha256(first_entry).hexdigest())
            if rows and not self._meta("first_time"):
                self._set("first_time", rows[0].time.isoformat(timespec="seconds"))
            if rows:
                self._set("last_time", rows[-1].time.isoformat(timespec="seconds"))
            self._set("upto", str(start + read))
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    # -- reading -----------------------------------------------------------------------------
    def counts(self, since: str = "", until: str = "") -> Counts:
        """The counts of months `since`..`until` (YYYY-MM, inclusive; empty: no bound)."""
        if self._totals is not None:
            return self._counted(self._totals.cells(since, until), *self._totals.times())
        with self._lock:
            rows = self._db.execute(
                "SELECT month, measure, category, outcome, n FROM counts WHERE (? = '' OR month >= ?) AND (? = '' OR month <= ?)",
                (since, since, until, until),
            ).fetchall()
            first, last, updated = self._meta("first_time") or "", self._meta("last_time") or "", self._meta("updated") or ""
        return self._counted(rows, first, last, updated)

    @staticmethod
    def _counted(rows: list[tuple[str, str, str, str, int]], first: str, last: str, updated: str) -> Counts:
        found = Counts(sorted({r[0] for r in rows}), first=first, last=last, updated=updated)
        for month, measure, category, outcome, n in rows:
            found.cells[(measure, category, outcome)] += n
            found.by_month.setdefault(month, Counter())[(measure, category, outcome)] += n
        return found

    def all_counts(self) -> list[tuple[str, str, str, str, int]]:
        if self._totals is not None:
            return self._totals.cells()
        with self._lock:
            return self._db.execute(
                "SELECT month, measure, category, outcome, n FROM counts ORDER BY month, measure, category, outcome"
            ).fetchall()

    def months(self) -> list[str]:
        if self._totals is not None:
            return sorted({row[0] for row in self._totals.cells()})
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT DISTINCT month FROM counts ORDER BY month")]

    def clauses(self) -> list[str]:
        if self._totals is not None:
            return sorted({row[2] for row in self._totals.cells() if row[1] == "clause"})
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT DISTINCT category FROM counts WHERE measure = 'clause' ORDER BY category")]

    def decisions(self, where: DecisionFilter, before: int | None = None, limit: int = 50) -> tuple[list[PublicDecision], int]:
        """Decisions matching `where`, newest first, below log index `before`; and how many match in all."""
        sql, args = where.where()
        with self._lock:
            total = self._db.execute(f"SELECT count(*) FROM decisions WHERE {sql}", args).fetchone()[0]  # noqa: S608 - columns are ours
            page = self._db.execute(
                f"SELECT {PUBLIC_COLUMNS} FROM decisions WHERE {sql} AND idx < ? ORDER BY idx DESC LIMIT ?",  # noqa: S608
                [*args, before if before is not None else 2**62, limit],
            ).fetchall()
        return [
            PublicDecision(
                i, day, agency, fam, kind, outcome, tuple(c for c in clauses.split("|") if c), tuple(d for d in docs.split(SEP) if d)
            )
            for i, day, agency, fam, kind, outcome, clauses, docs in page
        ], total

    def position(self, where: DecisionFilter, before: int | None, limit: int) -> tuple[int, int | None, bool]:
        """Where a page of decisions (`before`, newest first) sits among those matching `where`: the
        number of its first row (1 for the newest), the `before` of the page of newer ones (None: the
        first page), and whether there is one."""
        if before is None:
            return 1, None, False
        sql, args = where.where()
        with self._lock:
            newer = self._db.execute(f"SELECT count(*) FROM decisions WHERE {sql} AND idx >= ?", [*args, before]).fetchone()[0]  # noqa: S608
            above = self._db.execute(
                f"SELECT idx FROM decisions WHERE {sql} AND idx >= ? ORDER BY idx ASC LIMIT 1 OFFSET ?",  # noqa: S608
                [*args, before, limit],
            ).fetchone()
        return newer + 1, (above[0] if above else None), newer > 0

    def pages(self, where: DecisionFilter, before: int | None, limit: int, shown: list[Any], total: int, query: str) -> Pages:
        """The `Pages` of a list page showing `shown` (rows with an `index`) of `total` matches."""
        first, newer_before, newer = self.position(where, before, limit)
        older = shown[-1].index if len(shown) == limit and first + limit - 1 < total else None
        return Pages(first, first + len(shown) - 1, total, newer, newer_before, older, query)

    def outcomes(self, where: DecisionFilter) -> dict[str, int]:
        """How many decisions matching `where` had each outcome."""
        sql, args = where.where()
        with self._lock:
            rows = self._db.execute(f"SELECT outcome, count(*) FROM decisions WHERE {sql} GROUP BY outcome", args).fetchall()  # noqa: S608
        return {outcome: n for outcome, n in rows}

    def staff_decisions(self, where: DecisionFilter, before: int | None = None, limit: int = 200) -> tuple[list[StaffDecision], int, int]:
        """Decisions for the staff list, newest first; how many match, and how many there are."""
        sql, args = where.where()
        with self._lock:
            total = self._db.execute("SELECT count(*) FROM decisions").fetchone()[0]
            matched = self._db.execute(f"SELECT count(*) FROM decisions WHERE {sql}", args).fetchone()[0]  # noqa: S608
            page = self._db.execute(
                "SELECT idx, at, requester, claimed, behalf, family, kind, outcome, clauses FROM decisions "  # noqa: S608
                f"WHERE {sql} AND idx < ? ORDER BY idx DESC LIMIT ?",
                [*args, before if before is not None else 2**62, limit],
            ).fetchall()
        rows = [
            StaffDecision(
                i,
                datetime.fromisoformat(at),
                requester,
                claimed,
                tuple(b for b in behalf.split(SEP) if b),
                fam,
                kind,
                outcome,
                tuple(c for c in clauses.split("|") if c),
            )
            for i, at, requester, claimed, behalf, fam, kind, outcome, clauses in page
        ]
        return rows, matched, total

    def requests(self, since: str = "", until: str = "", limit: int = 1000) -> tuple[list[RecordedRequest], int]:
        """The newest `limit` decided requests of days `since`..`until` (YYYY-MM-DD, inclusive;
        empty: no bound), oldest first, and how many there are in those days. Requests refused
        unread are not among them: there is nothing to decide again."""
        sql, args = DecisionFilter(since, until).where()
        sql += " AND kind != ?"
        args.append(REFUSED)
        with self._lock:
            matched = self._db.execute(f"SELECT count(*) FROM decisions WHERE {sql}", args).fetchone()[0]  # noqa: S608
            page = self._db.execute(
                "SELECT idx, kind, requester, claimed, behalf, purpose, resource, documents FROM decisions "  # noqa: S608
                f"WHERE {sql} ORDER BY idx DESC LIMIT ?",
                [*args, limit],
            ).fetchall()
        rows = [
            RecordedRequest(
                i,
                kind,
                requester,
                claimed,
                tuple(b for b in behalf.split(SEP) if b),
                purpose,
                json.loads(resource),
                tuple(d for d in docs.split(SEP) if d),
            )
            for i, kind, requester, claimed, behalf, purpose, resource, docs in page
        ]
        return rows[::-1], matched
