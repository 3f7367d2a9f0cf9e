"""The cost of guarding a department system: `sanctuary proxy`, and `/v1/authz` behind NGINX, each
beside its peer measured in the same run (the demo RMS called directly; NGINX without auth_request).

    python bench/proxy.py                       # 5 interleaved rounds of 2 s runs (about a minute)
    python bench/proxy.py --pairs 7 --duration 3

Each round runs, back to back: RMS direct and through the proxy at c=1 and at c=8, then NGINX in
front of the RMS without and with auth_request at c=1. The call: the FBI asks for James Carter's
warrants (GET /persons/P0000002/warrants with a purpose header), a permit; through the proxy it
costs a facts call and the forwarded call to the RMS, the decision, the filter and a durable log
entry. The law: chicago-2021 (as bench/gateway.py). Servers (RMS, proxy, gateway, both NGINX) are
pinned to core 0, wrk to core 1.

Targets (issue 15): proxy p50 added <= 2 ms at c=1; proxy throughput >= 0.4x the direct RMS at c=8
(median of >= 5 interleaved pairs); /v1/authz behind NGINX p50 added <= 1.5 ms over NGINX alone.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PATH = "/persons/P0000002/warrants"
PIN_SERVERS = ("taskset", "-c", "0")
PIN_LOAD = ("taskset", "-c", "1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
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


def wrk(url: str, headers: dict[str, str], connections: int, duration: int) -> dict:
    cmd = [*PIN_LOAD, "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(rate.group(1)) if rate else 0.0,
        "p50_ms": ms("50%"),
        "p99_ms": ms("99%"),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
    }


def spawn(args: list[str], env: dict[str, str], err: Path) -> subprocess.Popen:
    return subprocess.Popen([*PIN_SERVERS, PY, "-m", "sanctuary", *args], env=env, stdout=subprocess.DEVNULL, stderr=err.open("w"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=2, help="seconds per run")
    parser.add_argument("--pairs", type=int, default=5, help="interleaved rounds (at least 5 for the targets)")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: make wrk")
    sys.path.insert(0, str(ROOT / "tests"))
    from proxy_harness import start_nginx  # the same NGINX site the tests run (examples/rms/nginx.conf)

    work = Path(tempfile.mkdtemp(prefix="sanctuary-bench-proxy-"))
    env = {**os.environ, "SANCTUARY_HOME": str(work), "PYTHONPATH": str(ROOT / "src")}
    keys = json.loads(
        subprocess.run([PY, "-m", "sanctuary", "demo-keys", "--json"], env=env, check=True, capture_output=True, text=True).stdout
    )
    routes = str(ROOT / "examples" / "rms" / "routes.toml")
    rms_port, proxy_port, gw_port = free_port(), free_port(), free_port()
    rms_url = f"http://127.0.0.1:{rms_port}"
    procs = [spawn(["demo-upstream", "--port", str(rms_port)], env, work / "rms.err")]
    procs.append(
        spawn(
            [
                "proxy",
                "--demo",
                "--quiet",
                "--profile",
                "chicago-2021",
                "--upstream",
                rms_url,
                "--routes",
                routes,
                "--port",
                str(proxy_port),
                "--log",
                str(work / "proxy-log.db"),
            ],
            env,
            work / "proxy.err",
        )
    )
    procs.append(
        spawn(
            ["serve", "--demo", "--profile", "chicago-2021", "--quiet", "--rate", "0", "--routes", routes, "--upstream", rms_url]
            + ["--port", str(gw_port)]
            + ["--store", str(work / "records.db"), "--log", str(work / "log.db")],
            env,
            work / "gateway.err",
        )
    )
    nginx = []
    try:
        for port, proc in zip((rms_port, proxy_port, gw_port), procs):
            wait_ready(port, proc)
        plain = start_nginx(work / "nginx-plain", rms_url, None, PIN_SERVERS)
        nginx.append(plain)
        hooked = start_nginx(work / "nginx-authz", rms_url, f"http://127.0.0.1:{gw_port}", PIN_SERVERS)
        nginx.append(hooked)
        agency = {"Authorization": f"Bearer {keys['FBI']}", "X-Sanctuary-Purpose": "armed robbery investigation"}
        targets = {
            "direct": (rms_url + PATH, {}),
            "proxy": (f"http://127.0.0.1:{proxy_port}{PATH}", agency),
            "nginx": (plain.url + PATH, {}),
            "nginx+authz": (hooked.url + PATH, agency),
        }
        for url, headers in targets.values():
            wrk(url, headers, 2, args.warmup)
        rounds = []
        for _ in range(args.pairs):
            runs = {}
            for c in (1, 8):
                for name in ("direct", "proxy"):
                    runs[f"{name} c={c}"] = wrk(*targets[name], c, args.duration)
            for name in ("nginx", "nginx+authz"):
                runs[f"{name} c=1"] = wrk(*targets[name], 1, args.duration)
            rounds.append(runs)
        proxy_added = [r["proxy c=1"]["p50_ms"] - r["direct c=1"]["p50_ms"] for r in rounds]
        ratio = [r["proxy c=8"]["rps"] / r["direct c=8"]["rps"] for r in rounds]
        authz_added = [r["nginx+authz c=1"]["p50_ms"] - r["nginx c=1"]["p50_ms"] for r in rounds]
        summary = {
            "proxy_p50_added_ms_c1": round(statistics.median(proxy_added), 3),
            "proxy_throughput_ratio_c8": round(statistics.median(ratio), 3),
            "authz_p50_added_ms_c1": round(statistics.median(authz_added), 3),
            "targets_met": {
                "proxy p50 added <= 2 ms": statistics.median(proxy_added) <= 2,
                "proxy throughput >= 0.4x direct": statistics.median(ratio) >= 0.4,
                "authz p50 added <= 1.5 ms": statistics.median(authz_added) <= 1.5,
            },
            "non_2xx": sum(run["non_2xx"] for r in rounds for run in r.values()),
        }
        medians = {
            name: {k: round(statistics.median(r[name][k] for r in rounds), 3) for k in ("rps", "p50_ms", "p99_ms")} for name in rounds[0]
        }
        print(json.dumps({"pairs": args.pairs, "duration_s": args.duration, "medians": medians, "summary": summary}, indent=2))
    finally:
        for server in nginx:
            server.stop()
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
