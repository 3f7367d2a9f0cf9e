"""Command-line start-up: `sanctuary screen TEXT` and `sanctuary --help` against `python -c "import cedarpy, typer"`.

    .venv/bin/python bench/cli_start.py [--runs 15] [--text "assist ICE"] [--baseline-src DIR]

Runs the commands alternately, `--runs` times each, in fresh processes (the interpreter of this
venv for all), and reports for each the median and the worst wall time and the median peak
resident memory and CPU time (user + system, which other load on a shared machine disturbs less);
then the ratios of the medians. The peer is the floor any Typer command on Cedar
pays: the interpreter plus the two libraries. Target (issues 13 and 27): each ratio <= 3. `--baseline-src`
adds the same two commands from another checkout's `src`, interleaved (e.g. a worktree
of an older commit), to show what a change moved.

Every command runs as installed: the modules of `src` (and of `--baseline-src`) are compiled to
bytecode first, as pip compiles the libraries the peer imports when it installs them. A checkout
installed in editable mode is compiled by Python on first import and cached in `__pycache__`, except
where PYTHONDONTWRITEBYTECODE is set (as on the machines these figures come from): there, without
this step, every start would compile every module of ours again, which no installed copy does.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run_once(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak resident MiB of one run of `argv`."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({child.returncode}): {child.stderr.read().decode() if child.stderr else ''}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--text", default="assist ICE")
    parser.add_argument("--baseline-src", type=Path, help="Also time `screen` from this src/ folder.")
    args = parser.parse_args()
    commands: dict[str, tuple[list[str], dict[str, str] | None]] = {
        "sanctuary screen": ([str(BIN / "sanctuary"), "screen", args.text], None),
        "sanctuary --help": ([str(BIN / "sanctuary"), "--help"], None),
        "import cedarpy, typer": ([sys.executable, "-c", "import cedarpy, typer"], None),
    }
    if args.baseline_src:
        env = {**os.environ, "PYTHONPATH": str(args.baseline_src.resolve())}
        for label, argv in (("screen", ["screen", args.text]), ("--help", ["--help"])):
            call = f"import sys; sys.argv = ['sanctuary', *{argv!r}]; from sanctuary.cli import main; main()"
            commands[f"baseline {label}"] = ([sys.executable, "-c", call], env)
    for src in (ROOT / "src", args.baseline_src):  # as installed: bytecode written (see above)
        if src is not None and not compileall.compile_dir(src, quiet=1):
            raise SystemExit(f"{src}: a module does not compile")
    for argv, env in commands.values():  # warm the file cache once, unmeasured
        run_once(argv, env)
    samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, (argv, env) in commands.items():
            samples[name].append(run_once(argv, env))
    result: dict[str, dict[str, object]] = {}
    for name, rows in samples.items():
        walls = [w for w, _, _ in rows]
        result[name] = {
            "median_s": round(statistics.median(walls), 3),
            "max_s": round(max(walls), 3),
            "median_cpu_s": round(statistics.median(c for _, c, _ in rows), 3),
            "median_rss_mib": round(statistics.median(r for _, _, r in rows), 1),
        }
    peer = result["import cedarpy, typer"]
    for name in ("sanctuary screen", "sanctuary --help"):
        ours = result[name]
        wall = float(ours["median_s"]) / float(peer["median_s"])  # type: ignore[arg-type]
        cpu = float(ours["median_cpu_s"]) / float(peer["median_cpu_s"])  # type: ignore[arg-type]
        result[f"ratio {name}"] = {"wall": round(wall, 2), "cpu": round(cpu, 2), "target": 3, "met": wall <= 3}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
