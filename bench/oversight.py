"""Benchmarks of what oversight runs: cosigning by two local witnesses, and the monitor.

    PYTHONPATH=src .venv/bin/python bench/oversight.py                     # 300 checkpoints, 500k entries
    PYTHONPATH=src .venv/bin/python bench/oversight.py --entries 1000000

1. Cosigning: two witnesses run as real processes (`sanctuary witness serve`) on loopback. Each
   round appends one entry and signs a checkpoint; every other round also has it cosigned by
   both. Reported: p50 / p90 of the checkpoint alone (the peer: no witnesses) and of the cosigning
   step (two parallel HTTP round trips, consistency proof, cosignature checks, storing).
2. Monitor: a log of N entries (600 bytes, about a real entry's size) is published as tiles and
   served by Debian's nginx (`make test` installs it); the monitor follows it from an empty state (every entry
   fetched over HTTP and re-hashed, the root recomputed). The peer is the stand-alone verifier's
   `tiles` check of the same folder (local files, every tile level).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENTRY = 600


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def start_witness(folder: Path, name: str, log_vkey: str, env: dict[str, str]) -> tuple[subprocess.Popen[str], str, str]:
    subprocess.run(
        [sys.executable, "-m", "sanctuary", "witness", "keygen", name, "--dir", str(folder)], check=True, capture_output=True, env=env
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "sanctuary", "witness", "serve", "--dir", str(folder), "--port", "0", "--log-vkey", log_vkey],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    url = process.stdout.readline().split()[-1]
    return process, url, (folder / "witness.vkey").read_text().strip()


def bench_cosign(work: Path, rounds: int) -> dict[str, float]:
    from sanctuary.audit import open_log
    from sanctuary.audit.cosign import Cosigner, WitnessEndpoint
    from sanctuary.audit.keys import generate
    from sanctuary.audit.verifier import COSIGNATURE_V1, parse_vkey

    keys = work / "keys"
    generate("bench.example/log", keys)
    log = open_log(str(work / "cosign.db"), keys)
    log.append_many([b"x" * ENTRY for _ in range(1000)])
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    vkey = (keys / "log.vkey").read_text().strip()
    witnesses = [start_witness(work / f"w{i}", f"w{i}.bench.example/witness", vkey, env) for i in (1, 2)]
    try:
        cosigner = Cosigner([WitnessEndpoint(url, parse_vkey(wkey, COSIGNATURE_V1)) for _, url, wkey in witnesses], quorum=2)
        cosigner.cosign(log, log.checkpoint())  # warm: connections open, witness sizes known
        plain, cosign = [], []
        for i in range(rounds):
            log.append(b"y" * ENTRY)
            t0 = time.perf_counter()
            note = log.checkpoint()
            t1 = time.perf_counter()
            plain.append((t1 - t0) * 1000)
            if i % 2:
                cosigner.cosign(log, note)
                cosign.append((time.perf_counter() - t1) * 1000)
        cosigner.close()
    finally:
        for process, _, _ in witnesses:
            process.terminate()
            process.wait()
        log.close()
    return {
        "checkpoint_p50_ms": statistics.median(plain),
        "checkpoint_p90_ms": percentile(plain, 0.9),
        "cosign_p50_ms": statistics.median(cosign),
        "cosign_p90_ms": percentile(cosign, 0.9),
        "cosign_rounds": len(cosign),
    }


def start_nginx(work: Path, public: Path) -> tuple[subprocess.Popen[bytes], int]:
    """Debian's nginx serving the published folder as static files, as a department would."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    conf = work / "nginx.conf"
    conf.write_text(
        f"user root; worker_processes 1; daemon off; pid {work}/nginx.pid; error_log {work}/nginx.err;\n"
        f"events {{}}\nhttp {{ access_log off; server {{ listen 127.0.0.1:{port}; root {public}; }} }}\n"
    )
    server = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(work)])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as client:
            if client.connect_ex(("127.0.0.1", port)) == 0:
                return server, port
        time.sleep(0.05)
    server.kill()
    raise RuntimeError(f"nginx did not start: {(work / 'nginx.err').read_text() if (work / 'nginx.err').exists() else ''}")


def bench_monitor(work: Path, entries: int) -> dict[str, float]:
    from sanctuary.audit import open_log
    from sanctuary.audit.monitor import run
    from sanctuary.audit.tiles import publish
    from sanctuary.audit.verifier import parse_vkey, verify_tiles

    keys = work / "keys"
    log = open_log(str(work / "monitor.db"), keys)
    for start in range(0, entries, 10_000):
        log.append_many([f"decision {i} ".encode().ljust(ENTRY, b".") for i in range(start, min(entries, start + 10_000))])
    public = work / "public"
    publish(log, public)
    log.close()
    vkey = (keys / "log.vkey").read_text().strip()
    server, port = start_nginx(work, public)
    try:
        t0 = time.perf_counter()
        report = run(f"http://127.0.0.1:{port}", vkey, [], None, work / "state.json")
        monitor_s = time.perf_counter() - t0
        assert report.ok and report.verified == entries, report.message
    finally:
        server.terminate()
        server.wait()
    t0 = time.perf_counter()
    verify_tiles(public, parse_vkey(vkey))
    peer_s = time.perf_counter() - t0
    return {
        "entries": entries,
        "monitor_entries_per_s": entries / monitor_s,
        "monitor_s": monitor_s,
        "verify_log_tiles_entries_per_s": entries / peer_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--entries", type=int, default=500_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-oversight-"))
    try:
        results = {**bench_cosign(work, args.rounds), **bench_monitor(work, args.entries)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for key, value in results.items():
        print(f"{key:32} {value:,.3f}" if isinstance(value, float) else f"{key:32} {value:,}")


if __name__ == "__main__":
    main()
