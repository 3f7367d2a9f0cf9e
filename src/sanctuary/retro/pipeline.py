"""`sanctuary scan`: flag every row of vendor audit exports that points at immigration enforcement.

The pipeline, each step in DuckDB except the two classifications, which run once per DISTINCT value:

1. read each file (a folder: every export in it, any format) into a canonical Parquet file of a
   staging folder, one file at a time, in file order so `row` is the row number; find its owner
   (load.py, owners.py);
2. screen each distinct reason / text prompt / offense type / case number (flags.classify_purpose);
3. resolve each distinct organisation (orgs.py) and the 287(g) list;
4. optionally match a log of requests received (proxy.py);
5. join back with the flagging SQL (flags.sql, which Spark runs as well), write flags.parquet,
   flags.csv, orgs.csv, summary.json, report.html, and one page per searching organisation.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from sanctuary.agencies import load_registry
from sanctuary.agencies.g287 import load_g287
from sanctuary.agencies.states import state_code
from sanctuary.retro.errors import RetroError
from sanctuary.retro.flags import (
    CODES,
    DIRECT,
    PURPOSE_SIGNALS,
    REACH,
    PurposeFlags,
    classify_purpose,
    code_table,
    lettered,
    org_flags,
    shape,
)
from sanctuary.retro.load import FileInfo, is_export, stage_export
from sanctuary.retro.orgs import OrgResolver
from sanctuary.retro.owners import Owners
from sanctuary.retro.proxy import load_requests, match_requests
from sanctuary.retro.report import write_org_reports, write_report
from sanctuary.retro.sql import TABLES, flag_query

Progress = Callable[[str, int, int], None]  # (step, done, total)
_CHUNK = 2000  # distinct values classified between progress updates
_TOP_ORGS = 25
_SAMPLE = 200  # rows of direct evidence listed in summary.json and report.html (all are in flags.csv)
_UNSORTED = ".flags-unsorted.parquet"
_STAGE = ".stage"
# flags.parquet: Parquet 2 pages (delta-encoded, so smaller than snappy Parquet 1 here) without
# compression, a quarter less CPU to write; pyarrow, pandas, DuckDB and Spark read it. Row groups of
# 30,720 rows (a quarter of DuckDB's default): about 9% less CPU to write, 2% larger.
_FLAGS_PARQUET = "(FORMAT parquet, COMPRESSION uncompressed, PARQUET_VERSION v2, ROW_GROUP_SIZE 30720)"
SORT_LIMIT = 2_000_000  # flagged rows up to which flags.parquet is in file and row order and flags.csv is written


@dataclass
class ScanOptions:
    home_state: str
    national_threshold: int = 1000
    mapping: dict[str, str] = field(default_factory=dict)
    g287: Path | None = None  # ICE's 287(g) list (.xlsx or CSV); None: the shipped sample
    registry_extra: list[Path] = field(default_factory=list)
    requests: Path | None = None
    proxy_hours: float = 48.0
    memory_limit: str = "3GB"
    threads: int | None = None  # DuckDB threads; None: one per core (the web app scans with one)
    agency: str | None = None  # the agency whose exports these are (--agency); None: from manifest, name or content
    tables: Path | None = None  # also write the inputs of flags.sql here, as Parquet (for Spark: retro/spark.py)
    org_reports: bool = True  # one page per searching organisation, in orgs/


def expand(paths: list[Path]) -> tuple[list[Path], Path | None]:
    """The exports to scan: each file given, and every export under each folder given (sorted);
    the folder given, if one, is where manifests are looked for up to."""
    files: list[Path] = []
    root = None
    for path in paths:
        if path.is_dir():
            root = path if root is None else root
            found = sorted(p for p in path.rglob("*") if is_export(p) and _STAGE not in p.parts)
            if not found:
                raise RetroError("FILE", f"{path}: no export in this folder (.csv, .csv.gz, .ndjson, .jsonl, .json, .parquet)")
            files.extend(found)
        else:
            files.append(path)
    return files, root


def scan(files: list[Path], out: Path, options: ScanOptions, progress: Progress | None = None) -> dict:
    """Scan `files` into `out`; return the summary (also written as summary.json)."""
    started = time.monotonic()
    step = progress or (lambda _s, _d, _t: None)
    files, root = expand(files)
    home = state_code(options.home_state)
    if home is None:
        raise RetroError("--home-state", f"{options.home_state!r} is not a US state or territory code")
    if not files:
        raise RetroError("FILE", "give at least one export to scan")
    if len({str(f) for f in files}) < len(files):
        raise RetroError("FILE", "the same file is given more than once")
    if options.national_threshold < 1:
        raise RetroError("--national-threshold", "must be at least 1")
    if options.proxy_hours <= 0:
        raise RetroError("--proxy-hours", "must be more than 0")
    registry = load_registry(options.registry_extra)
    g287 = load_g287(options.g287)
    resolver = OrgResolver(registry, g287)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RetroError("--out", f"{out}: {exc.strerror or exc}") from None
    con = _connect(out, options)
    stage = out / _STAGE
    try:
        stage.mkdir(exist_ok=True)
        infos = _load(con, files, options, Owners(options.agency, root), stage, step)
        purposes = _classify_purposes(con, registry, step)
        orgs = _resolve_orgs(con, resolver, home, step)
        proxy = None
        if options.requests is not None:
            step("matching requests received", 0, 1)
            proxy = load_requests(con, options.requests, resolver)
            match_requests(con, options.proxy_hours)
            step("matching requests received", 1, 1)
        else:
            con.execute("CREATE TEMP TABLE proxy (file_index INTEGER, row BIGINT, evidence VARCHAR)")
        step("flagging and writing rows", 0, 1)
        try:
            _write_flags(con, infos, out, options.national_threshold)
        except (duckdb.Error, OSError) as exc:
            raise RetroError("--out", f"{out}: results could not be written: {str(exc).splitlines()[0]}") from None
        step("flagging and writing rows", 1, 1)
        if options.tables is not None:
            _write_tables(con, stage, options.tables)
        step("writing results", 0, 2)
        summary = _summarise(con, infos, home, options, g287, purposes, orgs, proxy)
        summary["registry_sha256"] = registry.digest()  # which registry resolved the organisations
        by_org = _per_org(con, summary) if options.org_reports else []
        summary["seconds"] = round(time.monotonic() - started, 2)
        (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
        step("writing results", 1, 2)
        write_report(summary, out / "report.html")
        if by_org:
            write_org_reports(summary, by_org, out / "orgs")
        step("writing results", 2, 2)
        return summary
    finally:
        con.close()
        shutil.rmtree(out / ".duckdb-tmp", ignore_errors=True)
        shutil.rmtree(stage, ignore_errors=True)
        (out / _UNSORTED).unlink(missing_ok=True)


def _connect(out: Path, options: ScanOptions) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = {_sql_str(options.memory_limit)}")
    except duckdb.Error as exc:
        con.close()
        raise RetroError("--memory-limit", f"{options.memory_limit!r}: {str(exc).splitlines()[0]}") from None
    con.execute(f"SET temp_directory = {_sql_str(out / '.duckdb-tmp')}")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")
    if options.threads:
        con.execute(f"SET threads = {int(options.threads)}")
    return con


def _load(
    con: duckdb.DuckDBPyConnection, files: list[Path], options: ScanOptions, owners: Owners, stage: Path, step: Progress
) -> list[FileInfo]:
    step("reading exports", 0, len(files))
    workers = max(1, min(options.threads or os.cpu_count() or 1, len(files)))

    def read(i: int) -> FileInfo:
        cursor = con.cursor()  # a connection of its own to the same database: files are read side by side
        try:
            return stage_export(cursor, i, files[i], options.mapping, stage, owners, plates=options.requests is not None)
        finally:
            cursor.close()

    threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    if workers > 1:  # the files side by side use the cores; a file read by several threads costs more CPU
        con.execute("SET threads = 1")
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(read, i) for i in range(len(files))]
            try:
                for done, _ in enumerate(as_completed(futures), 1):
                    step("reading exports", done, len(files))
                infos = [f.result() for f in futures]  # in file order; the first file that failed raises
            except BaseException:
                for f in futures:
                    f.cancel()
                raise
    finally:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("SET preserve_insertion_order = false")  # row numbers are fixed (`row`); let the rest run in parallel
    con.execute(f"CREATE TEMP VIEW rows AS SELECT * FROM read_parquet({_sql_str(stage / '*.parquet')})")
    con.execute("CREATE TEMP TABLE files (file_index INTEGER, path VARCHAR)")
    con.executemany("INSERT INTO files VALUES (?, ?)", [[i, info.path] for i, info in enumerate(infos)])
    return infos


def _classify_purposes(con: duckdb.DuckDBPyConnection, registry, step: Progress) -> int:
    values = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT v FROM (SELECT reason AS v FROM rows UNION ALL SELECT text_prompt FROM rows "
            "UNION ALL SELECT offense_type FROM rows "
            "UNION ALL SELECT case_number FROM rows WHERE regexp_matches(case_number, '\\pL')) WHERE v IS NOT NULL"
        ).fetchall()
    ]
    classified: list[PurposeFlags] = []  # one per shape (retro.flags.shape)
    by_shape: dict[str, int] = {}
    at: list[int] = []  # each value's shape, as its place in `classified`
    for start in range(0, len(values), _CHUNK):
        step("screening distinct reasons", start, len(values))
        for value in values[start : start + _CHUNK]:
            key = shape(value)
            found = by_shape.get(key)
            if found is None:
                found = by_shape[key] = len(classified)
                classified.append(classify_purpose(key, registry))
            at.append(found)
    step("screening distinct reasons", len(values), len(values))
    take = pa.array(at, pa.int64())

    def column(name: str, kind: pa.DataType) -> pa.Array:  # each value gets its shape's answer
        return pa.array([getattr(p, name) for p in classified], kind).take(take)

    table = pa.table(
        {
            "value": pa.array(values, pa.string()),
            **{
                name: column(name, pa.bool_())
                for name in ("words", "named", "presumed", "crime", "vague", "case_only", "review", "agency", "dhs")
            },
            "evidence": column("evidence", pa.string()),
            # a case number without a letter is an identifier, never a purpose (flags.sql joins only the lettered)
            "lettered": pa.array([lettered(v) for v in values], pa.bool_()),
        }
    )
    _temp_table(con, "purposes", table)
    return len(values)


def _temp_table(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    """`table` copied into DuckDB as the temporary table `name` (replacing one of that name)."""
    con.register(f"{name}_arrow", table)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
    con.unregister(f"{name}_arrow")


def _resolve_orgs(con: duckdb.DuckDBPyConnection, resolver: OrgResolver, home: str, step: Progress) -> int:
    counts = con.execute("SELECT org, count(*) FROM rows WHERE org IS NOT NULL GROUP BY org").fetchall()
    rows = []
    for i, (name, n) in enumerate(counts):
        if i % _CHUNK == 0:
            step("resolving organisations", i, len(counts))
        rows.append({**org_flags(resolver.resolve(name), home, resolver.registry), "rows": n})
    step("resolving organisations", len(counts), len(counts))
    fields = ("name", "resolved_id", "level", "state", "how", "evidence")
    table = pa.table(
        {f: pa.array([r[f] for r in rows], pa.string()) for f in fields}
        | {
            f: pa.array([r[f] for r in rows], pa.bool_())
            for f in ("resolved", "immigration", "presumed", "dhs", "has_287g", "out_of_state")
        }
        | {"rows": pa.array([r["rows"] for r in rows], pa.int64())}
    )
    _temp_table(con, "orgs", table)
    return len(counts)


def _write_flags(con: duckdb.DuckDBPyConnection, infos: list[FileInfo], out: Path, threshold: int) -> None:
    """flags.parquet straight from the join, flags.csv from the parquet, and orgs.csv."""
    paths = "[" + ", ".join(_sql_str(i.path) for i in infos) + "]"
    parquet, unsorted = out / "flags.parquet", out / _UNSORTED
    con.execute(f"CREATE OR REPLACE TEMP TABLE params AS SELECT {int(threshold)}::BIGINT AS national_threshold")
    combinations = code_table()
    codes = pa.table(
        {"bits": pa.array([b for b, _ in combinations], pa.int64()), "flags": pa.array([f for _, f in combinations], pa.string())}
    )
    _temp_table(con, "codes", codes)
    con.execute(f"COPY ({flag_query()}) TO {_sql_str(unsorted)} {_FLAGS_PARQUET}")
    flagged = con.execute(f"SELECT count(*) FROM read_parquet({_sql_str(unsorted)})").fetchall()[0][0]
    # Sorting millions of wide rows would cost more than the whole scan; past SORT_LIMIT the order is
    # DuckDB's (the `file` and `row` columns still say where each row came from).
    if flagged <= SORT_LIMIT:
        order = f"ORDER BY list_position({paths}, file), row"
        con.execute(f"COPY (SELECT * FROM read_parquet({_sql_str(unsorted)}) {order}) TO {_sql_str(parquet)} {_FLAGS_PARQUET}")
        unsorted.unlink()
    else:
        unsorted.replace(parquet)
    con.execute(f"SET preserve_insertion_order = {flagged <= SORT_LIMIT}")  # unsorted anyway: write in parallel
    if flagged <= SORT_LIMIT:  # above it, flags.parquet alone: a CSV of tens of millions of rows helps no reader
        con.execute(f"COPY (SELECT * FROM read_parquet({_sql_str(parquet)})) TO {_sql_str(out / 'flags.csv')} (FORMAT csv, HEADER)")
    else:
        (out / "flags.csv").unlink(missing_ok=True)
    con.execute(
        "COPY (SELECT name AS organization, resolved_id, level, state, resolved, immigration, presumed, dhs, has_287g, "
        f"out_of_state, rows, how FROM orgs ORDER BY rows DESC, name) TO {_sql_str(out / 'orgs.csv')} (FORMAT csv, HEADER)"
    )
    # The counts the summary reads, each grouped by one thing (by file, organisation and day together
    # a state's exports make millions of groups).
    flagged_rows = f"read_parquet({_sql_str(parquet)})"
    direct = " OR ".join(f"contains(flags, '{c}')" for c in DIRECT)
    con.execute(f"CREATE TEMP TABLE flag_orgs AS SELECT organization, flags, count(*) AS n FROM {flagged_rows} GROUP BY ALL")
    con.execute(f"CREATE TEMP TABLE flag_files AS SELECT file, flags, count(*) AS n FROM {flagged_rows} GROUP BY ALL")
    con.execute(
        f"CREATE TEMP TABLE flag_days AS SELECT date_trunc('day', search_time) AS day, {direct} AS direct, count(*) AS n "
        f"FROM {flagged_rows} GROUP BY ALL"
    )
    con.execute(
        f"CREATE TEMP TABLE direct_rows AS SELECT file, row, source_id, organization, search_time, reason, flags, evidence "
        f"FROM read_parquet({_sql_str(parquet)}) WHERE {direct} ORDER BY list_position({paths}, file), row LIMIT {_SAMPLE}"
    )


def _write_tables(con: duckdb.DuckDBPyConnection, stage: Path, folder: Path) -> None:
    """The inputs of flags.sql under `folder`, one folder of Parquet per table (TABLES)."""
    try:
        for name in TABLES:
            target = folder / name
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            if name == "rows":
                for part in sorted(stage.glob("*.parquet")):
                    shutil.copyfile(part, target / part.name)
            else:
                con.execute(f"COPY (SELECT * FROM {name}) TO {_sql_str(target / 'part-0.parquet')} (FORMAT parquet)")
    except (duckdb.Error, OSError) as exc:
        raise RetroError("--tables", f"{folder}: the tables could not be written: {str(exc).splitlines()[0]}") from None


def _sql_str(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _share(n: int, of: int) -> float:
    return round(n / of, 6) if of else 0.0


def _summarise(con, infos, home, options, g287, purposes, orgs, proxy) -> dict:
    """Everything report.html and summary.json show, from the small count tables (`_write_flags`)."""
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    rows = sum(i.rows for i in infos)
    per_file = dict(q("SELECT file, sum(n) FROM flag_files GROUP BY 1"))
    by_flag = dict(q("SELECT flag, sum(n) FROM (SELECT n, unnest(string_split(flags, ';')) AS flag FROM flag_orgs) GROUP BY 1"))
    by_file_flag: dict[str, dict[str, int]] = {}
    for file, flag, n in q(
        "SELECT file, flag, sum(n) FROM (SELECT file, n, unnest(string_split(flags, ';')) AS flag FROM flag_files) GROUP BY 1, 2"
    ):
        by_file_flag.setdefault(file, {})[flag] = int(n)
    direct = " OR ".join(f"contains(flags, '{c}')" for c in DIRECT)
    direct_rows = int(q("SELECT coalesce(sum(n) FILTER (direct), 0) FROM flag_days")[0][0])
    org_counts = ", ".join(f"coalesce(sum(n) FILTER (contains(f.flags, '{c}')), 0) AS \"{c}\"" for c in CODES)
    by_org = q(
        f"""SELECT coalesce(f.organization, '(none recorded)') AS org, any_value(o.resolved_id), any_value(o.level),
                   any_value(o.state), coalesce(any_value(o.rows), (SELECT count(*) FROM rows WHERE org IS NULL)), sum(n) AS flagged,
                   coalesce(sum(n) FILTER ({direct}), 0) AS direct, {org_counts}
            FROM flag_orgs f LEFT JOIN orgs o ON o.name = f.organization GROUP BY 1
            ORDER BY direct DESC, flagged DESC, org LIMIT {_TOP_ORGS}"""
    )
    span = q("SELECT min(day), max(day) FROM flag_days")[0]
    bucket = _bucket(span)
    over_time = q(
        f"""SELECT strftime(date_trunc('{bucket}', day), '%Y-%m-%d') AS period, sum(n),
                   coalesce(sum(n) FILTER (direct), 0) FROM flag_days WHERE day IS NOT NULL GROUP BY 1 ORDER BY 1"""
    )
    unresolved = q("SELECT name, rows FROM orgs WHERE NOT resolved ORDER BY rows DESC, name")
    evidence = q("SELECT file, row, source_id, organization, search_time, reason, flags, evidence FROM direct_rows")
    counts = {c: int(by_flag.get(c, 0)) for c in CODES}
    owners = sorted({(i.owner, i.owner_how) for i in infos}, key=lambda o: (o[0] or "", o[1]))
    files_of: dict[str, int] = {}
    for i in infos:
        if i.owner:
            files_of[i.owner] = files_of.get(i.owner, 0) + 1
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "home_state": home,
        "national_threshold": options.national_threshold,
        "owner": owners[0][0] if len({o for o, _ in owners}) == 1 else None,
        "owner_how": owners[0][1] if len(owners) == 1 else "per file (see files)",
        "owners": {
            "known": [{"owner": o, "files": n} for o, n in sorted(files_of.items())],
            "unknown_files": sum(not i.owner for i in infos),
        },
        "rows": rows,
        "flagged": int(sum(per_file.values())),
        "by_flag": counts,
        "share": {c: _share(n, rows) for c, n in counts.items()},
        "flag_meanings": CODES,
        "direct_codes": list(DIRECT),
        "purpose_codes": list(PURPOSE_SIGNALS),
        "reach_codes": list(REACH),
        "direct": {
            "rows": direct_rows,
            "share": _share(direct_rows, rows),
            "listed": len(evidence),
            "evidence": [
                {
                    "file": r[0],
                    "row": int(r[1]),
                    "source_id": r[2],
                    "organization": r[3],
                    "search_time": r[4],
                    "reason": r[5],
                    "flags": r[6].split(";"),
                    "evidence": r[7],
                }
                for r in evidence
            ],
        },
        "files": [
            {
                "path": i.path,
                "format": i.format,
                "variant": i.variant,
                "kind": i.kind,
                "owner": i.owner,
                "owner_how": i.owner_how,
                "rows": i.rows,
                "flagged": int(per_file.get(i.path, 0)),
                "by_flag": {c: by_file_flag.get(i.path, {}).get(c, 0) for c in CODES},
                "columns": i.columns,
                "missing_fields": i.missing,
                "unparsed_times": i.unparsed_times,
            }
            for i in infos
        ],
        "organisations": {
            "distinct": orgs,
            "unresolved": [{"name": n, "rows": r} for n, r in unresolved],
            "top": [_org_row(r, counts, rows) for r in by_org],
        },
        "over_time": {"bucket": bucket, "points": [{"period": p, "flagged": int(n), "direct": int(d)} for p, n, d in over_time]},
        "distinct_purposes_screened": purposes,
        "g287": {"source": g287.source, "agreements": len(g287), "sample": g287.sample, "warnings": list(g287.warnings)},
        "proxy": proxy | {"window_hours": options.proxy_hours} if proxy else None,
    }


def _org_row(r: tuple, network: dict[str, int], rows: int) -> dict:
    """One organisation's counts, the share of its searches with each flag, and the network's share."""
    searches = int(r[4] or 0)
    by_flag = {c: int(v) for c, v in zip(CODES, r[7:], strict=True)}
    return {
        "organization": r[0],
        "resolved_id": r[1],
        "level": r[2],
        "state": r[3],
        "rows": searches,
        "flagged": int(r[5]),
        "direct": int(r[6]),
        "by_flag": by_flag,
        "share": {c: _share(n, searches) for c, n in by_flag.items()},
        "network_share": {c: _share(n, rows) for c, n in network.items()},
    }


def _per_org(con, summary: dict) -> list[dict]:
    """Every searching organisation with a flagged search: its own counts and shares beside the network's."""
    org_counts = ", ".join(f"coalesce(sum(n) FILTER (contains(f.flags, '{c}')), 0)" for c in CODES)
    direct = " OR ".join(f"contains(flags, '{c}')" for c in DIRECT)
    found = con.execute(
        f"""SELECT f.organization, any_value(o.resolved_id), any_value(o.level), any_value(o.state), any_value(o.rows), sum(n),
                   coalesce(sum(n) FILTER ({direct}), 0), {org_counts}
            FROM flag_orgs f JOIN orgs o ON o.name = f.organization GROUP BY 1 ORDER BY 1"""
    ).fetchall()
    return [_org_row(r, summary["by_flag"], summary["rows"]) for r in found]


def _bucket(span: tuple) -> str:
    first, last = span
    if first is None:
        return "day"
    days = (last - first).days
    return "day" if days <= 92 else "week" if days <= 550 else "month"
