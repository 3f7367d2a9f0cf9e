"""The importer for ICE's 287(g) participating-agency list (saved as CSV)."""

from __future__ import annotations

import zipfile
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


M = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def write_xlsx(path, rows_xml: str, strings: list[str]) -> None:
    """A minimal workbook as Excel writes it: shared strings, a title row, dates as serial numbers."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", f'<workbook {M} {R}><sheets><sheet name="287g" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr("xl/sharedStrings.xml", f"<sst {M}>" + "".join(f"<si><t>{t}</t></si>" for t in strings) + "</sst>")
        z.writestr("xl/worksheets/sheet1.xml", f"<worksheet {M}><sheetData>{rows_xml}</sheetData></worksheet>")


def test_the_published_xlsx_is_read(tmp_path):
    strings = [
        "Participating agencies",
        "STATE",
        "LAW ENFORCEMENT AGENCY",
        "TYPE",
        "SUPPORT TYPE",
        "SIGNED",
        "Florida",
        "Collier County Sheriff's Office",
        "County",
        "Jail Enforcement Model",
    ]
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        '<row r="3"><c r="A3" t="s"><v>1</v></c><c r="B3" t="s"><v>2</v></c><c r="C3" t="s"><v>3</v></c>'
        '<c r="D3" t="s"><v>4</v></c><c r="E3" t="s"><v>5</v></c></row>'
        '<row r="4"><c r="A4" t="s"><v>6</v></c><c r="B4" t="s"><v>7</v></c><c r="C4" t="s"><v>8</v></c>'
        '<c r="D4" t="s"><v>9</v></c><c r="E4"><v>45701</v></c></row>'
        '<row r="5"><c r="A5" t="inlineStr"><is><t>TX</t></is></c><c r="B5" t="inlineStr"><is><t>Tarrant County Sheriff\'s Office</t></is></c></row>'
    )
    path = tmp_path / "287g.xlsx"
    write_xlsx(path, rows, strings)
    g = load_g287(path)
    assert [(a.state, a.agency, a.type, a.support_type, a.signed) for a in g.agreements] == [
        ("FL", "Collier County Sheriff's Office", "County", "Jail Enforcement Model", date(2025, 2, 13)),
        ("TX", "Tarrant County Sheriff's Office", None, None, None),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"), [("287g.xlsx", b"PK not a zip", "not a readable .xlsx"), ("287g.xls", b"\xd0\xcf", "binary .xls")]
)
def test_unreadable_spreadsheets_say_what_to_do(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(G287Error, match=message):
        load_g287(path)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ('<row r="2"><c r="A2" t="s"><v>0</v></c></row>', "header: no row in the first 15 names both"),
        (
            '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c></row><row r="3"><c r="A3" t="s"><v>2</v></c></row>',
            "287g.xlsx: row 3: agency: empty",
        ),
    ],
)
def test_an_xlsx_missing_the_agency_column_or_cell_names_it(tmp_path, rows, message):
    """The workbook as published is read as strictly as its CSV: no agreement without its agency."""
    path = tmp_path / "287g.xlsx"
    write_xlsx(path, rows, ["STATE", "LAW ENFORCEMENT AGENCY", "Florida"])
    with pytest.raises(G287Error, match=message):
        load_g287(path)
