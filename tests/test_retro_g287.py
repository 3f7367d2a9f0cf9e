"""The importer for ICE's 287(g) participating-agency list (saved as CSV)."""

from __future__ import annotations

from datetime import date

import pytest

from sanctuary.agencies.g287 import SAMPLE, G287Error, load_g287


def test_shipped_sample_loads_offline():
    g = load_g287()
    assert g.sample and g.source == str(SAMPLE)
    assert len(g) >= 5
    assert all(len(a.state) == 2 and a.agency for a in g.agreements)


def test_header_variants_title_rows_and_dates(tmp_path):
    path = tmp_path / "287g.csv"
    path.write_text(
        "Participating Agencies as of 11/20/2025,,,,\n"
        ",,,,\n"
        "State,LEA Name,Agency Type,Model,Date Signed\n"
        "Florida,Collier County Sheriff's Office,County,Jail Enforcement Model,2/13/2025\n"
        "TX,Tarrant County Sheriff's Office,County,Warrant Service Officer,2025-03-01\n"
        ",,,,\n"
        "GA,Example PD,Municipality,Task Force Model,not a date\n"
    )
    g = load_g287(path)
    assert not g.sample
    assert [(a.state, a.agency, a.support_type, a.signed) for a in g.agreements] == [
        ("FL", "Collier County Sheriff's Office", "Jail Enforcement Model", date(2025, 2, 13)),
        ("TX", "Tarrant County Sheriff's Office", "Warrant Service Officer", date(2025, 3, 1)),
        ("GA", "Example PD", "Task Force Model", None),
    ]
    assert len(g.warnings) == 1 and "signed" in g.warnings[0]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Agency,Signed\nX,1/1/2025\n", "header"),
        ("State,Law Enforcement Agency\nNarnia,X PD\n", "state"),
        ("State,Law Enforcement Agency\nFL,\n", "agency"),
    ],
)
def test_bad_rows_name_the_field(tmp_path, text, field):
    path = tmp_path / "287g.csv"
    path.write_text(text)
    with pytest.raises(G287Error, match=f"{field}:"):
        load_g287(path)


def test_excel_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "287g.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(G287Error, match="save the sheet as CSV"):
        load_g287(path)
