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
import shutil
import statistics
import sys

from servers import PIN_SERVERS, ROOT, demo_keys, free_port, spawn, stop, wait_ready, workspace, wrk

PATH = "/persons/P0000002/warrants"


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

    work, env = workspace("sanctuary-bench-proxy-")
    keys = demo_keys(env)
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
                "--rate",
                "0",
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
            wrk(url, 2, args.warmup, headers)
        rounds = []
        for _ in range(args.pairs):
            runs = {}
            for c in (1, 8):
                for name in ("direct", "proxy"):
                    url, headers = targets[name]
                    runs[f"{name} c={c}"] = wrk(url, c, args.duration, headers)
            for name in ("nginx", "nginx+authz"):
                url, headers = targets[name]
                runs[f"{name} c=1"] = wrk(url, 1, args.duration, headers)
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
        stop(procs)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
