"""Gateway throughput and latency: audited decisions through `sanctuary serve` against the same
typed search with enforcement off, in the same run; optionally a memory soak.

    python bench/gateway.py                      # 10 s per target after a 5 s warm-up
    python bench/gateway.py --duration 30 --connections 16
    python bench/gateway.py --soak 600           # then 10 minutes at a fixed load, RSS every 10 s
    python bench/gateway.py --egress-pairs 5     # only: the egress check's cost, on vs off, interleaved
    python bench/gateway.py --pairs 5            # 5 interleaved gateway/bare pairs at --connections: median ratio
    python bench/gateway.py --pairs 10 --against DIR   # this gateway against the one of another checkout's src
    python bench/gateway.py --workers 2 --pairs 5  # --workers 1 against 2 on PostgreSQL: CPU per request (bench/replicas.py)
    python bench/gateway.py --duty-pairs 5       # only: what California's duties cost over chicago-2021, interleaved

Both servers run the same way (uvicorn, one process, uvloop + httptools) pinned to core 0; wrk is
pinned to core 1. Targets (issue 4): >= 1,500 audited decisions/s on SQLite with p99 < 25 ms; the
gateway's cost over the bare query under 2 ms at p50. Issue 13: audited decisions >= 0.5x the bare
search's requests/s at c = 8, the median of at least five interleaved pairs (`--pairs 5`), p99 no worse.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import textwrap
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sanctuary.records import parse_search
from servers import (
    PY,
    SANCTUARY,
    cpu_per_request,
    cpu_ticks,
    demo_keys,
    free_port,
    spawn,
    stop,
    wait_ready,
    workspace,
    wrk,
    wrk_command,
    wrk_result,
)

BENCH = Path(__file__).resolve().parent

# An audited, permitted decision that reads records: the FBI checks James Carter for warrants.
ENFORCED_BODY = {
    "id": "bench-1",
    "kind": "database_query",
    "purpose": {"text": "armed robbery investigation", "category": "criminal", "case_number": "JB-100"},
    "resource": {"system": "CLEAR", "search": {"type": "warrant", "name": "James Carter", "dob": "1979-11-02"}},
}
BARE_BODY = {"search": "warrant", "name": "James Carter", "dob": "1979-11-02"}
# A request that triggers duties (issue 28): ICE asks when James Carter is released (California: the
# TRUTH Act's copy to the person, a duty entry beside the decision's). The agency whose key sends it.
CUSTODY_ICE_BODY = {
    "id": "bench-3",
    "kind": "custody_inquiry",
    "purpose": {"text": "removal proceedings", "category": "civil_immigration"},
    "subject": {"name": "James Carter", "dob": "1979-11-02"},
    "resource": {"fields": ["release_date"]},
}
WORKLOADS = {"warrant-fbi": (ENFORCED_BODY, "FBI"), "custody-ice": (CUSTODY_ICE_BODY, "ICE-ERO")}
# For the egress check's cost: a permitted person search whose answer loses the status fields.
PERSON_BODY = {
    "id": "bench-2",
    "kind": "database_query",
    "purpose": {"text": "retail theft ring investigation", "category": "criminal", "case_number": "JB-101"},
    "resource": {"system": "CLEAR", "search": {"type": "person", "name": "Maria Lopez", "dob": "1988-03-14"}},
}

# The benchmark's switches (the gateway itself has none): `sanctuary serve` with one step replaced,
# to measure what that step costs. NO_EGRESS: the egress check a pass-through (the records leave as
# the store returned them). ABLATE (`--ablate STEP`, with --pairs): what the audit record costs —
# "index" the lookup index's rows not written, "append" log entries built but not written, "record"
# no log entry at all (neither built nor written). Never a configuration to run.
NO_EGRESS = textwrap.dedent("""
    import sys
    from sanctuary import egress

    egress.check = lambda records, withheld, field_map=None: egress.Egress(list(records))
    from sanctuary.cli import main

    sys.argv = ["sanctuary", *sys.argv[1:]]
    main()
""")
# NO_DUTY_ENTRIES (`--duty-pairs`): the decision names the duties it triggers, as shipped, but no duty
# entry is appended beside it: what the duties' own log entries cost.
NO_DUTY_ENTRIES = textwrap.dedent("""
    import sys
    from sanctuary.pipeline import RequestPath

    RequestPath._duty_entries = lambda self, request, decision: None
    from sanctuary.cli import main

    sys.argv = ["sanctuary", *sys.argv[1:]]
    main()
""")
ABLATE = textwrap.dedent(f"""
    import sys
    sys.path.insert(0, {str(BENCH)!r})
    from gateway import ablate

    ablate(sys.argv.pop(1))
    from sanctuary.cli import main

    sys.argv = ["sanctuary", *sys.argv[1:]]
    main()
""")


def ablate(step: str) -> None:
    """`--ablate STEP`: the gateway without one step of the audit record (see ABLATE)."""
    import itertools
    from concurrent.futures import Future

    from sanctuary.audit.log import DecisionLog
    from sanctuary.audit.storage.sql import SqlStore
    from sanctuary.gateway.decisions import DecisionIndex

    counter = itertools.count()
    if step == "index":
        DecisionIndex.add = lambda self, *args, **kwargs: None
    elif step == "append":  # the committer builds the entries and hands them to a store that keeps nothing

        def append(self: SqlStore, entries: list[bytes], clears: list[Any], follow: Any = None, gather: Any = None) -> int:
            entries = [*entries, *(gather()[0] if gather is not None else ())]
            first = [next(counter) for _ in entries][0]
            for _ in follow(first)[0] if follow is not None else ():
                next(counter)
            return first

        SqlStore.append = append
    elif step == "record":

        def recorded(self: DecisionLog, *args: Any, **kwargs: Any) -> Future[int]:
            done: Future[int] = Future()
            done.set_result(next(counter))
            return done

        DecisionLog.append_built = lambda self, *args, **kwargs: next(counter)
        DecisionLog.append_built_later = recorded
    else:
        raise SystemExit(f"unknown step {step!r}: index, append or record")


# The peer: the same typed search on the same store, no key, no decision, no log.
BARE_APP = textwrap.dedent(f"""
    import sys
    sys.path.insert(0, {str(BENCH)!r})
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route
    from starlette.concurrency import run_in_threadpool
    from sanctuary.records import open_store
    from gateway import bare_answer, bare_search

    store = open_store(sys.argv[1])

    async def query(request):
        records = await run_in_threadpool(store.search, bare_search(await request.body()))
        return Response(bare_answer(records), media_type="application/json")

    app = Starlette(routes=[Route("/query", query, methods=["POST"])])
    if __name__ == "__main__":  # SO_REUSEPORT: several of these on one port are the peer of `serve --workers`
        import socket
        import uvicorn
        from sanctuary.serving import uvicorn_config
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind(("127.0.0.1", int(sys.argv[2])))
        listener.listen(2048)
        uvicorn.Server(uvicorn_config(app, host="127.0.0.1", port=int(sys.argv[2]), loop="uvloop", http="httptools")).run(sockets=[listener])
""")


def bare_search(body: bytes) -> Any:
    """The peer's typed search, from the body it was sent."""
    return parse_search(json.loads(body))


def bare_answer(records: list[Any]) -> str:
    """The peer's answer: the records, as JSON."""
    return json.dumps({"records": [r.to_json() for r in records]})


def bare_query(store: Any, body: bytes) -> str:
    """The peer's work for one call (bench/instructions.py): the typed search, run, answered."""
    return bare_answer(store.search(bare_search(body)))


def lua(body: dict, headers: dict[str, str]) -> str:
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(json.dumps(body))}", 'wrk.headers["Content-Type"] = "application/json"']
    lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items()]
    return "\n".join(lines) + "\n"


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=16, help="gateway worker threads")
    parser.add_argument("--soak", type=int, default=0, help="seconds of memory soak after the runs")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--egress-pairs", type=int, default=0, help="only measure the egress check: this many on/off pairs")
    parser.add_argument("--pairs", type=int, default=0, help="interleaved gateway/bare pairs at --connections, instead of one")
    parser.add_argument("--against", type=Path, help="with --pairs: this gateway against the one of another checkout's src DIR")
    parser.add_argument("--jurisdiction", help="serve this jurisdiction (e.g. california) instead of the chicago-2021 profile")
    parser.add_argument("--workload", choices=sorted(WORKLOADS), default="warrant-fbi", help="with --against: the request sent")
    parser.add_argument(
        "--ablate", choices=("index", "append", "record"), help="with --pairs: the gateway without this step of the audit record"
    )
    parser.add_argument("--workers", type=int, default=0, help="only: one worker against this many on PostgreSQL, --pairs runs")
    parser.add_argument(
        "--duty-pairs", type=int, default=0, help="only: california with and without its duty entries against chicago-2021, interleaved"
    )
    args = parser.parse_args()
    if args.workers:
        from replicas import compare_workers

        print(json.dumps(compare_workers(args.workers, args.pairs or 5, args.duration, args.connections, args.persons), indent=2))
        return
    if args.ablate and not args.pairs:
        parser.error("--ablate needs --pairs")
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    if args.egress_pairs:
        egress_pairs(args)
        return
    if args.duty_pairs:
        duty_pairs(args)
        return
    if args.against:
        if not args.pairs:
            parser.error("--against needs --pairs")
        against(args)
        return

    work, env = workspace("sanctuary-bench-")
    store, log = work / "records.db", work / "log.db"
    demo_data(env, args.persons, store)
    keys = demo_keys(env)
    gw_port, bare_port = free_port(), free_port()
    if args.ablate:
        (work / "ablate.py").write_text(ABLATE)
        gateway = spawn(
            [args.ablate, *gateway_args(args, gw_port, store, log)], env, work / "gateway.err", entry=(PY, str(work / "ablate.py"))
        )
    else:
        gateway = spawn(gateway_args(args, gw_port, store, log), env, work / "gateway.err")
    (work / "bare_app.py").write_text(BARE_APP)
    bare = spawn([str(store), str(bare_port)], env, entry=(PY, str(work / "bare_app.py")))
    results: dict[str, dict] = {}
    try:
        wait_ready(gw_port, gateway)
        wait_ready(bare_port, bare)
        enforced = work / "enforced.lua"
        enforced.write_text(lua(ENFORCED_BODY, {"Authorization": f"Bearer {keys['FBI']}"}))
        plain = work / "bare.lua"
        plain.write_text(lua(BARE_BODY, {}))
        targets = {
            "gateway (audited decision + search)": (f"http://127.0.0.1:{gw_port}/v1/requests", enforced),
            "bare search (enforcement off)": (f"http://127.0.0.1:{bare_port}/query", plain),
        }
        for url, script in targets.values():
            wrk(url, args.connections, args.warmup, script=script)
        if args.pairs:
            print(json.dumps(pairs(targets, (gateway.pid, bare.pid), args), indent=2))
            return
        for name, (url, script) in targets.items():  # measured back to back, same machine state
            results[f"{name}, c={args.connections}"] = wrk(url, args.connections, args.duration, script=script)
        for name, (url, script) in targets.items():  # one request at a time: the cost of enforcing
            results[f"{name}, c=1"] = wrk(url, 1, args.duration, script=script)
        entries = log_size(env, log)
        gw, peer = results["gateway (audited decision + search), c=1"], results["bare search (enforcement off), c=1"]
        print(
            json.dumps(
                {"results": results, "log_entries": entries, "gateway_cost_p50_ms_at_c1": round(gw["p50_ms"] - peer["p50_ms"], 3)},
                indent=2,
            )
        )
        if args.soak:
            soak(gw_port, gateway.pid, enforced, args, work)
    finally:
        stop((gateway, bare))
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def demo_data(env: dict[str, str], persons: int, store: Path) -> None:
    """The demo records, with `persons` generated persons besides the demo ones, in `store`."""
    fill = [*SANCTUARY, "demo-data", "--persons", str(persons), "--store", str(store), "--json"]
    subprocess.run(fill, env=env, check=True, capture_output=True)


def gateway_args(args: argparse.Namespace, port: int, store: Path, log: Path, law: list[str] | None = None) -> list[str]:
    """`sanctuary serve` as measured: the demo keys, `law` (by default chicago-2021, or
    `--jurisdiction`), no rate limit, no decision lines."""
    if law is None:
        law = ["--jurisdiction", args.jurisdiction] if getattr(args, "jurisdiction", None) else ["--profile", "chicago-2021"]
    return [
        "serve",
        "--demo",
        *law,
        "--quiet",
        "--rate",
        "0",
        "--threads",
        str(args.threads),
        "--port",
        str(port),
        "--store",
        str(store),
        "--log",
        str(log),
    ]


@dataclass(frozen=True)
class Variant:
    """One gateway of a paired run: how it is started (`entry`, `env`) and the law it serves (None:
    `gateway_args`' default)."""

    entry: tuple[str, ...]
    env: dict[str, str]
    law: list[str] | None = None


def egress_pairs(args: argparse.Namespace) -> None:
    """Audited throughput with the egress check on and off (the benchmark's switch), in interleaved
    pairs on the same data."""
    work, env = workspace("sanctuary-bench-egress-")
    (work / "no_egress.py").write_text(NO_EGRESS)
    variants = {"on": Variant(SANCTUARY, env), "off": Variant((PY, str(work / "no_egress.py")), env)}
    runs = gateway_pairs(args, args.egress_pairs, PERSON_BODY, variants, work, env)
    ratios = [run["on"]["rps"] / run["off"]["rps"] for run in runs]
    print(
        json.dumps(
            {
                "pairs": runs,
                "median_rps_egress_on": statistics.median(run["on"]["rps"] for run in runs),
                "median_rps_egress_off": statistics.median(run["off"]["rps"] for run in runs),
                "median_pair_ratio_on_over_off": round(statistics.median(ratios), 4),
                "egress_cost_percent": round(100 * (1 - statistics.median(ratios)), 2),
                "connections": args.connections,
                "duration_s": args.duration,
            },
            indent=2,
        )
    )


def against(args: argparse.Namespace) -> None:
    """This checkout's gateway against the gateway of another checkout's `src` (`--against DIR`),
    in interleaved pairs on the same data: timed runs on this machine drift by more than a change of
    a few per cent, so a change is measured against its base in the same minutes, not across runs."""
    work, env = workspace("sanctuary-bench-against-")
    other = {**env, "PYTHONPATH": str(args.against.resolve())}
    variants = {"this": Variant(SANCTUARY, env), "other": Variant(SANCTUARY, other)}
    body, agency = WORKLOADS[args.workload]
    runs = gateway_pairs(args, args.pairs, body, variants, work, env, agency)
    ratios = [run["this"]["rps"] / run["other"]["rps"] for run in runs]
    print(
        json.dumps(
            {
                "other": str(args.against),
                "law": args.jurisdiction or "chicago-2021",
                "workload": args.workload,
                "pairs": runs,
                "ratio_per_pair": [round(r, 3) for r in ratios],
                "median_ratio_this_over_other": round(statistics.median(ratios), 3),
                "median_cpu_us_per_request": {name: statistics.median(run[name]["cpu_us"] for run in runs) for name in variants},
                "connections": args.connections,
                "duration_s": args.duration,
            },
            indent=2,
        )
    )


def duty_pairs(args: argparse.Namespace) -> None:
    """What the duty-bearing jurisdiction costs over chicago-2021 on a request that triggers a duty
    there (`custody-ice`: ICE asks for a release date; California owes the TRUTH Act's copy), and how
    much of it is the duties' own log entries: california as shipped, california whose decisions
    name their duties but append no duty entry (NO_DUTY_ENTRIES), chicago-2021 (no duty), interleaved,
    with the log entries each wrote per request answered."""
    work, env = workspace("sanctuary-bench-duties-")
    (work / "no_duty_entries.py").write_text(NO_DUTY_ENTRIES)
    california = ["--jurisdiction", "california"]
    variants = {
        "california": Variant(SANCTUARY, env, california),
        "california, no duty entries": Variant((PY, str(work / "no_duty_entries.py")), env, california),
        "chicago-2021": Variant(SANCTUARY, env, ["--profile", "chicago-2021"]),
    }
    body, agency = WORKLOADS["custody-ice"]
    runs = gateway_pairs(args, args.duty_pairs, body, variants, work, env, agency)
    cpu = {name: statistics.median(run[name]["cpu_us"] for run in runs) for name in variants}
    extra = cpu["california"] - cpu["chicago-2021"]
    entries = cpu["california"] - cpu["california, no duty entries"]
    print(
        json.dumps(
            {
                "workload": "custody-ice",
                "pairs": runs,
                "median_rps": {name: statistics.median(run[name]["rps"] for run in runs) for name in variants},
                "median_p99_ms": {name: statistics.median(run[name]["p99_ms"] for run in runs) for name in variants},
                "median_cpu_us_per_request": cpu,
                "median_ratio_over_chicago_2021": {
                    name: round(statistics.median(run[name]["rps"] / run["chicago-2021"]["rps"] for run in runs), 3)
                    for name in variants
                    if name != "chicago-2021"
                },
                "california_extra_cpu_us_over_chicago_2021": extra,
                "of_which_duty_entries_cpu_us": entries,
                "duty_entries_share_of_extra": round(entries / extra, 3) if extra > 0 else None,
                "connections": args.connections,
                "duration_s": args.duration,
            },
            indent=2,
        )
    )


def gateway_pairs(
    args: argparse.Namespace,
    count: int,
    body: dict[str, Any],
    variants: dict[str, Variant],
    work: Path,
    env: dict[str, str],
    agency: str = "FBI",
) -> list[dict[str, Any]]:
    """Gateways (`variants`), each on its own copy of the same store with its own decision log,
    measured `count` times each, interleaved, rotating which goes first: requests/s, p99, answers that
    were not 2xx, CPU per request; and, in the last run, the entries each log holds per request answered."""
    servers: dict[str, subprocess.Popen] = {}
    try:
        demo_data(env, args.persons, work / "records.db")
        keys = demo_keys(env)
        script = work / "request.lua"
        script.write_text(lua(body, {"Authorization": f"Bearer {keys[agency]}"}))
        ports = {name: free_port() for name in variants}
        names = list(variants)
        for name, variant in variants.items():  # one after the other: the first creates the log's signing key
            shutil.copy(work / "records.db", work / f"{name}.db")
            served = gateway_args(args, ports[name], work / f"{name}.db", work / f"{name}-log.db", variant.law)
            servers[name] = spawn(served, variant.env, work / f"{name}.err", entry=variant.entry)
            wait_ready(ports[name], servers[name])
        answered = dict.fromkeys(names, 1)  # with the one request `answer_to` sends
        decided = {name: answer_to(ports[name], body, keys[agency])["decision"] for name in names}
        for name in names:
            answered[name] += wrk(f"http://127.0.0.1:{ports[name]}/v1/requests", args.connections, args.warmup, script=script)["requests"]
        runs = []
        for i in range(count):
            run = {}
            for name in names[i % len(names) :] + names[: i % len(names)]:
                before = cpu_ticks(servers[name].pid)
                result = wrk(f"http://127.0.0.1:{ports[name]}/v1/requests", args.connections, args.duration, script=script)
                cpu = cpu_per_request(before, cpu_ticks(servers[name].pid), result["requests"])
                answered[name] += result["requests"]
                run[name] = {"rps": result["rps"], "p99_ms": result["p99_ms"], "non_2xx": result["non_2xx"], "cpu_us": cpu["cpu_us"]}
            runs.append(run)
        stop(servers.values())
        if runs:
            last = runs[-1]
            for name in names:
                last[name]["log_entries_per_request"] = round(log_size(env, work / f"{name}-log.db") / answered[name], 3)
                last[name]["decided"] = {k: decided[name].get(k) for k in ("decision", "duties", "facts_source")}
        return runs
    finally:
        stop(servers.values())
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def answer_to(port: int, body: dict[str, Any], key: str) -> dict[str, Any]:
    """The gateway's answer to one request (what every request of the run is decided as)."""
    sent = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/requests",
        json.dumps(body).encode(),
        {"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(sent, timeout=30) as answer:
            return dict(json.load(answer))
    except urllib.error.HTTPError as refused:  # a deny is an answer too (403)
        return dict(json.load(refused))


def log_size(env: dict[str, str], log: Path) -> int:
    """How many entries the decision log at `log` holds."""
    code = "import sys; from sanctuary.audit import open_log; print(open_log(sys.argv[1]).size())"
    return int(subprocess.run([PY, "-c", code, str(log)], env=env, capture_output=True, text=True, check=True).stdout)


def pairs(targets: dict[str, tuple[str, Path]], pids: tuple[int, int], args: argparse.Namespace) -> dict:
    """`--pairs` runs of the gateway then the bare search, back to back; the median of the ratios,
    and where each server's CPU went (microseconds per request: event loop, other threads)."""
    (gw_name, (gw_url, gw_script)), (bare_name, (bare_url, bare_script)) = targets.items()
    runs = []
    for _ in range(args.pairs):
        measured = []
        for pid, url, script in ((pids[0], gw_url, gw_script), (pids[1], bare_url, bare_script)):
            before = cpu_ticks(pid)
            result = wrk(url, args.connections, args.duration, script=script)
            measured.append((result, cpu_per_request(before, cpu_ticks(pid), result["requests"])))
        (gw, gw_cpu), (bare, bare_cpu) = measured
        runs.append(
            {
                "gateway_rps": gw["rps"],
                "bare_rps": bare["rps"],
                "ratio": round(gw["rps"] / bare["rps"], 3),
                "gateway_p99_ms": gw["p99_ms"],
                "bare_p99_ms": bare["p99_ms"],
                "non_2xx": gw["non_2xx"] + bare["non_2xx"],
                "gateway_cpu": gw_cpu,
                "bare_cpu": bare_cpu,
            }
        )
    median = statistics.median(r["ratio"] for r in runs)
    return {
        "connections": args.connections,
        "duration_s": args.duration,
        "pairs": runs,
        "median_ratio": median,
        "median_gateway_rps": statistics.median(r["gateway_rps"] for r in runs),
        "median_bare_rps": statistics.median(r["bare_rps"] for r in runs),
        "median_gateway_p99_ms": statistics.median(r["gateway_p99_ms"] for r in runs),
        "median_bare_p99_ms": statistics.median(r["bare_p99_ms"] for r in runs),
        "median_cpu_us_per_request": {
            side: {part: statistics.median(r[f"{side}_cpu"][part] for r in runs) for part in runs[0][f"{side}_cpu"]}
            for side in ("gateway", "bare")
        },
        "target": 0.5,
        "met": median >= 0.5,
    }


def soak(port: int, pid: int, script: Path, args: argparse.Namespace, work: Path) -> None:
    """Steady load for --soak seconds; RSS of the gateway every 10 s."""
    cmd = wrk_command(f"http://127.0.0.1:{port}/v1/requests", max(args.connections // 2, 1), args.soak, script=script)
    load = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    samples = []
    start = time.monotonic()
    while load.poll() is None:
        samples.append((round(time.monotonic() - start), rss_kb(pid)))
        time.sleep(10)
    measured = wrk_result(load.stdout.read() if load.stdout else "")
    alive = Path(f"/proc/{pid}/status").exists() and rss_kb(pid) > 0
    print(
        json.dumps(
            {
                "soak_seconds": args.soak,
                "command": " ".join(cmd),
                "gateway_alive_at_end": alive,
                "rps": measured["rps"],
                "socket_errors": measured["socket_errors"],
                "rss_kb": samples,
            },
            indent=2,
        )
    )
    if not alive:
        print((work / "gateway.err").read_text()[-3000:])


if __name__ == "__main__":
    main()
