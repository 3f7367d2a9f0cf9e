"""`sanctuary scan`: flag every row of vendor audit exports that points at immigration enforcement.

The pipeline, each step in DuckDB except the two classifications, which run once per DISTINCT value:

1. load each file into a canonical table (load.py), in file order so `rowid` is the row number;
2. screen each distinct reason / text prompt / offense type / case number (flags.classify_purpose);
3. resolve each distinct organisation (orgs.py) and the 287(g) list;
4. optionally match a log of requests received (proxy.py);
5. join back, write flags.parquet, flags.csv, orgs.csv, summary.json and report.html.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from sanctuary.agencies import load_registry
from sanctuary.agencies.g287 import load_g287
from sanctuary.agencies.states import state_code
from sanctuary.retro.errors import RetroError
from sanctuary.retro.flags import CODES, DIRECT, PurposeFlags, classify_purpose, org_flags
from sanctuary.retro.load import CANONICAL, FileInfo, load_export
from sanctuary.retro.orgs import OrgResolver
from sanctuary.retro.proxy import load_requests, match_requests
from sanctuary.retro.report import write_report

Progress = Callable[[str, int, int], None]  # (step, done, total)
_CHUNK = 2000  # distinct values classified between progress updates
_TOP_ORGS = 25
_UNSORTED = ".flags-unsorted.parquet"
SORT_LIMIT = 2_000_000  # flagged rows up to which flags.csv/.parquet are written in file and row order


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


def scan(files: list[Path], out: Path, options: ScanOptions, progress: Progress | None = None) -> dict:
    """Scan `files` into `out`; return the summary (also written as summary.json)."""
    started = time.monotonic()
    step = progress or (lambda _s, _d, _t: None)
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
    try:
        infos = _load(con, files, options, step)
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
        step("writing results", 0, 2)
        summary = _summarise(con, infos, home, options, g287, purposes, orgs, proxy)
        summary["registry_sha256"] = registry.digest()  # which registry resolved the organisations
        summary["seconds"] = round(time.monotonic() - started, 2)
        (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
        step("writing results", 1, 2)
        write_report(summary, out / "report.html")
        step("writing results", 2, 2)
        return summary
    finally:
        con.close()
        shutil.rmtree(out / ".duckdb-tmp", ignore_errors=True)
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


def _load(con: duckdb.DuckDBPyConnection, files: list[Path], options: ScanOptions, step: Progress) -> list[FileInfo]:
    infos = []
    for i, path in enumerate(files):
        step("reading exports", i, len(files))
        infos.append(load_export(con, f"export_{i}", path, options.mapping))
    step("reading exports", len(files), len(files))
    con.execute("SET preserve_insertion_order = false")  # row numbers are fixed (rowid); let the rest run in parallel
    columns = ", ".join(CANONICAL)
    con.execute(
        "CREATE TEMP VIEW rows AS "
        + " UNION ALL ".join(f"SELECT {i} AS file_index, rowid AS row, {columns}, has_reason FROM export_{i}" for i in range(len(files)))
    )
    return infos


def _classify_purposes(con: duckdb.DuckDBPyConnection, registry, step: Progress) -> int:
    values = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT v FROM (SELECT reason AS v FROM rows UNION ALL SELECT text_prompt FROM rows "
            "UNION ALL SELECT offense_type FROM rows UNION ALL SELECT case_number FROM rows) WHERE v IS NOT NULL"
        ).fetchall()
    ]
    rows: list[PurposeFlags] = []
    for start in range(0, len(values), _CHUNK):
        step("screening distinct reasons", start, len(values))
        rows.extend(classify_purpose(v, registry) for v in values[start : start + _CHUNK])
    step("screening distinct reasons", len(values), len(values))
    table = pa.table(
        {
            "value": pa.array([p.value for p in rows], pa.string()),
            "immigration": pa.array([p.immigration for p in rows], pa.bool_()),
            "vague": pa.array([p.vague for p in rows], pa.bool_()),
            "case_only": pa.array([p.case_only for p in rows], pa.bool_()),
            "review": pa.array([p.review for p in rows], pa.bool_()),
            "agency": pa.array([p.agency for p in rows], pa.bool_()),
            "dhs": pa.array([p.dhs for p in rows], pa.bool_()),
            "evidence": pa.array([p.evidence for p in rows], pa.string()),
        }
    )
    con.register("purposes_arrow", table)
    con.execute("CREATE TEMP TABLE purposes AS SELECT * FROM purposes_arrow")
    con.unregister("purposes_arrow")
    return len(values)


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
            for f in ("resolved", "immigration", "immigration_purpose", "dhs", "has_287g", "out_of_state")
        }
        | {"rows": pa.array([r["rows"] for r in rows], pa.int64())}
    )
    con.register("orgs_arrow", table)
    con.execute("CREATE TEMP TABLE orgs AS SELECT * FROM orgs_arrow")
    con.unregister("orgs_arrow")
    return len(counts)


def _texts(column: str) -> str:
    """`column` of the purposes table is true for any of the row's texts (reason, text prompt,
    offense type, case number)."""
    return " OR ".join(f"coalesce({alias}.{column}, false)" for alias in ("pr", "pt", "po", "pc"))


def _flag_query(threshold: int, paths: str) -> str:
    """One row per flagged search: codes joined by ';' and the evidence for each."""
    t = int(threshold)
    return f"""
        SELECT row, file, source_id, flags, evidence, organization, search_time, reason FROM (
            SELECT r.row, list_extract({paths}, r.file_index + 1) AS file, r.source_id, r.org AS organization,
                r.search_time, r.reason,
                concat_ws(';',
                    CASE WHEN {_texts("immigration")} OR coalesce(o.immigration_purpose, false) THEN 'IMMIGRATION_PURPOSE' END,
                    CASE WHEN {_texts("agency")} OR coalesce(o.immigration, false) THEN 'IMMIGRATION_AGENCY' END,
                    CASE WHEN {_texts("dhs")} OR coalesce(o.dhs, false) THEN 'DHS_COMPONENT' END,
                    CASE WHEN o.has_287g THEN 'HAS_287G' END,
                    CASE WHEN o.out_of_state THEN 'OUT_OF_STATE' END,
                    CASE WHEN r.networks > {t} THEN 'NATIONAL_LOOKUP' END,
                    CASE WHEN pr.vague OR (r.has_reason AND r.reason IS NULL AND r.offense_type IS NULL
                                           AND r.text_prompt IS NULL) THEN 'VAGUE_REASON' END,
                    CASE WHEN pr.case_only THEN 'CASE_NUMBER_ONLY' END,
                    CASE WHEN p.evidence IS NOT NULL THEN 'PROXY_PATTERN' END,
                    CASE WHEN {_texts("review")} THEN 'NEEDS_REVIEW' END
                ) AS flags,
                concat_ws(' | ',
                    CASE WHEN pr.evidence IS NOT NULL THEN 'reason ' || pr.evidence END,
                    CASE WHEN pt.evidence IS NOT NULL AND NOT pt.vague AND NOT pt.case_only THEN 'text prompt ' || pt.evidence END,
                    CASE WHEN po.evidence IS NOT NULL AND NOT po.vague AND NOT po.case_only THEN 'offense type ' || po.evidence END,
                    CASE WHEN pc.evidence IS NOT NULL AND NOT pc.vague AND NOT pc.case_only THEN 'case number ' || pc.evidence END,
                    CASE WHEN r.has_reason AND r.reason IS NULL AND r.offense_type IS NULL AND r.text_prompt IS NULL
                         THEN 'no reason recorded (blank or redacted)' END,
                    o.evidence,
                    CASE WHEN r.networks > {t} THEN r.networks || ' networks searched (threshold {t})' END,
                    CASE WHEN p.evidence IS NOT NULL THEN 'proxy: ' || p.evidence END
                ) AS evidence
            FROM rows r
            LEFT JOIN purposes pr ON pr.value = r.reason
            LEFT JOIN purposes pt ON pt.value = r.text_prompt
            LEFT JOIN purposes po ON po.value = r.offense_type
            LEFT JOIN purposes pc ON pc.value = r.case_number
            LEFT JOIN orgs o ON o.name = r.org
            LEFT JOIN proxy p ON p.file_index = r.file_index AND p.row = r.row
        ) WHERE flags <> ''
    """


def _write_flags(con: duckdb.DuckDBPyConnection, infos: list[FileInfo], out: Path, threshold: int) -> None:
    """flags.parquet straight from the join, flags.csv from the parquet, and orgs.csv."""
    paths = "[" + ", ".join(_sql_str(i.path) for i in infos) + "]"
    parquet, unsorted = out / "flags.parquet", out / _UNSORTED
    con.execute(f"COPY ({_flag_query(threshold, paths)}) TO {_sql_str(unsorted)} (FORMAT parquet)")
    flagged = con.execute(f"SELECT count(*) FROM read_parquet({_sql_str(unsorted)})").fetchall()[0][0]
    # Sorting millions of wide rows would cost more than the whole scan; past SORT_LIMIT the order is
    # DuckDB's (the `file` and `row` columns still say where each row came from).
    if flagged <= SORT_LIMIT:
        order = f"ORDER BY list_position({paths}, file), row"
        con.execute(f"COPY (SELECT * FROM read_parquet({_sql_str(unsorted)}) {order}) TO {_sql_str(parquet)} (FORMAT parquet)")
        unsorted.unlink()
    else:
        unsorted.replace(parquet)
    con.execute(f"SET preserve_insertion_order = {flagged <= SORT_LIMIT}")  # unsorted anyway: write in parallel
    con.execute(f"COPY (SELECT * FROM read_parquet({_sql_str(parquet)})) TO {_sql_str(out / 'flags.csv')} (FORMAT csv, HEADER)")
    con.execute(
        "COPY (SELECT name AS organization, resolved_id, level, state, resolved, immigration, dhs, has_287g, "
        f"out_of_state, rows, how FROM orgs ORDER BY rows DESC, name) TO {_sql_str(out / 'orgs.csv')} (FORMAT csv, HEADER)"
    )
    con.execute(
        "CREATE TEMP TABLE flag_counts AS SELECT file, organization, flags, date_trunc('day', search_time) AS day, "
        f"count(*) AS n FROM read_parquet({_sql_str(parquet)}) GROUP BY ALL"
    )


def _sql_str(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _summarise(con, infos, home, options, g287, purposes, orgs, proxy) -> dict:
    """Everything report.html and summary.json show, from the small `flag_counts` table."""
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    per_file = dict(q("SELECT file, sum(n) FROM flag_counts GROUP BY 1"))
    by_flag = dict(q("SELECT flag, sum(n) FROM (SELECT unnest(string_split(flags, ';')) AS flag, n FROM flag_counts) GROUP BY 1"))
    direct = " OR ".join(f"contains(flags, '{c}')" for c in DIRECT)
    org_counts = ", ".join(f"coalesce(sum(n) FILTER (contains(f.flags, '{c}')), 0) AS \"{c}\"" for c in CODES)
    by_org = q(
        f"""SELECT coalesce(f.organization, '(none recorded)') AS org, any_value(o.resolved_id), any_value(o.level),
                   any_value(o.state), coalesce(any_value(o.rows), (SELECT count(*) FROM rows WHERE org IS NULL)), sum(n) AS flagged,
                   coalesce(sum(n) FILTER ({direct}), 0) AS direct, {org_counts}
            FROM flag_counts f LEFT JOIN orgs o ON o.name = f.organization GROUP BY 1
            ORDER BY direct DESC, flagged DESC, org LIMIT {_TOP_ORGS}"""
    )
    span = q("SELECT min(day), max(day) FROM flag_counts")[0]
    bucket = _bucket(span)
    over_time = q(
        f"""SELECT strftime(date_trunc('{bucket}', day), '%Y-%m-%d') AS period, sum(n),
                   coalesce(sum(n) FILTER ({direct}), 0) FROM flag_counts WHERE day IS NOT NULL GROUP BY 1 ORDER BY 1"""
    )
    unresolved = q("SELECT name, rows FROM orgs WHERE NOT resolved ORDER BY rows DESC, name")
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "home_state": home,
        "national_threshold": options.national_threshold,
        "rows": sum(i.rows for i in infos),
        "flagged": int(sum(per_file.values())),
        "by_flag": {c: int(by_flag.get(c, 0)) for c in CODES},
        "flag_meanings": CODES,
        "direct_codes": list(DIRECT),
        "files": [
            {
                "path": i.path,
                "format": i.format,
                "variant": i.variant,
                "kind": i.kind,
                "rows": i.rows,
                "flagged": int(per_file.get(i.path, 0)),
                "columns": i.columns,
                "missing_fields": i.missing,
                "unparsed_times": i.unparsed_times,
            }
            for i in infos
        ],
        "organisations": {
            "distinct": orgs,
            "unresolved": [{"name": n, "rows": r} for n, r in unresolved],
            "top": [
                {
                    "organization": r[0],
                    "resolved_id": r[1],
                    "level": r[2],
                    "state": r[3],
                    "rows": r[4],
                    "flagged": int(r[5]),
                    "direct": int(r[6]),
                    "by_flag": {c: int(v) for c, v in zip(CODES, r[7:], strict=True)},
                }
                for r in by_org
            ],
        },
        "over_time": {"bucket": bucket, "points": [{"period": p, "flagged": int(n), "direct": int(d)} for p, n, d in over_time]},
        "distinct_purposes_screened": purposes,
        "g287": {"source": g287.source, "agreements": len(g287), "sample": g287.sample, "warnings": list(g287.warnings)},
        "proxy": proxy | {"window_hours": options.proxy_hours} if proxy else None,
    }


def _bucket(span: tuple) -> str:
    first, last = span
    if first is None:
        return "day"
    days = (last - first).days
    return "day" if days <= 92 else "week" if days <= 550 else "month"
