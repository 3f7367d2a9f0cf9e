"""Which export this is, and which of its columns hold which field, read from the header alone.

Flock exports differ by vintage and by how they were released (docs/evidence.md, "The vendor's audit exports"):

- `audit`: the Organization/Network Audit, 13 columns (ID, Name, Org Name, Total Networks Searched,
  Time Frame, License Plate, Reason, Case #, Filters, Search Time, Search Type, Text Prompt, Moderation);
- `audit-devices`: older releases with Total Devices Searched (with or without the newer columns);
- `portal`: the transparency portal's search_audit.csv (id, userId, searchDate, networkCount, reason);
- `portal-printed`: the 5-column printed variant (ID, userID, networkCount, Search Time, Reason);
- `pdf-extracted`: tables pulled out of PDFs with underscored headers (Org_Name, Search_Time, ...);
- `mapped`: any other layout, given `--map column=field`.

Headers are compared after dropping case and everything but letters and digits, so "Org Name",
"Org_Name" and "orgName" are one header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sanctuary.retro.errors import RetroError

FIELDS: dict[str, tuple[str, ...]] = {
    "source_id": ("id", "searchid", "auditid"),
    "user": ("name", "userid", "user", "officer", "username"),
    "org": ("orgname", "organization", "organizationname", "organisation", "agency", "agencyname", "org"),
    "networks": ("totalnetworkssearched", "networkcount", "networks", "networkssearched"),
    "devices": ("totaldevicessearched", "devicecount", "devices"),
    "time_frame": ("timeframe",),
    "time_frame_start": ("timeframestart",),
    "time_frame_end": ("timeframeend",),
    "plate": ("licenseplate", "plate", "lpn"),
    "reason": ("reason", "searchreason", "purpose"),
    "offense_type": ("offensetype",),
    "case_number": ("case", "casenumber", "caseno", "casenum"),
    "filters": ("filters",),
    "search_time": ("searchtime", "searchdate", "searchdatetime", "timestamp", "time", "date"),
    "search_type": ("searchtype", "type"),
    "text_prompt": ("textprompt", "prompt"),
    "moderation": ("moderation",),
}


def header_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def find_columns(headers: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """For each field, the first header (as written) matching one of its aliases; a header serves one field."""
    by_key: dict[str, str] = {}
    for h in headers:
        by_key.setdefault(header_key(h), h)
    columns: dict[str, str] = {}
    for field, names in aliases.items():
        hit = next((by_key[a] for a in names if a in by_key), None)
        if hit is not None and hit not in columns.values():
            columns[field] = hit
    return columns


@dataclass(frozen=True)
class Layout:
    """A file's variant and, for each field it has, the column that holds it."""

    variant: str
    columns: dict[str, str]  # field -> column name as written in the file

    def missing(self) -> list[str]:
        return [f for f in FIELDS if f not in self.columns]


def parse_map(pairs: list[str]) -> dict[str, str]:
    """`--map "Agency Name=org"` -> {"org": "Agency Name"}; unknown fields are errors."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, field = pair.rpartition("=")
        field = field.strip()
        if not sep or not column.strip():
            raise RetroError("--map", f"{pair!r}: expected column=field")
        if field not in FIELDS:
            raise RetroError("--map", f"{pair!r}: unknown field {field!r}; fields are {', '.join(FIELDS)}")
        mapping[field] = column.strip()
    return mapping


def detect(path: str, headers: list[str], mapping: dict[str, str] | None = None) -> Layout:
    """The layout of one file from its header; `mapping` (from --map) overrides detection per field."""
    columns = find_columns(headers, FIELDS)
    for field, column in (mapping or {}).items():
        if column not in headers:
            raise RetroError("--map", f"{path}: no column {column!r}; the file has {', '.join(headers)}")
        columns = {f: c for f, c in columns.items() if c != column}
        columns[field] = column
    if "reason" not in columns and "org" not in columns:
        raise RetroError(
            "header",
            f"{path}: found neither a reason nor an organisation column among {', '.join(headers)}; "
            "pass --map column=field (fields: " + ", ".join(FIELDS) + ")",
        )
    return Layout(_variant(headers, columns, bool(mapping)), columns)


def _variant(headers: list[str], columns: dict[str, str], mapped: bool) -> str:
    keys = {header_key(h) for h in headers}
    if mapped:
        return "mapped"
    if any("_" in h for h in headers) and "org" in columns:
        return "pdf-extracted"
    if {"userid", "searchdate", "networkcount"} <= keys:
        return "portal"
    if {"userid", "networkcount", "searchtime"} <= keys:
        return "portal-printed"
    if "org" in columns and "totaldevicessearched" in keys:
        return "audit-devices"
    if "org" in columns and "totalnetworkssearched" in keys:
        return "audit"
    return "generic"
