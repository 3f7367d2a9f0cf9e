"""Benchmark of the decision log, with pymerkle's SqliteTree measured on the same workload.

    .venv/bin/python bench/audit_log.py                 # 1M-entry tree
    .venv/bin/python bench/audit_log.py --big 10000000  # also a 10M-entry tree

Every phase runs in its own process, so "peak RSS" is that phase's own memory. Entries are
400 bytes. Durable means committed with fsync: SQLite WAL + synchronous=FULL for both logs,
PostgreSQL with synchronous_commit on. pymerkle's connection is switched to the same WAL+FULL
mode (its default, rollback journal, is slower still).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENTRY = 400
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def payload(i: int) -> bytes:
    return f"decision {i} ".encode().ljust(ENTRY, b".")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- phases (each runs in a child process and prints one JSON object) ----------------------


def phase_append_seq(url: str, n: int) -> dict:
    from sanctuary.audit import open_log

    log = open_log(url)
    start = time.perf_counter()
    for i in range(n):
        log.append(payload(i))
    rate = n / (time.perf_counter() - start)
    log.close()
    return {"rate": rate}


def phase_append_threads(url: str, n: int, threads: int) -> dict:
    from sanctuary.audit import open_log
    from sanctuary.audit.hammer import run

    log = open_log(url)
    elapsed = run(log, threads, n // threads, "bench", ENTRY, echo=False)
    log.close()
    return {"rate": (n // threads) * threads / elapsed}


def phase_build(url: str, n: int) -> dict:
    from sanctuary.audit import open_log

    log = open_log(url)
    start = time.perf_counter()
    for s in range(0, n, 10_000):
        log.append_many([payload(i) for i in range(s, min(n, s + 10_000))])
    rate = n / (time.perf_counter() - start)
    log.close()
    return {"rate": rate}


def phase_verify(url: str, workers: int) -> dict:
    from sanctuary.audit import open_log

    log = open_log(url)
    n = log.size()
    start = time.perf_counter()
    result = log.verify(full=True, workers=workers)
    rate = n / (time.perf_counter() - start)
    log.close()
    assert result.ok, result.message
    return {"rate": rate}


def phase_prove(url: str, samples: int) -> dict:
    from sanctuary.audit import open_log
    from sanctuary.audit.verifier import verify_inclusion

    start = time.perf_counter()
    log = open_log(url)
    n = log.size()
    root = log.root()
    first = (time.perf_counter() - start) * 1000
    rng = random.Random(7)
    times = []
    for _ in range(samples):
        i = rng.randrange(n)
        t = time.perf_counter()
        p = log.prove(i)
        times.append((time.perf_counter() - t) * 1000)
        verify_inclusion(p.leaf_hash, i, n, p.proof, root)
    cons = []
    for _ in range(samples // 4):
        m = rng.randrange(1, n)
        t = time.perf_counter()
        log.consistency(m, n)
        cons.append((time.perf_counter() - t) * 1000)
    log.close()
    return {
        "open_root_ms": first,
        "prove_mean_ms": statistics.mean(times),
        "prove_p50_ms": statistics.median(times),
        "prove_p99_ms": statistics.quantiles(times, n=100)[98],
        "consistency_mean_ms": statistics.mean(cons),
    }


def _pymerkle(path: str):
    from pymerkle import SqliteTree

    tree = SqliteTree(path)
    tree.con.execute("PRAGMA journal_mode=WAL")
    tree.con.execute("PRAGMA synchronous=FULL")
    return tree


def phase_pm_append_seq(path: str, n: int) -> dict:
    tree = _pymerkle(path)
    start = time.perf_counter()
    for i in range(n):
        tree.append_entry(payload(i))
    rate = n / (time.perf_counter() - start)
    tree.close()
    return {"rate": rate}


def phase_pm_build(path: str, n: int) -> dict:
    tree = _pymerkle(path)
    start = time.perf_counter()
    for s in range(0, n, 10_000):
        tree.append_entries([payload(i) for i in range(s, min(n, s + 10_000))])
    rate = n / (time.perf_counter() - start)
    tree.close()
    return {"rate": rate}


def phase_pm_root(path: str) -> dict:
    """pymerkle has no full verify; the nearest work is a cold root over every stored leaf hash."""
    tree = _pymerkle(path)
    n = tree.get_size()
    start = time.perf_counter()
    tree.get_root()
    rate = n / (time.perf_counter() - start)
    tree.close()
    return {"rate": rate}


def phase_pm_prove(path: str, samples: int) -> dict:
    tree = _pymerkle(path)
    n = tree.get_size()
    start = time.perf_counter()
    tree.get_root()
    first = (time.perf_counter() - start) * 1000
    rng = random.Random(7)
    times = []
    for _ in range(samples):
        i = rng.randrange(n) + 1  # pymerkle indices are 1-based
        t = time.perf_counter()
        tree.prove_inclusion(i)
        times.append((time.perf_counter() - t) * 1000)
    tree.close()
    return {
        "open_root_ms": first,
        "prove_mean_ms": statistics.mean(times),
        "prove_p50_ms": statistics.median(times),
        "prove_p99_ms": statistics.quantiles(times, n=100)[98],
    }


PHASES = {name.removeprefix("phase_"): fn for name, fn in globals().items() if name.startswith("phase_")}


# --- orchestration ------------------------------------------------------------------------


def child(name: str, *args: object) -> dict:
    cmd = [sys.executable, __file__, "--phase", name, *map(str, args)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"phase {name} failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"  {name} {' '.join(map(str, args[1:]))}: "
        + ", ".join(f"{k}={v:,.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in result.items()),
        flush=True,
    )
    return result


def pg_database() -> tuple[str, str]:
    import psycopg

    name = f"sanctuary_auditbench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return name, f"postgresql://postgres@127.0.0.1:5432/{name}"


def drop_pg(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def processes(url: str, n: int, procs: int, threads: int) -> None:
    """Several gateway-like processes appending to one log at once (PostgreSQL's use case)."""
    count = n // (procs * threads)
    cmd = [
        sys.executable,
        "-m",
        "sanctuary.audit.hammer",
        "--log",
        url,
        "--threads",
        str(threads),
        "--count",
        str(count),
        "--bytes",
        str(ENTRY),
        "--quiet",
    ]
    start = time.perf_counter()
    running = [subprocess.Popen(cmd, stdout=subprocess.DEVNULL) for _ in range(procs)]
    if any(p.wait() for p in running):
        raise SystemExit("hammer process failed")
    rate = count * procs * threads / (time.perf_counter() - start)
    print(f"  append_processes {procs}x{threads} threads: rate={rate:,.3f} (including process start-up)", flush=True)


def tree_section(work: Path, n: int, samples: int) -> None:
    print(f"\n## tree of {n:,} entries", flush=True)
    ours, theirs = str(work / f"ours-{n}.db"), str(work / f"pymerkle-{n}.db")
    child("build", ours, n)
    child("pm_build", theirs, n)
    child("verify", ours, 1)
    child("verify", ours, 2)
    child("pm_root", theirs)
    child("prove", ours, samples)
    child("pm_prove", theirs, max(20, samples // 10))
    sizes = {p: sum(f.stat().st_size for f in work.glob(Path(p).name + "*")) / 1e6 for p in (ours, theirs)}
    print(f"  disk: ours {sizes[ours]:,.0f} MB, pymerkle {sizes[theirs]:,.0f} MB", flush=True)
    for p in (ours, theirs):
        for f in work.glob(Path(p).name + "*"):
            f.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--appends", type=int, default=20_000, help="entries per append phase")
    parser.add_argument("--tree", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=0, help="also build and measure a tree this large (e.g. 10000000)")
    parser.add_argument("--samples", type=int, default=2000, help="proofs timed per tree")
    parser.add_argument("--skip-appends", action="store_true", help="only the tree phases")
    parser.add_argument("--workdir", default=None, help="where the SQLite files go (default: a temp dir)")
    args, rest = parser.parse_known_args()
    if args.phase:
        converted = [int(a) if a.lstrip("-").isdigit() else a for a in rest]
        result = PHASES[args.phase](*converted)
        print(json.dumps({**result, "peak_rss_mb": rss_mb()}))
        return
    work = Path(args.workdir or tempfile.mkdtemp(prefix="audit-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    os.environ["SANCTUARY_KEYS"] = str(work / "keys")  # the phases' processes inherit it
    print(f"# audit log benchmark: {args.appends:,} appends per phase, entries {ENTRY} bytes, cpus {os.cpu_count()}")
    if not args.skip_appends:
        appends(work, args.appends)
    tree_section(work, args.tree, args.samples)
    if args.big:
        tree_section(work, args.big, args.samples)
    if not args.workdir:
        shutil.rmtree(work)


def appends(work: Path, n: int) -> None:
    print("\n## durable appends", flush=True)
    child("append_seq", str(work / "seq.db"), n // 4)
    child("pm_append_seq", str(work / "pm-seq.db"), n // 4)
    for threads in (16, 64, 128):
        child("append_threads", str(work / f"thr{threads}.db"), n, threads)
    name, url = pg_database()
    try:
        child("append_seq", url, n // 4)
        for threads in (16, 64, 128):
            child("append_threads", url, n, threads)
        processes(url, n, 4, 32)
    finally:
        drop_pg(name)
    for f in work.glob("*.db*"):
        f.unlink()


if __name__ == "__main__":
    main()
