"""The public record's arithmetic: agency families, months, the ordinance's counts, held apart from
denied, transfers only as transfers, catching up as the log grows, and starting again on another log."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from sanctuary.agencies import load_registry
from sanctuary.web.entries import family
from sanctuary.web.record import DecisionFilter, PublicRecord

REGISTRY = load_registry()


@pytest.mark.parametrize(
    ("agency", "expected"),
    [
        ("ICE-ERO", "DHS: ICE"),
        ("ICE-HSI", "DHS: ICE"),
        ("CBP-USBP", "DHS: CBP"),
        ("USCIS", "DHS: USCIS"),
        ("TSA", "DHS: other"),
        ("FBI", "DOJ"),
        ("FBI-JTTF-CHI", "DOJ"),
        ("ISP", "State"),
        ("CCSO", "Local"),
        ("EPD", "Local"),
        ("FLOCK", "Private"),
        (None, "Unregistered"),
        ("NO-SUCH-AGENCY", "Unregistered"),
    ],
)
def test_agency_family_comes_from_the_registry_ancestors(agency: str | None, expected: str) -> None:
    assert family(REGISTRY, agency) == expected


class ListLog:
    """The three reads the record makes of a decision log, over a list of entries."""

    def __init__(self, entries: list[dict]) -> None:
        self.data = [json.dumps(e).encode() for e in entries]

    def size(self) -> int:
        return len(self.data)

    def entry(self, index: int) -> bytes:
        return self.data[index]

    def entries(self, start: int, end: int) -> list[bytes]:
        return self.data[start:end]


def entry(when: str, kind: str, agency: str | None, decision: str, **extra) -> dict:
    return {"time": f"{when}T12:00:00.000Z", "kind": kind, "requester": agency, "decision": decision, **extra}


ENTRIES = [
    entry("2025-02-01", "detention_hold", "ICE-ERO", "deny", documents=["I-247A", "I-200"], citations=["MCC 2-173-020(a)(1)"]),
    entry("2025-03-31", "custody_transfer", "USMS", "permit", documents=["judicial_warrant"]),
    entry("2025-04-01", "database_query", "FBI", "permit", on_behalf_of=["ICE-HSI"]),
    entry("2025-06-30", "database_query", "EPD", "deny", purpose_category="civil_immigration", citations=["MCC 2-173-030(b)"]),
    entry("2025-05-05", "custody_transfer", "ICE-ERO", "deny", citations=["MCC 2-173-020(a)(5)", "MCC 2-173-020(a)"]),
    entry("2025-05-06", "custody_inquiry", "ICE-ERO", "permit", purpose_category="criminal"),  # permitted, not a transfer
    entry("2025-05-07", "detention_hold", "ICE-ERO", "deny", held={"reason": "verification_required", "reference": "h1"}),
]


def test_months_and_the_ordinance_counts(tmp_path: Path) -> None:
    public = PublicRecord(tmp_path / "record.db", REGISTRY)
    assert public.catch_up(ListLog(ENTRIES)) == len(ENTRIES)
    c = public.counts()
    assert c.months == ["2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
    assert c.n("requests") == 7
    assert (c.n("outcome", "permit", "permit"), c.n("outcome", "deny", "deny"), c.n("outcome", "held", "held")) == (3, 3, 1)
    assert c.n("immigration_agency") == 5  # who asked: ICE itself four times, and on behalf of HSI
    # Entries older than format 3 do not record the decision's fact: the predicate on what they hold
    # counts ERO's requests unless they declared a criminal purpose, and the declared category.
    assert c.n("immigration_purpose") == 4 and c.n("immigration_any") == 0
    assert dict(c.categories("detainers"))["I-247A"]["all"] == 1
    assert dict(c.categories("admin_warrants"))["I-200"]["all"] == 1
    transfers = dict(c.categories("transfers"))
    assert transfers["U.S. Marshals Service"]["permit"] == 1 and transfers["ICE Enforcement and Removal Operations"]["deny"] == 1
    assert sum(n["all"] for n in transfers.values()) == 2  # the permitted inquiry is not a transfer
    assert c.n("clause", "MCC 2-173-020(a)(5)", "deny") == 1 and c.n("clause", "MCC 2-173-020(a)", "all") == 1
    quarter = public.counts("2025-04", "2025-06")
    assert quarter.n("requests") == 5 and quarter.n("kind", "database_query", "all") == 2
    assert (c.first[:10], c.last[:10]) == ("2025-02-01", "2025-05-07")  # the log's order, not the calendar's


def test_the_record_catches_up_and_starts_again_on_another_log(tmp_path: Path) -> None:
    public = PublicRecord(tmp_path / "record.db", REGISTRY)
    log = ListLog(ENTRIES[:3])
    public.catch_up(log)
    assert public.counts().n("requests") == 3
    log.data += ListLog(ENTRIES[3:]).data
    public.catch_up(log)
    assert public.counts().n("requests") == 7 and public.upto() == 7
    reopened = PublicRecord(tmp_path / "record.db", REGISTRY)  # a restart keeps what was counted
    assert reopened.upto() == 7 and reopened.counts().n("requests") == 7
    other = ListLog([entry("2026-01-01", "database_query", "FBI", "permit")] * 2)
    reopened.catch_up(other)
    assert reopened.counts().n("requests") == 2 and reopened.months() == ["2026-01"]


def test_a_record_counted_by_another_version_is_counted_again(tmp_path: Path) -> None:
    """Counts made by an older release (the immigration count was once the declared category) are
    not kept: the record starts again from entry 0 and counts the way this release does."""
    import sqlite3

    public = PublicRecord(tmp_path / "record.db", REGISTRY)
    public.catch_up(ListLog(ENTRIES))
    public.close()
    with sqlite3.connect(tmp_path / "record.db") as db:
        db.execute("UPDATE meta SET value = '2' WHERE key = 'layout'")
        db.execute("UPDATE counts SET n = 99 WHERE measure = 'immigration_purpose'")
    reopened = PublicRecord(tmp_path / "record.db", REGISTRY)
    assert reopened.upto() == 0 and reopened.counts().n("immigration_purpose") == 0
    reopened.catch_up(ListLog(ENTRIES))
    assert reopened.counts().n("immigration_purpose") == 4


def test_decisions_filter_and_page(tmp_path: Path) -> None:
    public = PublicRecord(tmp_path / "record.db", REGISTRY)
    public.catch_up(ListLog(ENTRIES))
    rows, total = public.decisions(DecisionFilter(), limit=3)
    assert total == 7 and [r.index for r in rows] == [6, 5, 4]
    older, _ = public.decisions(DecisionFilter(), before=rows[-1].index, limit=3)
    assert [r.index for r in older] == [3, 2, 1]
    assert public.decisions(DecisionFilter(outcome="held"))[1] == 1
    assert public.decisions(DecisionFilter(family="DHS: ICE", kind="custody_transfer"))[1] == 1
    assert public.decisions(DecisionFilter(clause="MCC 2-173-020(a)"))[1] == 1  # not the (a)(5) that starts alike
    assert public.decisions(DecisionFilter(since="2025-05-01", until="2025-05-31"))[1] == 3


def test_the_requests_what_if_decides_again_come_from_the_record_newest_in_the_period(tmp_path: Path) -> None:
    public = PublicRecord(tmp_path / "record.db", REGISTRY)
    shaped = entry(
        "2025-05-08",
        "database_query",
        "FBI",
        "permit",
        on_behalf_of=["ICE-HSI"],
        purpose_category="criminal",
        resource={"fields": ["arrests"], "search": "person"},
        documents=["judicial_warrant"],
    )
    refused = {"time": "2025-05-09T12:00:00.000Z", "kind": "refused", "requester": None, "decision": "deny", "failure": "unreadable"}
    public.catch_up(ListLog([*ENTRIES, shaped, refused]))
    rows, matched = public.requests(limit=2)
    assert matched == 8 and [r.index for r in rows] == [6, 7]  # the newest two, oldest first; the refused one is not replayed
    last = rows[-1]
    assert (last.kind, last.requester, last.on_behalf_of, last.purpose_category) == ("database_query", "FBI", ("ICE-HSI",), "criminal")
    assert last.resource == {"fields": ["arrests"], "search": "person"} and last.documents == ("judicial_warrant",)
    may, in_may = public.requests("2025-05-01", "2025-05-31", limit=100)
    assert in_may == 4 and [r.index for r in may] == [4, 5, 6, 7]
    assert public.requests("2030-01-01") == ([], 0)


def test_a_record_of_an_older_layout_is_counted_again(tmp_path: Path) -> None:
    path = tmp_path / "record.db"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE decisions (idx INTEGER PRIMARY KEY, day TEXT NOT NULL, agency TEXT NOT NULL, family TEXT NOT NULL,"
        " kind TEXT NOT NULL, outcome TEXT NOT NULL, clauses TEXT NOT NULL, documents TEXT NOT NULL, at TEXT NOT NULL,"
        " requester TEXT NOT NULL, claimed TEXT NOT NULL, behalf TEXT NOT NULL);"
        "CREATE TABLE counts (month TEXT NOT NULL, measure TEXT NOT NULL, category TEXT NOT NULL, outcome TEXT NOT NULL,"
        " n INTEGER NOT NULL, PRIMARY KEY (month, measure, category, outcome)) WITHOUT ROWID;"
        "INSERT INTO meta VALUES ('upto', '7');"
        "INSERT INTO counts VALUES ('2025-02', 'requests', 'all', 'all', 7);"
    )
    old.close()
    public = PublicRecord(path, REGISTRY)
    assert public.upto() == 0 and public.counts().n("requests") == 0  # counted again, not mixed with the old layout
    public.catch_up(ListLog(ENTRIES))
    assert public.requests()[1] == 7 and public.counts().n("requests") == 7
    public.catch_up(ListLog(ENTRIES[:2]))  # another log: started again, the layout kept
    assert PublicRecord(path, REGISTRY).upto() == 2
