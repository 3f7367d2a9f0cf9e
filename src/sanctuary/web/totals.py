"""The public report's running totals shared by the replicas of a PostgreSQL log, kept in its database.

One process on SQLite keeps its counts beside the log in its own record (`sanctuary.web.record`);
replicas on one PostgreSQL log keep one set of counts in that database instead, so that every
replica shows the same report and no replica counts what another already counted. `report_folded`
holds how many entries of the log (from index 0) are counted, and the chunk of entries after them is
counted in the same transaction that moves it on, under that row's lock (SELECT ... FOR UPDATE):
two replicas catching up at once count each entry once, the second one after the first has
committed. Nothing here is personal: the counts are those of /report.csv.

If the log is not the one counted (its first entry differs, or it is shorter than the count) or the
counts were made by another `LAYOUT`, they start again from entry 0, as the record's do.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sanctuary.gateway.shared import SCHEMA_LOCK, SharedDatabase, shared_database

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS report_folded (id INTEGER PRIMARY KEY CHECK (id = 1), layout TEXT NOT NULL, "
    "folded BIGINT NOT NULL, first_entry TEXT NOT NULL, first_time TEXT NOT NULL, last_time TEXT NOT NULL, updated TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS report_counts (month TEXT NOT NULL, measure TEXT NOT NULL, category TEXT NOT NULL, "
    "outcome TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (month, measure, category, outcome))",
]
_ADD = (
    "INSERT INTO report_counts AS c VALUES (%s, %s, %s, %s, %s) "
    "ON CONFLICT (month, measure, category, outcome) DO UPDATE SET n = c.n + excluded.n"
)

# (first index, entries) -> (cells {(month, measure, category, outcome): n}, first and last decision's time or '')
Tally = Callable[[int, list[bytes]], tuple[Counter, str, str]]


class SharedTotals:
    """The running totals of one PostgreSQL log, counted once across its replicas."""

    def __init__(self, db: SharedDatabase, layout: str, chunk: int) -> None:
        self.db = db
        self.layout = layout
        self.chunk = chunk
        self._created = False
        # the counts and times as the last fold left them: read with it, so that a page's reads
        # after it cannot fail half-way (a database that fails, fails the fold: 503)
        self._seen: tuple[list[tuple[str, str, str, str, int]], tuple[str, str, str]] = ([], ("", "", ""))

    def _run(self, work: Callable[[Any], Any]) -> Any:
        """`work(connection)` in one transaction, the tables created first (once per process)."""
        if not self._created:
            self.db.run(self._create)
            self._created = True
        return self.db.run(work)

    def _create(self, conn: Any) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))  # concurrent first openings create them once
        for statement in SCHEMA:
            conn.execute(statement)
        conn.execute("INSERT INTO report_folded VALUES (1, %s, 0, '', '', '', '') ON CONFLICT (id) DO NOTHING", (self.layout,))

    def fold(self, decision_log: Any, tally: Tally) -> int:
        """Count the entries no replica has counted yet, a chunk per transaction, then read the
        counts `cells` and `times` give; returns how many entries are counted. Raises Unavailable if
        the database fails, or what the log or `tally` raises (nothing of that chunk is kept)."""
        size = decision_log.size()
        layout, folded, first_entry = self._run(
            lambda conn: conn.execute("SELECT layout, folded, first_entry FROM report_folded WHERE id = 1").fetchone()
        )
        if not self._counted(decision_log, size, layout, folded, first_entry) or folded < size:  # else no lock taken
            while True:
                folded = self._run(lambda conn: self._fold_chunk(conn, decision_log, tally))
                if folded >= size:
                    break
        self._seen = self._run(self._read)
        return int(folded)

    def _counted(self, decision_log: Any, size: int, layout: str, folded: int, first_entry: str) -> bool:
        """Whether the counts are of this log (its first entry, no shorter) and of this `LAYOUT`."""
        return not folded or (layout == self.layout and size >= folded and hashlib.sha256(decision_log.entry(0)).hexdigest() == first_entry)

    @staticmethod
    def _read(conn: Any) -> tuple[list[tuple[str, str, str, str, int]], tuple[str, str, str]]:
        rows = conn.execute("SELECT month, measure, category, outcome, n FROM report_counts ORDER BY month, measure, category, outcome")
        cells = [(month, measure, category, outcome, int(n)) for month, measure, category, outcome, n in rows]
        first, last, updated = conn.execute("SELECT first_time, last_time, updated FROM report_folded WHERE id = 1").fetchone()
        return cells, (first, last, updated)

    def _fold_chunk(self, conn: Any, decision_log: Any, tally: Tally) -> int:
        layout, folded, first_entry = conn.execute(
            "SELECT layout, folded, first_entry FROM report_folded WHERE id = 1 FOR UPDATE"
        ).fetchone()
        size = decision_log.size()  # read under the lock: another replica may have counted further since
        if not self._counted(decision_log, size, layout, folded, first_entry):
            conn.execute("DELETE FROM report_counts")
            conn.execute(
                "UPDATE report_folded SET layout = %s, folded = 0, first_entry = '', first_time = '', last_time = ''", (self.layout,)
            )
            folded = 0
        end = min(size, folded + self.chunk)
        if end <= folded:
            return int(folded)
        data = decision_log.entries(folded, end)
        cells, first_time, last_time = tally(folded, data)
        with conn.cursor() as cursor:
            cursor.executemany(_ADD, [(*key, n) for key, n in cells.items()])
        conn.execute(
            "UPDATE report_folded SET layout = %s, folded = %s, first_entry = CASE WHEN %s = '' THEN first_entry ELSE %s END, "
            "first_time = CASE WHEN first_time = '' THEN %s ELSE first_time END, "
            "last_time = CASE WHEN %s = '' THEN last_time ELSE %s END, updated = %s",
            (
                self.layout,
                end,
                *([hashlib.sha256(data[0]).hexdigest()] * 2 if folded == 0 else ["", ""]),
                first_time,
                last_time,
                last_time,
                datetime.now(UTC).isoformat(timespec="seconds"),
            ),
        )
        return end

    def times(self) -> tuple[str, str, str]:
        """The first and the last counted decision's time, and when the counts last grew ('' if
        never), as of the last `fold`."""
        return self._seen[1]

    def cells(self, since: str = "", until: str = "") -> list[tuple[str, str, str, str, int]]:
        """The counts of months `since`..`until` (YYYY-MM, inclusive; empty: no bound), in order, as
        of the last `fold`."""
        return [row for row in self._seen[0] if (not since or row[0] >= since) and (not until or row[0] <= until)]


def shared_totals(log_url: str, layout: str, chunk: int) -> SharedTotals | None:
    """The totals shared by the replicas when the log is PostgreSQL; None for one process on SQLite."""
    db = shared_database(log_url)
    return None if db is None else SharedTotals(db, layout, chunk)
