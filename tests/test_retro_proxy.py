"""PROXY_PATTERN: a search for a plate or person shortly after an immigration agency asked for it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sanctuary.retro import RetroError, ScanOptions, scan

HEADERS = ["ID", "Name", "Org Name", "Total Networks Searched", "License Plate", "Reason", "Search Time"]
SEARCHES = [
    ("s0", "Evanston PD", "ABC 123", "Investigation", "2025-06-01T13:00:00Z"),  # 3 h after ICE asked: proxy
    ("s1", "Evanston PD", "ABC123", "Investigation", "2025-06-01T09:00:00Z"),  # before the request: not
    ("s2", "Evanston PD", "ABC123", "stolen vehicle", "2025-06-05T10:00:00Z"),  # 96 h later: outside the window
    ("s3", "Evanston PD", "DEF456", "locate", "2025-06-01T12:00:00Z"),  # asked for by a city PD: not
    ("s4", "Oak Park PD", "***", "locate Juan Perez vehicle", "2025-06-02T08:00:00Z"),  # person named by HSI: proxy
    ("s5", "Oak Park PD", "GHI789", "robbery suspect", "2025-06-01T11:00:00Z"),  # plate nobody asked for
]
REQUESTS = [
    {"received_at": "2025-06-01T10:00:00Z", "requester": "ICE ERO", "plate": "abc-123", "person": ""},
    {"received_at": "2025-06-01T10:00:00Z", "requester": "Evanston PD", "plate": "DEF456", "person": ""},
    {"received_at": "2025-06-01T20:00:00Z", "requester": "HSI", "plate": "", "person": "Juan Perez"},
]


def write(tmp_path: Path, requests: list[dict] = REQUESTS) -> tuple[Path, Path]:
    export = tmp_path / "org_audit.csv"
    with open(export, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        w.writerows([i, "Officer A", org, "1", plate, reason, t] for i, org, plate, reason, t in SEARCHES)
    log = tmp_path / "requests.csv"
    with open(log, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(requests[0]))
        w.writeheader()
        w.writerows(requests)
    return export, log


def proxy_rows(out: Path) -> dict[str, str]:
    with open(out / "flags.csv", newline="") as fh:
        return {r["source_id"]: r["evidence"] for r in csv.DictReader(fh) if "PROXY_PATTERN" in r["flags"]}


def test_searches_after_immigration_requests_are_flagged(tmp_path):
    export, log = write(tmp_path)
    summary = scan([export], tmp_path / "out", ScanOptions(home_state="IL", requests=log))
    rows = proxy_rows(tmp_path / "out")
    assert set(rows) == {"s0", "s4"}
    assert "ICE ERO asked for plate ABC123" in rows["s0"] and "03:00:00" in rows["s0"]
    assert "HSI asked for person juan perez" in rows["s4"]
    assert summary["proxy"]["immigration_requests"] == 2 and summary["proxy"]["requests"] == 3


def test_window_is_configurable(tmp_path):
    export, log = write(tmp_path)
    scan([export], tmp_path / "out", ScanOptions(home_state="IL", requests=log, proxy_hours=100))
    assert set(proxy_rows(tmp_path / "out")) == {"s0", "s2", "s4"}


def test_without_a_requests_log_nothing_is_a_proxy(tmp_path):
    export, _ = write(tmp_path)
    summary = scan([export], tmp_path / "out", ScanOptions(home_state="IL"))
    assert proxy_rows(tmp_path / "out") == {} and summary["proxy"] is None


@pytest.mark.parametrize(
    ("requests", "message"),
    [
        ([{"when": "2025-06-01T10:00:00Z", "requester": "ICE", "plate": "A"}], "no time column"),
        ([{"received_at": "2025-06-01T10:00:00Z", "requester": "ICE"}], "plate or a person"),
        ([{"received_at": "yesterday", "requester": "ICE", "plate": "A"}], "without a readable time"),
    ],
)
def test_bad_requests_log_names_the_option(tmp_path, requests, message):
    export, log = write(tmp_path, requests)
    with pytest.raises(RetroError, match=message) as exc:
        scan([export], tmp_path / "out", ScanOptions(home_state="IL", requests=log))
    assert exc.value.field == "--requests"
