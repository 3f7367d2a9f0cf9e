"""The servers a benchmark measures, and the load it puts on them: shared by bench/gateway.py and
bench/proxy.py.

A server runs as its own process pinned to core 0 (`spawn`), in a temporary SANCTUARY_HOME
(`workspace`), and is measured once it accepts connections (`wait_ready`); wrk is pinned to core 1
(`wrk`), so that the load generator does not take the servers' CPU.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SANCTUARY = (PY, "-m", "sanctuary")
PIN_SERVERS = ("taskset", "-c", "0")
PIN_LOAD = ("taskset", "-c", "1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def workspace(prefix: str) -> tuple[Path, dict[str, str]]:
    """A temporary folder and the environment that makes it the servers' SANCTUARY_HOME."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    return work, {**os.environ, "SANCTUARY_HOME": str(work), "PYTHONPATH": str(ROOT / "src")}


def demo_keys(env: dict[str, str]) -> dict[str, str]:
    """{agency id or staff role: key} of the demo keys the servers accept with --demo."""
    run = subprocess.run([*SANCTUARY, "demo-keys", "--json"], env=env, check=True, capture_output=True, text=True)
    return dict(json.loads(run.stdout))


def spawn(args: Sequence[str], env: dict[str, str], err: Path | None = None, entry: Sequence[str] = SANCTUARY) -> subprocess.Popen:
    """`sanctuary ARGS` (or `entry ARGS`) pinned to the servers' core; its standard error to `err`."""
    stderr = err.open("w") if err is not None else subprocess.DEVNULL
    return subprocess.Popen([*PIN_SERVERS, *entry, *args], env=env, stdout=subprocess.DEVNULL, stderr=stderr)


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Return once the server accepts connections on `port`; stop the benchmark if it exits or never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def stop(procs: Iterable[subprocess.Popen]) -> None:
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


def wrk_command(url: str, connections: int, duration: int, headers: dict[str, str] | None = None, script: Path | None = None) -> list[str]:
    """wrk on the load core, one thread: with `headers` on each call, or a Lua `script` (a POST body)."""
    cmd = [*PIN_LOAD, "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency"]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    if script is not None:
        cmd += ["-s", str(script)]
    return [*cmd, url]


def wrk_result(out: str) -> dict:
    """What wrk printed: requests/s, latency percentiles (ms), non-2xx answers, socket errors."""

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(rate.group(1)) if rate else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "p50_ms": ms("50%"),
        "p90_ms": ms("90%"),
        "p99_ms": ms("99%"),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def wrk(url: str, connections: int, duration: int, headers: dict[str, str] | None = None, script: Path | None = None) -> dict:
    """One wrk run against `url` (see `wrk_command`), and what it measured, with the command."""
    cmd = wrk_command(url, connections, duration, headers, script)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return {**wrk_result(out), "command": " ".join(cmd)}


def cpu_ticks(pid: int) -> tuple[int, int]:
    """CPU clock ticks (user + system) a process has used so far: its main thread (the event loop
    of a uvicorn server), and its other threads together (workers, the log's committer), ended
    threads included (a thread pool that lets idle threads go takes their time with them from
    /proc/PID/task, not from the process's own total)."""

    def ticks(stat: Path) -> int:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of proc(5)

    main = ticks(Path(f"/proc/{pid}/task/{pid}/stat"))
    return main, ticks(Path(f"/proc/{pid}/stat")) - main


def cpu_per_request(before: tuple[int, int], after: tuple[int, int], requests: int) -> dict[str, float]:
    """Microseconds of CPU per request between two `cpu_ticks` readings: main thread, others, all."""
    tick_us = 1e6 / os.sysconf("SC_CLK_TCK")
    main, other = ((a - b) * tick_us / max(requests, 1) for a, b in zip(after, before))
    return {"main_thread_us": round(main), "other_threads_us": round(other), "cpu_us": round(main + other)}
