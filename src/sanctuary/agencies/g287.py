"""ICE's published list of 287(g) agreements, read from its spreadsheet (.xlsx or CSV).

ICE publishes the list as an Excel sheet that each update replaces, with no agreement ids. The column
names were not verified against the sheet itself: the importer takes the fields third-party trackers
describe (State, Law Enforcement Agency, Type or County, Support Type or Model, Signed date), finds
the header row among the first rows (title rows above it are skipped) and accepts the header
variants in `_ALIASES`. It reads the .xlsx as published (its first sheet, with the standard library:
`xlsx.py`) or the sheet saved as CSV; not the old binary .xls. A small sample the project writes
ships with the package.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sanctuary.agencies.states import state_code
from sanctuary.agencies.xlsx import XlsxError, excel_date, first_sheet_rows
from sanctuary.errors import SanctuaryError

SAMPLE = Path(__file__).parent / "data" / "287g-sample.csv"
_ALIASES: dict[str, tuple[str, ...]] = {
    "state": ("state", "st"),
    "agency": ("lawenforcementagency", "agency", "agencyname", "lea", "leaname", "participatingagency"),
    "type": ("type", "agencytype", "leatype", "county", "typecounty"),
    "support_type": ("supporttype", "model", "287gmodel", "program", "supportmodel", "agreementtype"),
    "signed": ("signed", "signeddate", "datesigned", "moasigned", "moasigneddate", "signeddateofmoa"),
}
_DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d-%b-%y", "%B %d, %Y")
_HEADER_SEARCH_ROWS = 15


class G287Error(SanctuaryError, ValueError):
    """A 287(g) list that cannot be read: names the file, the row and the field."""


@dataclass(frozen=True)
class Agreement:
    state: str
    agency: str
    type: str | None
    support_type: str | None
    signed: date | None


@dataclass(frozen=True)
class AgreementList:
    source: str
    agreements: tuple[Agreement, ...]
    sample: bool
    warnings: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.agreements)


def load_g287(path: str | Path | None = None) -> AgreementList:
    """Read the list at `path` (CSV), or the shipped sample when no path is given."""
    source = Path(path) if path is not None else SAMPLE
    if source.suffix.lower() == ".xls":
        raise G287Error(str(source), "the old binary .xls format is not read; save the sheet as .xlsx or CSV")
    try:
        if source.suffix.lower() == ".xlsx":
            rows = first_sheet_rows(source)
        else:
            text = source.read_text(encoding="utf-8-sig")
            rows = list(csv.reader(line for line in text.splitlines() if not line.startswith("#")))
    except (OSError, UnicodeDecodeError, XlsxError) as exc:
        raise G287Error(str(source), str(exc)) from None
    header_at, columns = _find_header(rows, source)
    agreements, warnings = [], []
    for offset, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not any(cell.strip() for cell in row):
            continue
        value = {f: (row[i].strip() if i < len(row) else "") for f, i in columns.items()}
        where = f"{source}: row {offset}"
        if not value["agency"]:
            raise G287Error(str(where), "agency: empty")
        state = state_code(value["state"])
        if state is None:
            raise G287Error(str(where), f"state: {value['state']!r} is not a US state or territory")
        signed = _date(value.get("signed", ""))
        if value.get("signed") and signed is None:
            warnings.append(f"{where}: signed: {value['signed']!r} is not a date; left empty")
        agreements.append(Agreement(state, value["agency"], value.get("type") or None, value.get("support_type") or None, signed))
    return AgreementList(str(source), tuple(agreements), sample=source == SAMPLE, warnings=tuple(warnings))


def _find_header(rows: list[list[str]], source: Path) -> tuple[int, dict[str, int]]:
    for at, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        keys = [re.sub(r"[^a-z0-9]", "", cell.casefold()) for cell in row]
        columns = {}
        for field, aliases in _ALIASES.items():
            hit = next((i for i, k in enumerate(keys) if k in aliases), None)
            if hit is not None:
                columns[field] = hit
        if "state" in columns and "agency" in columns:
            return at, columns
    raise G287Error(
        str(source), f"header: no row in the first {_HEADER_SEARCH_ROWS} names both a State and a Law Enforcement Agency column"
    )


def _date(text: str) -> date | None:
    if re.fullmatch(r"\d{5}(\.0+)?", text.strip()):
        return excel_date(text)  # a date cell of the .xlsx, as Excel's serial day number
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None
