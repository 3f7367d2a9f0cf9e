"""The public transparency report: counts per quarter from the decision log, never a person.

What is counted is what MCC 2-173's quarterly report asks for (requests for help with civil
immigration enforcement, detainers and administrative warrants received, transfers and to whom)
plus every request by agency family, kind, outcome and clause. Only fields of the log entry that
describe the request's *shape* are read (kind, resolved requester, document types, decision,
citations, time); the pseudonymised identifiers are never touched.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from sanctuary.agencies import Registry
from sanctuary.web.entries import LoggedDecision, family

IMMIGRATION_FAMILIES = ("DHS: ICE", "DHS: CBP", "DHS: USCIS")
ADMIN_WARRANTS = ("I-200", "I-203", "I-205")


@dataclass
class Quarter:
    quarter: str
    total: int = 0
    by_outcome: Counter = field(default_factory=Counter)
    by_family: dict[str, Counter] = field(default_factory=dict)
    by_kind: dict[str, Counter] = field(default_factory=dict)
    by_clause: Counter = field(default_factory=Counter)  # citations of denials
    immigration_requests: int = 0
    detainers: int = 0
    admin_warrants: int = 0
    transfers: Counter = field(default_factory=Counter)  # receiving agency name -> permitted transfers

    def add(self, row: LoggedDecision, registry: Registry) -> None:
        self.total += 1
        self.by_outcome[row.decision] += 1
        self.by_family.setdefault(row.family, Counter())[row.decision] += 1
        self.by_kind.setdefault(row.kind, Counter())[row.decision] += 1
        if row.decision == "deny":
            self.by_clause.update(row.citations)
        parties = [row.family, *(family(registry, a) for a in row.on_behalf_of)]
        if row.purpose_category == "civil_immigration" or any(f in IMMIGRATION_FAMILIES for f in parties):
            self.immigration_requests += 1
        self.detainers += sum(d.startswith("I-247") for d in row.documents)
        self.admin_warrants += sum(d in ADMIN_WARRANTS for d in row.documents)
        if row.kind == "custody_transfer" and row.decision == "permit" and row.requester:
            self.transfers[registry.get(row.requester).name] += 1


def quarters(rows: list[LoggedDecision], registry: Registry) -> list[Quarter]:
    """One Quarter per calendar quarter with decisions, newest first."""
    found: dict[str, Quarter] = {}
    for row in rows:
        found.setdefault(row.quarter, Quarter(row.quarter)).add(row, registry)
    return [found[q] for q in sorted(found, reverse=True)]


CSV_FIELDS = ("quarter", "measure", "category", "outcome", "count")


def to_csv(report: list[Quarter]) -> str:
    """Long format: one row per (quarter, measure, category, outcome) count."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for q in report:
        writer.writerow((q.quarter, "requests", "all", "all", q.total))
        for outcome, n in sorted(q.by_outcome.items()):
            writer.writerow((q.quarter, "outcome", outcome, outcome, n))
        for measure, table in (("agency_family", q.by_family), ("kind", q.by_kind)):
            for category in sorted(table):
                for outcome, n in sorted(table[category].items()):
                    writer.writerow((q.quarter, measure, category, outcome, n))
        for clause, n in sorted(q.by_clause.items()):
            writer.writerow((q.quarter, "denial_clause", clause, "deny", n))
        writer.writerow((q.quarter, "immigration_requests", "all", "all", q.immigration_requests))
        writer.writerow((q.quarter, "detainers_received", "I-247", "all", q.detainers))
        writer.writerow((q.quarter, "administrative_warrants_received", "I-200/I-203/I-205", "all", q.admin_warrants))
        for agency, n in sorted(q.transfers.items()):
            writer.writerow((q.quarter, "transfers", agency, "permit", n))
    return buf.getvalue()
