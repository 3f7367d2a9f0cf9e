"""The cost of guarding a department system: `sanctuary proxy`, and `/v1/authz` behind NGINX, each
beside its peer measured in the same run (the demo RMS called directly; NGINX without auth_request).

    python bench/proxy.py                       # 5 interleaved rounds of 2 s runs (about a minute)
    python bench/proxy.py --pairs 7 --duration 3
    python bench/proxy.py --workers 2 --pairs 5 --duration 5   # proxy --workers 1 against 2, on PostgreSQL

Each round runs, back to back: RMS direct and through the proxy at c=1 and at c=8, then NGINX in
front of the RMS without and with auth_request at c=1. The call: the FBI asks for James Carter's
warrants (GET /persons/P0000002/warrants with a purpose header), a permit; through the proxy it
costs a facts call and the forwarded call to the RMS, the decision, the filter and a durable log
entry. The law: chicago-2021 (as bench/gateway.py). Servers (RMS, proxy, gateway, both NGINX) are
pinned to core 0, wrk to core 1.

Targets (issue 15): proxy p50 added <= 2 ms at c=1; proxy throughput >= 0.4x the direct RMS at c=8
(median of >= 5 interleaved pairs); /v1/authz behind NGINX p50 added <= 1.5 ms over NGINX alone.

`--workers N` (issue 29) measures instead `sanctuary proxy --workers 1` against `--workers N`, each
with its own PostgreSQL log, in front of two upstreams: an RMS that answers as a real records system
does, from PostgreSQL (`STORED_RMS`: the demo records in a PostgreSQL store, one query per call), and
the demo RMS answering from memory (the harsher peer: it costs almost nothing, so the proxy's own
cost is all there is). Runs interleaved, the order reversed every other round: the CPU of all the
proxy's processes per answered call, requests/s and p99 at c=8, the upstream called directly beside.
Not pinned (workers are there to use the cores); PostgreSQL's CPU is not counted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import textwrap

from servers import PIN_SERVERS, PY, ROOT, SANCTUARY, demo_keys, free_port, spawn, stop, wait_ready, workspace, wrk

PATH = "/persons/P0000002/warrants"
# The RMS's calls the route map uses (the warrants, and the facts the carve-outs turn on), answered
# as `sanctuary demo-upstream` answers them, from the records in a PostgreSQL store: one query per call.
STORED_RMS = textwrap.dedent("""
    import sys
    import threading
    import psycopg
    import orjson
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response
    from starlette.routing import Route

    local = threading.local()
    WARRANTS = "SELECT warrant_id, kind, status, offense, statute, court, judge, issued_on FROM warrants WHERE person_id = %s"
    FACTS = (
        "SELECT EXISTS (SELECT 1 FROM warrants WHERE person_id = %(p)s AND status = 'active' AND kind = 'criminal'), "
        "EXISTS (SELECT 1 FROM gang_entries WHERE person_id = %(p)s) FROM persons WHERE person_id = %(p)s"
    )

    def query(sql, params):
        if getattr(local, "conn", None) is None:
            local.conn = psycopg.connect(sys.argv[1], autocommit=True)
        return local.conn.execute(sql, params).fetchall()

    def warrants(person_id):
        rows = query(WARRANTS, (person_id,))
        names = ("warrant_id", "kind", "status", "offense", "statute", "court", "judge", "issued_on")
        return {"person_id": person_id, "warrants": [dict(zip(names, row)) for row in rows]}

    def facts(person_id):
        rows = query(FACTS, {"p": person_id})
        if not rows:
            return None
        return {"person_id": person_id, "active_criminal_warrant": rows[0][0], "gang_database": rows[0][1]}

    def call(lookup):
        async def serve(request):
            found = await run_in_threadpool(lookup, request.path_params["person_id"])
            if found is None:
                return Response(b'{"error": "not found"}', status_code=404, media_type="application/json")
            return Response(orjson.dumps(found), media_type="application/json")
        return serve

    app = Starlette(routes=[Route("/persons/{person_id}/warrants", call(warrants)), Route("/persons/{person_id}/facts", call(facts))])
    if __name__ == "__main__":
        import uvicorn
        from sanctuary.serving import uvicorn_config
        uvicorn.Server(uvicorn_config(app, host="127.0.0.1", port=int(sys.argv[2]), loop="uvloop", http="httptools")).run()
""")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=2, help="seconds per run")
    parser.add_argument("--pairs", type=int, default=5, help="interleaved rounds (at least 5 for the targets)")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--workers", type=int, default=0, help="only: proxy --workers 1 against this many, on PostgreSQL")
    parser.add_argument("--persons", type=int, default=2000, help="with --workers: generated persons in the PostgreSQL store")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: make wrk")
    if args.workers:
        print(json.dumps(compare_workers(args), indent=2))
        return
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


def compare_workers(args: argparse.Namespace) -> dict:
    """`--workers N`: the proxy with 1 and N workers in front of the stored RMS and the in-memory one."""
    from replicas import TICK_US, databases, fill, tree_ticks

    work, env = workspace("sanctuary-bench-proxy-workers-")
    keys = demo_keys(env)
    routes = str(ROOT / "examples" / "rms" / "routes.toml")
    counts = (1, args.workers)
    upstreams = ("stored", "memory")
    agency = {"Authorization": f"Bearer {keys['FBI']}", "X-Sanctuary-Purpose": "armed robbery investigation"}
    names = ["store", *(f"log_{u}{n}" for u in upstreams for n in counts)]
    processes: dict[str, list[subprocess.Popen]] = {}
    with databases(*names) as urls:
        store, logs = urls[0], dict(zip([(u, n) for u in upstreams for n in counts], urls[1:]))
        fill(env, store, args.persons)
        (work / "stored_rms.py").write_text(STORED_RMS)
        ports = {name: free_port() for name in ("stored", "memory", *(f"{u}{n}" for u in upstreams for n in counts))}
        try:
            upstream_commands = {
                "stored": [PY, str(work / "stored_rms.py"), store, str(ports["stored"])],
                "memory": [*SANCTUARY, "demo-upstream", "--port", str(ports["memory"])],
            }
            for upstream, command in upstream_commands.items():
                processes[upstream] = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
            for (upstream, n), log in logs.items():
                name = f"{upstream}{n}"
                command = ["proxy", "--demo", "--quiet", "--rate", "0", "--profile", "chicago-2021", "--routes", routes]
                command += ["--upstream", f"http://127.0.0.1:{ports[upstream]}", "--port", str(ports[name]), "--log", log]
                processes[name] = [
                    subprocess.Popen(
                        [*SANCTUARY, *command, "--workers", str(n)],
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=(work / f"{name}.err").open("w"),
                    )
                ]
            for name, running in processes.items():
                wait_ready(ports[name], running[0])
            targets = {name: (f"http://127.0.0.1:{ports[name]}{PATH}", {} if name in upstreams else agency) for name in processes}
            for url, headers in targets.values():
                wrk(url, 8, args.warmup, headers)
            order = list(targets)
            measured: dict[str, list[dict]] = {name: [] for name in order}
            for round_ in range(args.pairs):
                for name in order if round_ % 2 == 0 else order[::-1]:
                    url, headers = targets[name]
                    before = tree_ticks(processes[name][0].pid)
                    result = wrk(url, 8, args.duration, headers)
                    ok = max(result["requests"] - result["non_2xx"], 1)
                    cpu = (tree_ticks(processes[name][0].pid) - before) * TICK_US / ok
                    measured[name].append(
                        {"rps": result["rps"], "p99_ms": result["p99_ms"], "non_2xx": result["non_2xx"], "cpu_us_per_request": round(cpu)}
                    )
        finally:
            stop(p for running in processes.values() for p in running)
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    median = {name: {k: statistics.median(r[k] for r in rows) for k in rows[0]} for name, rows in measured.items()}
    n = args.workers
    return {
        "command": f"python bench/proxy.py --workers {n} --pairs {args.pairs} --duration {args.duration}",
        "median": median,
        "cpu_per_request_ratio": {
            u: round(median[f"{u}{n}"]["cpu_us_per_request"] / median[f"{u}1"]["cpu_us_per_request"], 3) for u in upstreams
        },
        "rps_ratio": {u: round(median[f"{u}{n}"]["rps"] / median[f"{u}1"]["rps"], 3) for u in upstreams},
        "proxy_over_direct_rps": {
            f"{u}, {k} worker(s)": round(median[f"{u}{k}"]["rps"] / median[u]["rps"], 3) for u in upstreams for k in counts
        },
        "target_cpu_ratio": 1.15,
        "runs": measured,
    }


if __name__ == "__main__":
    main()
