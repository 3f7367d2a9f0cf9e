"""Reading exports with DuckDB: CSV (plain or gzip), NDJSON and Parquet, into one canonical Parquet file each.

Every cell is read as text and cleaned in SQL: `***` (the vendor's redaction) and blanks become NULL,
"6,264" becomes 6264, and US ("11/14/2025, 09:53:36 AM UTC") and ISO ("2026-03-10T05:17:06.087Z")
timestamps become UTC timestamps. `stage_export` streams each file, in file order, straight to a
Parquet file of the scan's staging folder, numbering its rows as they come (`row`: the 0-based data
row number in the file; quoted multi-line cells count as one row), so a scan of hundreds of files
holds no file whole in memory, and every later pass reads compact Parquet.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import shutil
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from sanctuary.retro.columns import Layout, detect
from sanctuary.retro.errors import RetroError
from sanctuary.retro.owners import Owners

US_FORMATS = tuple(
    f + suffix
    for f in (
        "%m/%d/%Y, %I:%M:%S %p",
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y, %I:%M %p",
        "%m/%d/%Y %I:%M %p",
        "%m/%d/%Y, %H:%M:%S",
        "%m/%d/%Y %H:%M:%S",
        "%m/%d/%Y %H:%M",
        "%m/%d/%Y",
    )
    for suffix in (" UTC", "")
)
_ISO = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")
# The canonical columns every file's table has, in this order (NULL where the file lacks the field).
CANONICAL = ("source_id", "org", "reason", "offense_type", "text_prompt", "case_number", "networks", "plate", "search_time")


@dataclass
class FileInfo:
    path: str
    format: str
    variant: str
    columns: dict[str, str]
    rows: int = 0
    kind: str = ""  # "network audit" (many organisations), "organization audit" (one), or "" (none named)
    unparsed_times: int = 0
    missing: list[str] = field(default_factory=list)
    owner: str | None = None  # the agency whose export it is (retro.owners)
    owner_how: str = "unknown"  # how that is known
    org_column: bool = True  # False: no organisation column; its rows are the owner's own searches


SUFFIXES = (".csv", ".tsv", ".txt", ".ndjson", ".jsonl", ".json", ".parquet", ".pq")


def is_export(path: Path) -> bool:
    """A file a folder scan reads: an export format, not a manifest."""
    name = path.name.lower()
    return (
        path.is_file()
        and not name.startswith(".")
        and name not in ("manifest.csv", "owners.csv")
        and any(name.endswith(s) or name.endswith(s + ".gz") for s in SUFFIXES if s != ".txt")
    )


def file_format(path: Path) -> str:
    name = path.name.lower()
    for suffix, fmt in (
        (".csv", "csv"),
        (".tsv", "csv"),
        (".txt", "csv"),
        (".ndjson", "ndjson"),
        (".jsonl", "ndjson"),
        (".json", "ndjson"),
        (".parquet", "parquet"),
        (".pq", "parquet"),
    ):
        if name.endswith(suffix) or name.endswith(suffix + ".gz"):
            return fmt
    raise RetroError("file", f"{path}: unknown format; expected .csv, .csv.gz, .ndjson, .jsonl(.gz) or .parquet")


def reader(path: Path, columns: list[str] | None = None, untyped: bool = False) -> str:
    """The DuckDB table function that reads `path`, every column as text. `columns`: a JSON file's
    keys, as `headers` found them (read as text, without sampling the file again). `untyped`: a JSON
    file's values are left as JSON, not typed (only its keys are wanted)."""
    quoted = "'" + str(path).replace("'", "''") + "'"
    fmt = file_format(path)
    if fmt == "csv":  # the dialect is fixed, so a malformed row is an error rather than a silent misread
        delim = "\t" if ".tsv" in path.name.lower() else ","
        return f"read_csv({quoted}, all_varchar=true, header=true, delim='{delim}', quote='\"', escape='\"', strict_mode=true, skip=0)"
    if fmt == "ndjson":  # .json may also hold one array of records
        layout = "auto" if ".json" in path.name.lower() else "newline_delimited"
        if columns:
            keys = ", ".join(_literal(c) + ": 'VARCHAR'" for c in columns)
            return f"read_json({quoted}, format='{layout}', columns={{{keys}}})"
        return f"read_json({quoted}, format='{layout}'{', maximum_depth=1' if untyped else ''})"
    return f"read_parquet({quoted})"


def first_record(path: Path) -> tuple[list[str], list[str]] | None:
    """A CSV's header and first data record, read with the standard library (no DuckDB sampling:
    a state's exports are hundreds of files); None when they cannot be read so (DuckDB decides)."""
    if file_format(path) != "csv":
        return None
    try:
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
            rows = csv.reader(fh, delimiter="\t" if ".tsv" in path.name.lower() else ",")
            header = next(rows, None)
            record = next(rows, [])
    except (OSError, UnicodeDecodeError, csv.Error, EOFError):
        return None
    if not header or any(not h.strip() for h in header) or len(set(header)) < len(header):
        return None  # DuckDB renames empty and repeated names: let it read the header
    return header, record


def headers(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    if not path.is_file():
        raise RetroError("file", f"{path}: no such file")
    quick = first_record(path)
    if quick is not None:
        return quick[0]
    try:
        if file_format(path) == "ndjson":
            # DuckDB's names for the keys without typing the values: a third cheaper. Untyped values are
            # all alike, so an object that is one MAP typed ("json") may have columns typed: ask again then
            names = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {reader(path, untyped=True)}").fetchall()]
            if names != ["json"]:
                return names
        return [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {reader(path)}").fetchall()]
    except duckdb.Error as exc:
        raise RetroError("file", f"{path}: cannot be read: {_first_line(exc)}") from None


def stage_export(
    con: duckdb.DuckDBPyConnection,
    index: int,
    path: Path,
    mapping: dict[str, str] | None,
    stage: Path,
    owners: Owners,
    plates: bool = True,
) -> FileInfo:
    """Read one export, in one streaming pass, into `stage`/<index>.parquet with the canonical
    columns (and `file_index`, `row`: its place in the file, `has_reason`); return what was found.
    The organisation of a file without an organisation column is its owner (its own searches).
    `plates`: keep the plate column (only matching requests received reads it)."""
    names = headers(con, path)
    layout = detect(str(path), names, mapping)
    has_org = "org" in layout.columns
    owner = owners.of(path) if not has_org else None
    target = stage / f"{index}.parquet"
    source = path
    try:
        if path.name.lower().endswith(".gz") and file_format(path) != "parquet":
            source = _gunzip(path, stage / f"{index}-{path.name[:-3]}")
        iso = _iso_times(con, path, layout)
        columns = []
        for f in CANONICAL:
            if f == "org" and not has_org:
                columns.append(f"{_literal(owner.name if owner else None)}::VARCHAR AS org")
            elif f == "plate" and not plates:
                columns.append("NULL::VARCHAR AS plate")
            else:
                columns.append(f"{_expr(layout, f, iso)} AS {f}")
        con.execute(
            f"COPY (SELECT {int(index)} AS file_index, row_number() OVER () - 1 AS row, {', '.join(columns)}, "
            f"{'reason' in layout.columns} AS has_reason FROM {reader(source, names)}) TO {_literal(str(target))} "
            "(FORMAT parquet, COMPRESSION uncompressed)"
        )
        rows, orgs, unparsed, one = con.execute(
            f"SELECT count(*), count(DISTINCT org), count(*) FILTER (search_time IS NULL), min(org) FROM read_parquet({_literal(str(target))})"
        ).fetchall()[0]
    except duckdb.Error as exc:
        target.unlink(missing_ok=True)
        raise RetroError("file", f"{path}: cannot be read: {_first_line(exc)}") from None
    finally:
        if source != path:
            source.unlink(missing_ok=True)
    if owner is None:
        owner = owners.of(path, one if orgs == 1 else None)
    kind = "network audit" if orgs > 1 else "organization audit" if orgs == 1 else ""
    has_time = "search_time" in layout.columns
    return FileInfo(
        path=str(path),
        format=file_format(path),
        variant=layout.variant,
        columns=layout.columns,
        rows=rows,
        kind=(kind or "") if has_org else "the owner's own searches",
        unparsed_times=unparsed if has_time else 0,
        missing=layout.missing(),
        owner=owner.name,
        owner_how=owner.how,
        org_column=has_org,
    )


def _gunzip(path: Path, plain: Path) -> Path:
    """`path` decompressed to `plain` (the same name without .gz, so read the same way): Python's zlib
    inflates a third faster than DuckDB's reader, and the file is then read as plain text."""
    try:
        with gzip.open(path, "rb") as packed, plain.open("wb") as out:
            shutil.copyfileobj(packed, out, 1 << 20)
    except (OSError, EOFError, zlib.error) as exc:
        plain.unlink(missing_ok=True)
        raise RetroError("file", f"{path}: cannot be read: {exc}") from None
    return plain


def _literal(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def _iso_times(con: duckdb.DuckDBPyConnection, path: Path, layout: Layout) -> bool:
    """Whether the file writes ISO times (tried first, since a failed parse is the costly part),
    from its first record when that has one, else from the first time DuckDB finds."""
    column = layout.columns.get("search_time")
    if column is None:
        return True
    first = _first_value(path, column)
    if first:
        return bool(_ISO.match(first))
    sample = con.execute(
        f"SELECT CAST({_quote(column)} AS VARCHAR) FROM {reader(path)} WHERE {_quote(column)} IS NOT NULL LIMIT 1"
    ).fetchall()
    return bool(sample and _ISO.match(sample[0][0]))


def _first_value(path: Path, column: str) -> str | None:
    """`column` of the first record of a CSV or newline-delimited JSON file, read with the standard
    library; None when it is empty or cannot be read so."""
    quick = first_record(path)
    if quick is not None:
        at = quick[0].index(column) if column in quick[0] else len(quick[1])
        return quick[1][at].strip() or None if at < len(quick[1]) else None
    name = path.name.lower()
    if not any(name.endswith(s) or name.endswith(s + ".gz") for s in (".ndjson", ".jsonl")):
        return None
    try:
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8-sig") as fh:
            record = json.loads(fh.readline() or "{}")
    except (OSError, UnicodeDecodeError, ValueError, EOFError):
        return None
    value = record.get(column) if isinstance(record, dict) else None
    return value.strip() or None if isinstance(value, str) else None


def _expr(layout: Layout, field: str, iso: bool) -> str:
    column = layout.columns.get(field)
    if column is None:
        return "NULL::TIMESTAMP" if field == "search_time" else "NULL::BIGINT" if field == "networks" else "NULL::VARCHAR"
    text = text_expr(column)
    if field == "networks":  # most cells are plain digits: cast them as they are, clean only the rest ("6,264")
        return f"coalesce(TRY_CAST(CAST({_quote(column)} AS VARCHAR) AS BIGINT), TRY_CAST(replace({text}, ',', '') AS BIGINT))"
    if field == "plate":
        return plate_expr(text)
    if field == "search_time":
        return time_expr(text, iso)
    return text


def text_expr(column: str) -> str:
    """A column as trimmed text; blanks and `***` redactions become NULL. Most cells need neither
    (no space or `*` at either end, not empty): they pass as they are, since trimming every cell of
    a state's exports costs more than reading them."""
    raw = f"CAST({_quote(column)} AS VARCHAR)"
    value = f"trim({raw})"
    edge = f"{raw} = '' OR {raw} LIKE ' %' OR {raw} LIKE '% ' OR {raw} LIKE '*%'"  # LIKE: cheaper than starts_with here
    return f"(CASE WHEN {edge} THEN (CASE WHEN ltrim({value}, '*') = '' THEN NULL ELSE {value} END) ELSE {raw} END)"


def plate_expr(text: str) -> str:
    """Plates compare without case, spaces or dashes: "abc-123" = "ABC123"."""
    return f"NULLIF(regexp_replace(upper({text}), '[^A-Z0-9]', '', 'g'), '')"


def time_expr(text: str, iso_first: bool = True) -> str:
    """ISO-8601 (any offset, converted to UTC) or US month/day/year, with or without a trailing "UTC"."""
    iso = f"CAST(TRY_CAST({text} AS TIMESTAMPTZ) AS TIMESTAMP)"
    us = f"try_strptime({text}, [{', '.join(repr(f) for f in US_FORMATS)}])"
    return f"COALESCE({iso}, {us})" if iso_first else f"COALESCE({us}, {iso})"


def _quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _first_line(exc: Exception) -> str:
    """DuckDB's message without its dump of reader options."""
    return " ".join(line.strip() for line in str(exc).strip().splitlines()[:2])
