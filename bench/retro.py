"""Benchmark: `sanctuary scan` over generated Flock network audits, beside a pandas + regex scan.

    .venv/bin/python bench/retro.py --rows 10000000                            # one 13-column CSV
    .venv/bin/python bench/retro.py --rows 50000000 --files 500 --runs 3       # a state's exports, a folder

The generator (DuckDB, deterministic) writes real-looking rows: organisation names in the vendor's
style from every state plus federal units, reasons drawn from the documented mix (mostly
"Investigation", case numbers, vague words, criminal reasons, a small share of immigration reasons
such as "ICE WARRANT" and "assist HSI"), national lookups (~6,264 networks), multi-line Time Frame
cells, `***` redactions and US-style UTC timestamps. With `--files N` the rows are split over N
exports named as the vendor names them ("<agency>-Network_Audit-<n>"), their formats in turn CSV,
gzipped CSV, NDJSON and Parquet, and `sanctuary scan` reads the folder (each file's owner from its
name). Both scans run as child processes of this script, one after the other, `--runs` times; each
one's wall time and peak RSS are reported, then the medians. The pandas scan is the peer a records
unit would write by hand: for each file, read the needed columns, regex the reason, flag national
lookups, append to one CSV; it does no organisation resolution, so it does less work than ours.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

STATES = ["AL", "AZ", "CA", "CO", "FL", "GA", "IL", "IN", "KY", "LA", "MO", "MS", "NC", "OH", "SC", "TN", "TX", "VA", "WA", "WI"]
PLACES = [
    "Springfield",
    "Franklin",
    "Greenville",
    "Clinton",
    "Madison",
    "Georgetown",
    "Salem",
    "Fairview",
    "Marion",
    "Riverside",
    "Oxford",
    "Jackson",
    "Lexington",
    "Milton",
    "Ashland",
    "Dover",
    "Hudson",
    "Polk",
    "Lowndes",
    "Sumter",
    "Clay",
    "Lake",
    "Orange",
    "Monroe",
    "Warren",
    "Wayne",
    "Union",
    "Jefferson",
    "Lincoln",
    "Marshall",
]
FEDERAL = [
    "(Federal) US Postal Inspection Service",
    "(Federal) DHS HSI Chicago",
    "(Federal) U.S. Border Patrol - El Paso Sector",
    "(Federal) ATF Houston Field Division",
    "(Federal) ICE ERO Atlanta",
]
# The mix documented for network audits (docs/evidence.md): mostly specific reasons, ~10% vague,
# ~6% case numbers only (generated below), a small share naming immigration enforcement.
REASONS = ["Investigation", "investigation", "inv", "Locate", "BOL", "suspicious vehicle", "d", "."] + [
    "stolen vehicle",
    "Stolen",
    "auto burg investigation",
    "robbery suspect",
    "missing person",
    "warrant service",
    "narcotics",
    "hit and run",
    "agg assault suspect vehicle",
    "fraud suspect",
    "shooting investigation",
    "burglary suspect",
    "theft from vehicle",
    "kidnapping",
    "homicide investigation",
    "retail theft",
    "carjacking",
    "wanted person",
    "armed robbery",
    "endangered missing",
] * 3
IMMIGRATION = ["ICE WARRANT", "assist HSI", "immigration", "ICE+ERO", "criminal alien", "deportee"]  # 1 row in 500
TYPES = ["search", "search - Mobile", "lookup", "lookup - Mobile", "convoy", "freeform", "visual", "multiGeo"]


def generate(path: Path, rows: int, first: int = 0) -> None:
    """Write `rows` real-looking network-audit rows (numbered from `first`) to `path` with DuckDB, in
    the format its name says: .csv, .csv.gz, .ndjson or .parquet."""
    # An Illinois agency's network audit: most searchers are Illinois agencies, the rest out of state;
    # 1 row in 200 is a federal searcher (FEDERAL, drawn below).
    out_of_state = [f"{p} County {s} SO" for p in PLACES for s in STATES] + [f"{p} {s} PD" for p in PLACES for s in STATES]
    out_of_state += [f"{s} - {p} Co Sheriff's Office" for p in PLACES[:5] for s in STATES]
    illinois = [f"{p} County IL SO" for p in PLACES] + [f"{p} IL PD" for p in PLACES] + ["Illinois State Police", "Evanston PD"]
    orgs = illinois * (len(out_of_state) * 7 // (3 * len(illinois))) + out_of_state  # about 70% in state

    def sql_list(items: list[str]) -> str:
        return "[" + ", ".join("'" + i.replace("'", "''") + "'" for i in items) + "]"

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    start = "TIMESTAMP '2024-12-01' + to_seconds((hash(i, 7) % 31536000)::BIGINT)"
    con.execute(
        f"""
        COPY (
          SELECT regexp_replace(md5(i::VARCHAR), '^(.{{8}})(.{{4}})(.{{4}})(.{{4}})(.{{12}})$', '\\1-\\2-\\3-\\4-\\5') AS "ID",
            '***' AS "Name",
            CASE WHEN hash(i, 14) % 200 = 0 THEN list_extract({sql_list(FEDERAL)}, 1 + (hash(i, 15) % {len(FEDERAL)})::INT)
                 ELSE list_extract({sql_list(orgs)}, 1 + (hash(i, 1) % {len(orgs)})::INT) END AS "Org Name",
            CASE WHEN hash(i, 2) % 10 = 0 THEN 6264 ELSE 1 + (hash(i, 3) % 450)::INT END AS "Total Networks Searched",
            strftime({start} - INTERVAL 30 DAY, '%m/%d/%Y, %I:%M:%S %p UTC') || chr(10) ||
              strftime({start}, '%m/%d/%Y, %I:%M:%S %p UTC') AS "Time Frame",
            '***' AS "License Plate",
            CASE WHEN hash(i, 4) % 16 = 0 THEN (24 + hash(i, 5) % 3)::VARCHAR || '-' || (100000 + hash(i, 6) % 900000)::VARCHAR
                 WHEN hash(i, 12) % 500 = 0 THEN list_extract({sql_list(IMMIGRATION)}, 1 + (hash(i, 13) % {len(IMMIGRATION)})::INT)
                 ELSE list_extract({sql_list(REASONS)}, 1 + (hash(i, 8) % {len(REASONS)})::INT) END AS "Reason",
            CASE WHEN hash(i, 9) % 3 = 0 THEN (25000 + hash(i, 10) % 90000)::VARCHAR ELSE '' END AS "Case #",
            '' AS "Filters",
            strftime({start}, '%m/%d/%Y, %I:%M:%S %p UTC') AS "Search Time",
            list_extract({sql_list(TYPES)}, 1 + (hash(i, 11) % {len(TYPES)})::INT) AS "Search Type",
            '' AS "Text Prompt", 'allow' AS "Moderation"
          FROM range({first}, {first + rows}) t(i)
        ) TO '{path}' {_format(path)}
        """
    )
    con.close()


FORMATS = (".csv", ".csv.gz", ".ndjson", ".parquet")


def _format(path: Path) -> str:
    name = path.name
    if name.endswith(".parquet"):
        return "(FORMAT parquet)"
    if name.endswith(".ndjson"):
        return "(FORMAT json)"
    return "(FORMAT csv, HEADER, COMPRESSION gzip)" if name.endswith(".gz") else "(FORMAT csv, HEADER)"


def generate_folder(folder: Path, rows: int, files: int, keep: bool = False) -> list[Path]:
    """`rows` rows over `files` exports in `folder`, formats in turn (FORMATS), each named for the
    Illinois agency whose network audit it is; two files are written at a time. `keep`: a file
    already there, complete, is not written again (a folder given with --data)."""
    folder.mkdir(parents=True, exist_ok=True)
    owners = [f"{p} IL PD" for p in PLACES] + [f"{p} County IL SO" for p in PLACES]
    per, extra = divmod(rows, files)
    jobs = []
    start = 0
    for i in range(files):
        n = per + (i < extra)
        jobs.append((folder / f"{owners[i % len(owners)]}-Network_Audit-{i:04d}{FORMATS[i % len(FORMATS)]}", n, start))
        start += n

    def write(job: tuple[Path, int, int]) -> None:
        path, n, first = job
        if keep and path.is_file() and _rows_in(path) == n:
            return
        partial = path.with_name(".partial-" + path.name)  # the suffix says the format
        generate(partial, n, first)
        partial.replace(path)

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(write, jobs))
    return [path for path, _, _ in jobs]


def _rows_in(path: Path) -> int:
    con = duckdb.connect()
    reader = "read_parquet" if path.name.endswith(".parquet") else "read_json" if path.name.endswith(".ndjson") else "read_csv"
    try:
        return int(con.execute(f"SELECT count(*) FROM {reader}('{path}')").fetchall()[0][0])
    except duckdb.Error:
        return -1
    finally:
        con.close()


PANDAS_SCAN = textwrap.dedent(
    r"""
    import re, sys, pathlib, pandas as pd
    IMMIGRATION = re.compile(r"immigra|deport|criminal alien|\bICE\b|\bHSI\b|\bERO\b|\bCBP\b|\bDHS\b|border patrol", re.IGNORECASE)
    COLUMNS = ["ID", "Org Name", "Total Networks Searched", "Reason", "Search Time"]

    def read(path):
        name = path.name
        if name.endswith(".parquet"):
            return pd.read_parquet(path, columns=COLUMNS).astype(str)
        if name.endswith(".ndjson"):
            return pd.read_json(path, lines=True, dtype=False)[COLUMNS].astype(str)
        return pd.read_csv(path, usecols=COLUMNS, dtype=str)

    source, out = pathlib.Path(sys.argv[1]), sys.argv[2]
    files = sorted(p for p in source.iterdir() if p.is_file()) if source.is_dir() else [source]
    total = flagged_total = 0
    for i, path in enumerate(files):
        df = read(path)
        reason = df["Reason"].fillna("")
        immigration = reason.str.contains(IMMIGRATION, regex=True)
        vague = reason.str.fullmatch(r"\s*(inv\.?|investigation|locate|bol|suspect|\S)?\s*", case=False)
        case_only = reason.str.fullmatch(r"[A-Z]{0,4}[-\s]?\d[\d\-/.]{3,}", case=False)
        federal = df["Org Name"].fillna("").str.contains(r"\(Federal\)|\bHSI\b|\bICE\b|Border Patrol", regex=True)
        national = pd.to_numeric(df["Total Networks Searched"], errors="coerce") > 1000
        times = pd.to_datetime(df["Search Time"].str.replace(" UTC", ""), format="%m/%d/%Y, %I:%M:%S %p", errors="coerce")
        flagged = df[immigration | vague | case_only | federal | national].assign(t=times, file=path.name)
        flagged[["file", "ID", "Org Name", "Reason", "t"]].to_csv(out, index=False, mode="w" if i == 0 else "a", header=i == 0)
        total += len(df)
        flagged_total += len(flagged)
    print(total, flagged_total)
    """
)


def run(cmd: list[str], log: Path, env: dict | None = None) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system), peak RSS (GiB) of this one child (os.wait4), and its stdout."""
    t0 = time.perf_counter()
    with log.with_suffix(".out").open("w") as out, log.with_suffix(".err").open("w") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{cmd[:4]} failed:\n{log.with_suffix('.err').read_text()[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024 / 1024, log.with_suffix(".out").read_text()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--files", type=int, default=1, help="split the rows over this many exports of mixed formats (a folder)")
    parser.add_argument("--runs", type=int, default=1, help="run each scan this many times; medians are reported")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--memory-limit", default="3GB")
    parser.add_argument("--write", type=Path, help="only write the generated CSV to this path (e.g. a demo file)")
    parser.add_argument("--tmp", type=Path, help="folder for the scans' output (default: the system's temporary folder)")
    parser.add_argument(
        "--data", type=Path, help="with --files: generate the exports into this folder and keep them (files already there are reused)"
    )
    args = parser.parse_args()
    root = Path(__file__).resolve().parent.parent
    if args.write:
        generate(args.write, args.rows)
        return
    with tempfile.TemporaryDirectory(prefix="retro-bench-", dir=args.tmp) as tmp:
        t0 = time.perf_counter()
        if args.files > 1:
            data = args.data or Path(tmp) / "exports"
            generate_folder(data, args.rows, args.files, keep=args.data is not None)
            size = sum(p.stat().st_size for p in data.iterdir()) / 1e9
        else:
            data = Path(tmp) / "network_audit.csv"
            generate(data, args.rows)
            size = data.stat().st_size / 1e9
        print(
            f"generated {args.rows:,} rows in {args.files:,} file(s) ({size:.2f} GB) in {time.perf_counter() - t0:.1f} s; "
            f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
            flush=True,
        )
        env = {**os.environ, "PYTHONPATH": str(root / "src")}
        ours_cmd = [sys.executable, "-m", "sanctuary", "scan", str(data), "--home-state", "IL", "--out", str(Path(tmp) / "out")]
        ours_cmd += ["--memory-limit", args.memory_limit, "--json"]
        script = Path(tmp) / "pandas_scan.py"
        script.write_text(PANDAS_SCAN)
        peer_cmd = [sys.executable, str(script), str(data), str(Path(tmp) / "pandas.csv")]
        results: dict[str, list[tuple[float, float, int, float]]] = {"ours": [], "pandas": []}
        for run_no in range(1, args.runs + 1):
            wall, cpu, rss, stdout = run(ours_cmd, Path(tmp) / "ours", env)
            summary = json.loads(stdout)
            results["ours"].append((wall, rss, summary["rows"], cpu))
            print(
                f"run {run_no} sanctuary scan : {wall:6.1f} s  CPU {cpu:6.1f} s  peak RSS {rss:.2f} GiB  rows {summary['rows']:,}  flagged {summary['flagged']:,}"
                f"  direct {summary['direct']['rows']:,}  ({summary['rows'] / wall:,.0f} rows/s)  load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
            if not args.skip_pandas:
                wall_p, cpu_p, rss_p, stdout_p = run(peer_cmd, Path(tmp) / "pandas")
                total, flagged = (int(x) for x in stdout_p.split())
                results["pandas"].append((wall_p, rss_p, total, cpu_p))
                print(
                    f"run {run_no} pandas + regex : {wall_p:6.1f} s  CPU {cpu_p:6.1f} s  peak RSS {rss_p:.2f} GiB  rows {total:,}  flagged {flagged:,}"
                    f"  ({total / wall_p:,.0f} rows/s)  load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
        for name, runs in results.items():
            if runs:
                wall, rss, cpu = statistics.median(r[0] for r in runs), max(r[1] for r in runs), statistics.median(r[3] for r in runs)
                print(
                    f"median of {len(runs)} {name:>6}: {wall:.1f} s ({runs[0][2] / wall:,.0f} rows/s), CPU {cpu:.1f} s, "
                    f"peak RSS at most {rss:.2f} GiB"
                )
        if results["pandas"]:
            ratio = statistics.median(r[0] for r in results["pandas"]) / statistics.median(r[0] for r in results["ours"])
            cpu_ratio = statistics.median(r[3] for r in results["pandas"]) / statistics.median(r[3] for r in results["ours"])
            print(f"pandas / sanctuary (medians): {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU")


if __name__ == "__main__":
    main()
