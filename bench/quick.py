"""`make bench-quick`: small runs of the decision, gateway, log and retro benchmarks, each beside its
peer measured in the same run, checked against bench/quick.toml (docs/benchmarks.md lists it).

    .venv/bin/python bench/quick.py [--only decide,log] [--json]

It fails (exit 1) on what cannot flake: Cedar requests and batches per decision, log entries per
commit when appends queue together, and rows per second only as a wide floor. Ratios against the
peers are printed beside the recorded ones, and fail only when worse than recorded by more than the
recorded spread. Run it before every merge that touches the request path (about a minute).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
THRESHOLDS = BENCH / "quick.toml"


@dataclass(frozen=True)
class Verdict:
    name: str
    value: float
    bound: str  # what it is held to, for people
    ok: bool


def check(measured: Mapping[str, float], thresholds: Mapping[str, Any]) -> list[Verdict]:
    """Every threshold of `thresholds` (quick.toml, parsed) against `measured`. A measure missing is
    a failure: a benchmark that did not run says nothing."""
    out = []
    for name, spec in thresholds.get("count", {}).items():
        value = measured.get(name, float("nan"))
        ok = spec.get("min", -float("inf")) <= value <= spec.get("max", float("inf"))
        out.append(Verdict(name, value, _range(spec), ok))
    for name, spec in thresholds.get("floor", {}).items():
        value = measured.get(name, float("nan"))
        out.append(Verdict(name, value, f">= {spec['min']:g} (wide floor)", value >= spec["min"]))
    for name, spec in thresholds.get("ratio", {}).items():
        value = measured.get(name, float("nan"))
        recorded, spread = spec["recorded"], spec["spread"]
        if spec["better"] == "higher":
            ok, bound = value >= recorded - spread, f"recorded {recorded:g}, fails below {recorded - spread:g}"
        else:
            ok, bound = value <= recorded + spread, f"recorded {recorded:g}, fails above {recorded + spread:g}"
        out.append(Verdict(name, value, bound, ok))
    return out


def _range(spec: Mapping[str, float]) -> str:
    parts = ([f">= {spec['min']:g}"] if "min" in spec else []) + ([f"<= {spec['max']:g}"] if "max" in spec else [])
    return " and ".join(parts)


# -- the small runs ----------------------------------------------------------------------------


def _json_of(cmd: list[str], env: Mapping[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT, env={**os.environ, **(env or {})})
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd[1:])} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout[done.stdout.index("{") :])


def decide() -> dict[str, float]:
    """bench/decide.py, 2,000 decisions under the chicago jurisdiction."""
    r = _json_of([sys.executable, str(BENCH / "decide.py"), "--n", "2000", "--jurisdiction", "chicago"])
    return {
        "decide.cedar_requests_per_decision": r["cedar_requests_per_decision"],
        "decide.cedar_batches_per_decision": r["cedar_batches_per_decision"],
        "decide.cached_over_raw_one_call_rate": r["cached_over_raw_one_call_rate"],
        "decide.uncached_p50_over_raw_one_call_p50": r["uncached_p50_over_raw_one_call_p50"],
    }


def gateway() -> dict[str, float]:
    """bench/gateway.py: one gateway/bare pair of 1 s (wrk), 1,000 persons."""
    r = _json_of([sys.executable, str(BENCH / "gateway.py"), "--pairs", "1", "--duration", "1", "--warmup", "1", "--persons", "1000"])
    return {"gateway.over_bare_rps": r["median_ratio"]}


def log() -> dict[str, float]:
    """bench/audit_log.py's sequential durable appends (SQLite) beside pymerkle's, and entries per
    commit when appends queue together (the committer takes what is queued in one transaction)."""
    with tempfile.TemporaryDirectory(prefix="bench-quick-log-") as tmp:
        env = {"SANCTUARY_KEYS": str(Path(tmp) / "keys")}
        ours = _json_of([sys.executable, str(BENCH / "audit_log.py"), "--phase", "append_seq", str(Path(tmp) / "ours.db"), "300"], env)
        theirs = _json_of([sys.executable, str(BENCH / "audit_log.py"), "--phase", "pm_append_seq", str(Path(tmp) / "pm.db"), "300"], env)
        per_commit = _json_of([sys.executable, str(BENCH / "quick.py"), "--entries-per-commit", str(Path(tmp) / "group.db")], env)
    return {"log.append_over_pymerkle": ours["rate"] / theirs["rate"], "log.entries_per_commit": per_commit["entries_per_commit"]}


def entries_per_commit(path: str, queued: int = 64) -> dict[str, float]:
    """One entry queued, its commit held up before the log's write lock (as a slow disk or another
    process committing would); `queued` - 1 more queued meanwhile: they must go to the store
    together, joining it once the lock is held (1 commit in all; 2 if they waited for the next)."""
    sys.path.insert(0, str(ROOT / "src"))
    from sanctuary.audit import open_log

    log = open_log(path)
    commits = 0
    busy, release = threading.Event(), threading.Event()
    append = log._store.append

    def held(*args: Any, **kw: Any) -> Any:
        nonlocal commits
        commits += 1
        busy.set()
        release.wait()
        return append(*args, **kw)

    log._store.append = held  # type: ignore[method-assign]

    def entry(key: bytes) -> tuple[bytes, Any]:
        return b"e" * 400, None  # what is built does not matter here, only how it is committed

    futures = [log.append_built_later(entry)]
    busy.wait()
    futures += [log.append_built_later(entry) for _ in range(queued - 1)]
    release.set()
    for future in futures:
        future.result()
    log.close()
    return {"entries_per_commit": queued / commits}


def retro() -> dict[str, float]:
    """bench/retro.py on 10,000 generated rows: our scan's rows/s and pandas' time over ours."""
    done = subprocess.run(
        [sys.executable, str(BENCH / "retro.py"), "--rows", "10000"], capture_output=True, text=True, check=False, cwd=ROOT
    )
    if done.returncode:
        raise SystemExit(f"bench/retro.py failed:\n{done.stderr[-2000:]}")
    rate = re.search(r"median of \d+ +ours: [\d.]+ s \(([\d,]+) rows/s\)", done.stdout)
    ratio = re.search(r"pandas / sanctuary \(medians\): ([\d.]+)x", done.stdout)
    if not rate or not ratio:
        raise SystemExit(f"bench/retro.py: unexpected output:\n{done.stdout[-2000:]}")
    return {"retro.rows_per_s": float(rate.group(1).replace(",", "")), "retro.pandas_time_over_ours": float(ratio.group(1))}


RUNS: dict[str, Callable[[], dict[str, float]]] = {"decide": decide, "gateway": gateway, "log": log, "retro": retro}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="comma-separated: " + ",".join(RUNS))
    ap.add_argument("--json", action="store_true", help="measures and verdicts as JSON")
    ap.add_argument("--entries-per-commit", help=argparse.SUPPRESS)  # a child process of `log`
    args = ap.parse_args()
    if args.entries_per_commit:
        print(json.dumps(entries_per_commit(args.entries_per_commit)))
        return
    names = args.only.split(",") if args.only else list(RUNS)
    unknown = [n for n in names if n not in RUNS]
    if unknown:
        raise SystemExit(f"--only: unknown run(s) {', '.join(unknown)}; known: {', '.join(RUNS)}")
    thresholds = tomllib.loads(THRESHOLDS.read_text(encoding="utf-8"))
    measured: dict[str, float] = {}
    for name in names:
        measured.update(RUNS[name]())
    # Only the thresholds of the runs made are checked.
    chosen = {kind: {k: v for k, v in specs.items() if k.split(".")[0] in names} for kind, specs in thresholds.items()}
    verdicts = check(measured, chosen)
    load = round(os.getloadavg()[0], 2)
    if args.json:
        print(json.dumps({"load_average_1m": load, "measured": measured, "verdicts": [v.__dict__ for v in verdicts]}, indent=2))
    else:
        print(f"make bench-quick (load average {load} on {os.cpu_count()} cores)")
        for v in verdicts:
            print(f"  {'ok  ' if v.ok else 'FAIL'} {v.name:45s} {v.value:10.3f}   {v.bound}")
    if not all(v.ok for v in verdicts):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
