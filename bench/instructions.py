"""Instructions per request: the gateway's handling of one audited decision against the bare search,
counted by valgrind's callgrind, which gives the same count on every run whatever else the machine
is doing (timed runs on this shared machine differ by up to a fifth from one minute to the next).
The children run with a fixed hash seed: with random ones, two runs differ by about 3 %.

    .venv/bin/python bench/instructions.py                       # gateway and bare search
    .venv/bin/python bench/instructions.py --ablate index append record
    .venv/bin/python bench/instructions.py --baseline-src DIR    # also the gateway of another checkout

Each target runs in-process, without HTTP: the gateway's `handle` (read, decide, plan, search,
egress check, log entry built and appended durably, lookup index row, answer) of the request
bench/gateway.py sends, and the peer's work for one call of bench/gateway.py's bare search
(`bare_query`). The lookup index is written every 50 requests (a loaded gateway writes it once a second, more rows at a time).
One thread: every append commits alone (under load, concurrent appends share a commit, which
`bench/gateway.py --pairs` measures). Each target runs twice, for --few and --many requests after
the same start; the difference divided by the difference in requests is its count per request.
What the count leaves out: the kernel's work (the fsync of each commit among it) and the HTTP server.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gateway import BARE_BODY, BENCH, ENFORCED_BODY, ablate, bare_query, demo_data
from servers import ROOT, workspace

FLUSH_EVERY = 50


def child(target: str, count: int, store: str, steps: list[str]) -> None:
    """Run `count` requests of `target` in this process (under valgrind when measured)."""
    for step in steps:
        ablate(step)
    if target == "bare":
        from sanctuary.records import open_store

        records = open_store(store)
        body = json.dumps(BARE_BODY).encode()
        for _ in range(count):
            bare_query(records, body)
        return
    from sanctuary.gateway import decisions

    decisions.FLUSH_SECONDS = 3600.0  # written below instead, every FLUSH_EVERY requests
    from sanctuary.gateway.app import Gateway, GatewayConfig
    from sanctuary.gateway.credentials import KeyRing

    keys = KeyRing()
    keys.add_demo_keys()
    home = os.environ["SANCTUARY_HOME"]
    cfg = GatewayConfig(profiles=["chicago-2021"], store_url=store, log_url=f"{home}/log.db", keys=keys, rate=0)
    gateway = Gateway(cfg)
    gateway.warm_up()
    raw = json.dumps(ENFORCED_BODY).encode()
    for i in range(count):
        submission = gateway.handle(raw, "FBI", time.monotonic() + 60, "api", "bench")
        if submission.status != 200:
            raise SystemExit(f"request {i} answered {submission.status}: {submission.body}")
        if i % FLUSH_EVERY == FLUSH_EVERY - 1:
            gateway.index.flush()
    gateway.close()


def counted(target: str, count: int, store: Path, steps: list[str], src: Path) -> int:
    """Instructions callgrind counted for one run of `count` requests, in a fresh home and store."""
    home = Path(tempfile.mkdtemp(prefix="sanctuary-insn-"))
    try:
        shutil.copy(store, home / "records.db")
        env = {**os.environ, "SANCTUARY_HOME": str(home), "PYTHONPATH": f"{src}{os.pathsep}{BENCH}", "PYTHONHASHSEED": "0"}
        out = home / "callgrind.out"
        argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, __file__]
        argv += ["--child", target, "--count", str(count), "--store", str(home / "records.db")]
        argv += ["--ablate", *steps] if steps else []
        run = subprocess.run(argv, env=env, capture_output=True, text=True)
        found = re.search(r"Collected : (\d+)", run.stderr)
        if run.returncode != 0 or not found:
            raise SystemExit(f"{target} failed:\n{run.stderr[-3000:]}")
        return int(found.group(1))
    finally:
        shutil.rmtree(home, ignore_errors=True)


def per_request(target: str, store: Path, args: argparse.Namespace, steps: list[str], src: Path) -> int:
    few = counted(target, args.few, store, steps, src)
    many = counted(target, args.many, store, steps, src)
    return round((many - few) / (args.many - args.few))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--few", type=int, default=50)
    parser.add_argument("--many", type=int, default=250)
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--ablate", nargs="*", default=[], choices=("index", "append", "record"), help="also: the gateway without it")
    parser.add_argument("--baseline-src", type=Path, help="also: the gateway of another checkout's src")
    parser.add_argument("--child", choices=("gateway", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.count, args.store, args.ablate)
        return
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed: apt-get install -y valgrind")
    work, env = workspace("sanctuary-insn-data-")
    try:
        demo_data(env, args.persons, work / "records.db")
        src = ROOT / "src"
        rows = {"gateway (audited decision + search)": per_request("gateway", work / "records.db", args, [], src)}
        rows["bare search (enforcement off)"] = per_request("bare", work / "records.db", args, [], src)
        for step in args.ablate:
            rows[f"gateway without {step}"] = per_request("gateway", work / "records.db", args, [step], src)
        if args.baseline_src:
            rows[f"gateway of {args.baseline_src}"] = per_request("gateway", work / "records.db", args, [], args.baseline_src.resolve())
        gateway, bare = rows["gateway (audited decision + search)"], rows["bare search (enforcement off)"]
        print(
            json.dumps(
                {
                    "instructions_per_request": rows,
                    "bare_over_gateway": round(bare / gateway, 3),
                    "requests": [args.few, args.many],
                    "note": "user-space instructions in one thread, no HTTP server, every append its own commit",
                },
                indent=2,
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
