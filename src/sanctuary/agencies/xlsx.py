"""The cells of an .xlsx workbook's first sheet as text, with the standard library only.

An .xlsx file is a zip of XML parts (ECMA-376): `xl/workbook.xml` lists the sheets,
`xl/_rels/workbook.xml.rels` maps them to parts, `xl/sharedStrings.xml` holds the strings that cells
refer to by index. Enough of it is read here for a published list (text, numbers, dates as Excel
serial numbers); formulas give their cached value. No styles, so a date cell arrives as its serial
number and the caller decides (`excel_date`).
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, timedelta
from pathlib import Path
from xml.etree import ElementTree

from sanctuary.errors import SanctuaryError

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_CELL = re.compile(r"^([A-Z]+)(\d+)$")
_EPOCH = date(1899, 12, 30)  # Excel's day 0 (1900 date system, with its leap-year bug folded in)


class XlsxError(SanctuaryError, ValueError):
    """A file that is not a readable .xlsx workbook."""


def first_sheet_rows(path: Path) -> list[list[str]]:
    """Every row of the first worksheet, cells as text ('' where empty), gaps in rows and columns kept:
    Excel writes no element for an empty row, and an error names a row by its number in the sheet."""
    try:
        with zipfile.ZipFile(path) as book:
            strings = _shared_strings(book)
            sheet = ElementTree.fromstring(book.read(_first_sheet_part(book)))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError) as exc:
        raise XlsxError(str(path), f"not a readable .xlsx workbook ({exc})") from None
    rows: list[list[str]] = []
    for row in sheet.iterfind("m:sheetData/m:row", _NS):
        number = row.get("r", "")
        if number.isdigit() and int(number) - 1 > len(rows):
            rows.extend([[]] * (int(number) - 1 - len(rows)))  # one shared empty row: never written to
        cells: dict[int, str] = {}
        for cell in row.iterfind("m:c", _NS):
            m = _CELL.match(cell.get("r", ""))
            column = _column_index(m.group(1)) if m else len(cells)
            cells[column] = _value(cell, strings)
        rows.append([cells.get(i, "") for i in range(max(cells) + 1)] if cells else [])
    return rows


def excel_date(text: str) -> date | None:
    """An Excel serial day number ("45701") as a date; None if the text is not one."""
    try:
        serial = float(text)
    except ValueError:
        return None
    return _EPOCH + timedelta(days=int(serial)) if 1 <= serial < 2958466 else None


def _first_sheet_part(book: zipfile.ZipFile) -> str:
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    sheet = workbook.find("m:sheets/m:sheet", _NS)
    if sheet is None:
        raise KeyError("the workbook has no sheet")
    rel_id = sheet.get(f"{{{_NS['r']}}}id")
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target", "") for r in rels.iterfind("rel:Relationship", _NS) if r.get("Id") == rel_id)
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")) for si in root.iterfind("m:si", _NS)]


def _value(cell: ElementTree.Element, strings: list[str]) -> str:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{{{_NS['m']}}}t")).strip()
    raw = cell.findtext("m:v", default="", namespaces=_NS)
    if kind == "s" and raw:
        return strings[int(raw)].strip()
    if kind == "n" and raw.endswith(".0"):
        return raw[:-2]
    return raw.strip()


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - ord("A") + 1)
    return index - 1
