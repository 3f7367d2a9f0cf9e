"""The report's arithmetic: agency families from the registry, quarters, the ordinance's counts, CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from sanctuary.agencies import load_registry
from sanctuary.web.entries import LoggedDecision, family
from sanctuary.web.transparency import quarters, to_csv

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


def row(
    index: int,
    when: str,
    kind: str,
    agency: str | None,
    decision: str,
    *,
    documents: tuple[str, ...] = (),
    citations: tuple[str, ...] = (),
    category: str | None = None,
    behalf: tuple[str, ...] = (),
) -> LoggedDecision:
    return LoggedDecision(
        index,
        datetime.fromisoformat(when).replace(tzinfo=UTC),
        kind,
        agency,
        agency or "Someone",
        behalf,
        family(REGISTRY, agency),
        category,
        documents,
        decision,
        citations,
        (),
        (),
        (),
        None,
        {},
    )


def test_quarters_and_the_ordinance_counts() -> None:
    rows = [
        row(0, "2025-02-01", "detention_hold", "ICE-ERO", "deny", documents=("I-247A", "I-200"), citations=("MCC 2-173-020(a)(1)",)),
        row(1, "2025-03-31", "custody_transfer", "USMS", "permit", documents=("judicial_warrant",)),
        row(2, "2025-04-01", "database_query", "FBI", "permit", behalf=("ICE-HSI",)),
        row(3, "2025-06-30", "database_query", "EPD", "deny", category="civil_immigration", citations=("MCC 2-173-030(b)",)),
        row(4, "2025-05-05", "custody_transfer", "ICE-ERO", "deny", citations=("MCC 2-173-020(a)(5)",)),
    ]
    q2, q1 = quarters(rows, REGISTRY)  # newest first
    assert (q1.quarter, q1.total, q2.quarter, q2.total) == ("2025 Q1", 2, "2025 Q2", 3)
    assert (q1.detainers, q1.admin_warrants, q1.immigration_requests) == (1, 1, 1)
    assert q1.transfers == {"U.S. Marshals Service": 1}
    assert q2.immigration_requests == 3  # on behalf of HSI; a civil-immigration purpose; ICE itself
    assert q2.transfers == {} and q2.by_clause == {"MCC 2-173-030(b)": 1, "MCC 2-173-020(a)(5)": 1}
    assert q2.by_family["Local"] == {"deny": 1} and q2.by_kind["database_query"] == {"permit": 1, "deny": 1}
    table = list(csv.DictReader(io.StringIO(to_csv([q2, q1]))))
    assert {r["quarter"] for r in table} == {"2025 Q1", "2025 Q2"}
    for q in (q1, q2):
        kinds = [int(r["count"]) for r in table if r["quarter"] == q.quarter and r["measure"] == "kind"]
        assert sum(kinds) == q.total
    assert any(r["measure"] == "transfers" and r["category"] == "U.S. Marshals Service" for r in table)
