"""A new user's first `make run`: the time from a fresh clone to "listening", and the size of the venv.

    .venv/bin/python bench/first_run.py [--rev HEAD] [--baseline main] [--runs 1]

For each revision (`--rev`, and `--baseline` as the peer, run alternately `--runs` times), the
committed tree is exported to a temporary folder (`git archive`: what a clone holds), and `make run
PORT=0` is started there with a temporary HOME and pip's cache off, so every package is installed
from the pinned lock as on a fresh machine (from this machine's package index: the network is not
measured). The clock runs from `make run` to the line "listening on"; then the server is stopped
with Ctrl-C and the venv measured: its size on disk (bytes of every file, links not followed) and
the packages installed. Prints JSON: each run, and the medians per revision.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def export(rev: str, into: Path) -> str:
    """The tree of `rev` in `into` (as a clone has it); returns the commit it is."""
    commit = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    archive = subprocess.Popen(["git", "archive", rev], cwd=ROOT, stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(into)], stdin=archive.stdout, check=True)
    archive.wait()
    return commit


def size_of(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
    return total


def first_run(rev: str) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="sanctuary-first-run-") as tmp:
        clone, home = Path(tmp) / "clone", Path(tmp) / "home"
        clone.mkdir()
        home.mkdir()
        commit = export(rev, clone)
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(home),
            "LANG": "C.UTF-8",
            "PIP_NO_CACHE_DIR": "1",
            **{k: v for k, v in os.environ.items() if k.startswith("PIP_") and k != "PIP_NO_CACHE_DIR"},  # where the index is
        }
        out = Path(tmp) / "make-run.out"
        started = time.perf_counter()
        with out.open("wb") as sink:
            proc = subprocess.Popen(
                ["make", "run", "PORT=0"], cwd=clone, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            while "listening on http://" not in out.read_text(errors="replace"):
                if proc.poll() is not None or time.perf_counter() - started > 1800:
                    raise SystemExit(f"{rev}: make run did not start:\n{out.read_text(errors='replace')[-3000:]}")
                time.sleep(0.1)
            listening = time.perf_counter() - started
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(timeout=60)
        venv = clone / ".venv"
        listed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True)
        packages = sorted(line.split("==")[0] for line in listed.stdout.splitlines() if "==" in line)
        return {
            "rev": rev,
            "commit": commit,
            "listening_s": round(listening, 1),
            "venv_mb": round(size_of(venv) / 1e6, 1),
            "packages": len(packages),
            "has_test_tools": any(p.lower() in ("pytest", "playwright", "mypy") for p in packages),
            "has_scikit_learn": any(p.lower() == "scikit-learn" for p in packages),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", default="HEAD")
    parser.add_argument("--baseline", help="The peer: another revision's first make run, alternated with --rev.")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    revs = [args.rev, *([args.baseline] if args.baseline else [])]
    runs = [first_run(rev) for _ in range(args.runs) for rev in revs]
    medians = {
        rev: {
            "listening_s": statistics.median(float(r["listening_s"]) for r in runs if r["rev"] == rev),  # type: ignore[arg-type]
            "venv_mb": statistics.median(float(r["venv_mb"]) for r in runs if r["rev"] == rev),  # type: ignore[arg-type]
        }
        for rev in revs
    }
    print(json.dumps({"runs": runs, "medians": medians, "load_1min": os.getloadavg()[0]}, indent=2))


if __name__ == "__main__":
    main()
