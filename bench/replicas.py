"""Workers and replicas on one PostgreSQL (issue 29): what a second process costs, and how fast the
one log and its signed checkpoints follow.

    python bench/replicas.py workers --workers 2 --runs 5 --duration 5   # also: bench/gateway.py --workers 2
    python bench/replicas.py replicas --pairs 9 --duration 10 --warmup 5   # the gate's run (docs/benchmarks.md)
    python bench/replicas.py lag --duration 10
    python bench/replicas.py appends --runs 5      # PYTHONPATH=OTHER/src: another checkout's log

`workers`: one gateway with `--workers 1` and one with `--workers N` (each its own log database, the
same store), and the peer, bench/gateway.py's bare search on the same store as 1 and N processes on
one port, measured in turn, interleaved (the order reversed every other run), `--runs` times, with
wrk at `--connections`: the CPU of all the server's processes per acknowledged request (supervisor
and workers), requests/s and p99.
PostgreSQL's and wrk's CPU per request are reported beside, not counted. The servers are not pinned
(workers are there to use the cores); on a shared two-core machine the load generator and the
database take their share, so requests/s is recorded, not gated.

`replicas`: one `sanctuary serve` under one wrk at `--connections`, and two (on one log) each under
its own wrk at half as many, at once, for the same duration, interleaved (the order reversed every
other run), `--pairs` times: the CPU of the server processes per acknowledged request (both
replicas' summed, over both wrk's acknowledged requests), requests/s (summed) and p99 (the higher of
the two wrk's). The peer, bench/gateway.py's bare search (no key, no decision, no log) on the same
store as one process and as two on ports of their own, loaded alike and interleaved with them: what a
second process costs on this machine alone. Reported: the median of the pairs' CPU ratios (the
gate), their spread (smallest, quartiles, largest) and how many pairs are within the target, the
bare search's ratios beside; the 1-minute load average after each run and at the start and the end,
and the commit measured. Every replica has a SANCTUARY_HOME of its own and all share SANCTUARY_KEYS;
the two sides have a log database each, on the one store. PostgreSQL's and wrk's CPU and the log's
transactions per request beside, not counted.

`lag`: two replicas (`sanctuary serve` twice) on one store and one log. First wrk on both at once:
entries per second into the one log. Then a steady load from both sides (Python clients) while the
checkpoint table is polled every 20 ms: for each acknowledged entry, the time from its answer to the
first stored checkpoint that covers it (p50, p99).

`appends`: the log alone, in this process: two DecisionLogs on one PostgreSQL log take turns, as two
replicas' committers do (each append finds the log grown by the other), `--transactions` appends of
`--batch` entries of 900 bytes with their protected records; this process's CPU and the wall time
per append transaction, the median of `--runs`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg

from servers import PY, SANCTUARY, demo_keys, free_port, stop, wait_ready, workspace, wrk

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BODY = {
    "id": "bench-replicas-1",
    "kind": "database_query",
    "purpose": {"text": "armed robbery investigation", "category": "criminal", "case_number": "JB-100"},
    "resource": {"system": "CLEAR", "search": {"type": "warrant", "name": "James Carter", "dob": "1979-11-02"}},
}
TICK_US = 1e6 / os.sysconf("SC_CLK_TCK")


@contextmanager
def databases(*names: str) -> Iterator[list[str]]:
    """Fresh PostgreSQL databases `replicas_bench_<name>_<random>`, dropped afterwards."""
    made = [f"replicas_bench_{name}_{secrets.token_hex(3)}" for name in names]
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        for name in made:
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield [f"postgresql://postgres@127.0.0.1:5432/{name}" for name in made]
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            for name in made:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def transactions(url: str | None) -> int:
    """Transactions committed so far in the database of `url` (0 for None): for the log's, the group
    commits, and the signer's and the shared state's few. PostgreSQL publishes its counts at most
    once a second: read after a second's rest."""
    if url is None:
        return 0
    time.sleep(1.1)
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        row = admin.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = %s", (url.rsplit("/", 1)[1],)).fetchone()
    return int(row[0]) if row else 0


def tree_ticks(pid: int) -> int:
    """CPU clock ticks (user + system) of a process and all its descendants still running."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def named_ticks(name: str) -> int:
    """CPU ticks of every process whose command is `name` (the PostgreSQL server's: all its
    backends, another client's on a shared machine included)."""
    total = 0
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if (proc / "comm").read_text().strip() == name:
                    fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                    total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])  # with waited-for children
            except (FileNotFoundError, ProcessLookupError):
                continue
    return total


def load_ticks() -> float:
    """CPU ticks of this benchmark's ended children: wrk, each run waited for."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (used.ru_utime + used.ru_stime) * os.sysconf("SC_CLK_TCK")


def measure(servers: list[subprocess.Popen], loads: list[tuple[str, int]], script: Path, duration: int, log: str | None) -> dict:
    """One run: a wrk at each (url, connections) of `loads` at once, for `duration` s; the CPU of the
    `servers` (with their workers) per acknowledged request, PostgreSQL's and wrk's beside, and the
    log's transactions per request. With several wrk: their requests/s summed, the higher p99."""
    committed = transactions(log)  # then the CPU, measured over the run alone
    before = (sum(tree_ticks(p.pid) for p in servers), named_ticks("postgres"), load_ticks())
    results: list[dict] = []
    threads = [threading.Thread(target=lambda u=url, c=conns: results.append(wrk(u, c, duration, script=script))) for url, conns in loads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = (sum(tree_ticks(p.pid) for p in servers), named_ticks("postgres"), load_ticks())
    if len(results) != len(loads):
        raise SystemExit("a wrk run failed")
    ok = max(sum(r["requests"] - r["non_2xx"] for r in results), 1)
    server_us, pg_us, wrk_us = ((a - b) * TICK_US / ok for a, b in zip(after, before))
    return {
        "rps": round(sum(r["rps"] for r in results), 1),
        "p99_ms": max(r["p99_ms"] for r in results),
        "non_2xx": sum(r["non_2xx"] for r in results),
        "server_cpu_us_per_request": round(server_us),
        "postgres_cpu_us_per_request": round(pg_us),
        "wrk_cpu_us_per_request": round(wrk_us),
        "log_transactions_per_request": round((transactions(log) - committed) / ok, 3),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def serve(env: dict[str, str], port: int, store: str, log: str, workers: int, err: Path) -> subprocess.Popen:
    args = ["serve", "--demo", "--profile", "chicago-2021", "--quiet", "--rate", "0", "--port", str(port), "--store", store, "--log", log]
    process = subprocess.Popen([*SANCTUARY, *args, "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL, stderr=err.open("w"))
    wait_ready(port, process)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # the port is bound before the workers run: wait until one answers
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    stop([process])
    raise SystemExit(f"the gateway on port {port} did not become ready")


def lua(key: str) -> str:
    body = json.dumps(BODY).replace("\\", "\\\\").replace('"', '\\"')
    return (
        'wrk.method = "POST"\n'
        f'wrk.headers["Authorization"] = "Bearer {key}"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.body = "{body}"\n'
    )


def bare_lua() -> str:
    from gateway import BARE_BODY
    from gateway import lua as body_lua

    return body_lua(BARE_BODY, {})


def fill(env: dict[str, str], store: str, persons: int) -> None:
    subprocess.run(
        [*SANCTUARY, "demo-data", "--persons", str(persons), "--store", store, "--json"], env=env, check=True, capture_output=True
    )


def bare(env: dict[str, str], work: Path, port: int, store: str, workers: int) -> list[subprocess.Popen]:
    """The peer: bench/gateway.py's bare search (no key, no decision, no log) on the same store,
    `workers` processes on one port (SO_REUSEPORT)."""
    from gateway import BARE_APP

    (work / "bare_app.py").write_text(BARE_APP)
    processes = [
        subprocess.Popen([PY, str(work / "bare_app.py"), store, str(port)], env=env, stdout=subprocess.DEVNULL) for _ in range(workers)
    ]
    for process in processes:
        wait_ready(port, process)
    return processes


def compare_workers(workers: int, runs: int, duration: int, connections: int, persons: int) -> dict:
    """One gateway with one worker against one with `workers`, and the bare search with as many,
    interleaved (see the module docstring)."""
    work, env = workspace("sanctuary-bench-workers-")
    sides = [("gateway", 1), ("gateway", workers), ("bare", 1), ("bare", workers)]
    with databases("store", "log1", f"log{workers}") as (store, log_one, log_many):
        fill(env, store, persons)
        script = work / "decide.lua"
        script.write_text(lua(demo_keys(env)["FBI"]))
        plain = work / "bare.lua"
        plain.write_text(bare_lua())
        ports = {side: free_port() for side in sides}
        servers: dict[tuple[str, int], list[subprocess.Popen]] = {}
        try:
            servers[("gateway", 1)] = [serve(env, ports[("gateway", 1)], store, log_one, 1, work / "one.err")]
            servers[("gateway", workers)] = [serve(env, ports[("gateway", workers)], store, log_many, workers, work / "many.err")]
            for n in (1, workers):
                servers[("bare", n)] = bare(env, work, ports[("bare", n)], store, n)
            targets = {
                side: (
                    f"http://127.0.0.1:{ports[side]}" + ("/v1/requests" if side[0] == "gateway" else "/query"),
                    script if side[0] == "gateway" else plain,
                )
                for side in sides
            }
            for url, lua_script in targets.values():
                wrk(url, connections, 3, script=lua_script)  # warm-up
            measured: dict[tuple[str, int], list[dict]] = {side: [] for side in sides}
            for run in range(runs):
                for side in sides if run % 2 == 0 else sides[::-1]:
                    url, lua_script = targets[side]
                    log = log_one if side == ("gateway", 1) else log_many if side[0] == "gateway" else None
                    measured[side].append(measure(servers[side], [(url, connections)], lua_script, duration, log))
        finally:
            stop(p for processes in servers.values() for p in processes)
    median = medians(measured)

    def ratio(name: str, key: str) -> float:
        return round(median[(name, workers)][key] / median[(name, 1)][key], 3)

    cpu_ratio = ratio("gateway", "server_cpu_us_per_request")
    commits = {n: median[("gateway", n)]["log_transactions_per_request"] for n in (1, workers)}
    return {
        "command": f"python bench/replicas.py workers --workers {workers} --runs {runs} --duration {duration} --connections {connections}",
        "runs": {f"{name}, {n} worker(s)": rows for (name, n), rows in measured.items()},
        "median": {f"{name}, {n} worker(s)": m for (name, n), m in median.items()},
        "cpu_per_request_ratio": cpu_ratio,
        "bare_cpu_per_request_ratio": ratio("bare", "server_cpu_us_per_request"),
        "rps_ratio": ratio("gateway", "rps"),
        "bare_rps_ratio": ratio("bare", "rps"),
        "log_transactions_per_request": {f"{n} worker(s)": c for n, c in commits.items()},
        "audited_over_bare_rps": {
            f"{n} worker(s)": round(median[("gateway", n)]["rps"] / median[("bare", n)]["rps"], 3) for n in (1, workers)
        },
        "target_cpu_ratio": 1.15,
        "met": cpu_ratio <= 1.15,
    }


def medians(measured: dict[tuple[str, int], list[dict]]) -> dict[tuple[str, int], dict]:
    """The median of each measure over a side's runs."""
    return {side: {k: statistics.median(run[k] for run in rows) for k in rows[0]} for side, rows in measured.items()}


def spread(values: list[float]) -> dict[str, float]:
    """The smallest, the quartiles (exclusive method: between the values around each) and the largest."""
    quartiles = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    return {
        "min": min(values),
        "q1": round(quartiles[0], 3),
        "median": statistics.median(values),
        "q3": round(quartiles[2], 3),
        "max": max(values),
    }


def commit() -> str:
    """The commit measured (with `+changes` when the checkout differs from it)."""
    run = subprocess.run(["git", "describe", "--always", "--dirty=+changes"], cwd=Path(__file__).parent, capture_output=True, text=True)
    return run.stdout.strip() or "unknown"


def compare_replicas(runs: int, duration: int, connections: int, persons: int, warmup: int) -> dict:
    """One replica under one wrk at `connections` against two replicas on one log, each under its own
    wrk at half as many, and the bare search as one and two processes loaded alike, interleaved (see
    the module docstring)."""
    load_before = round(os.getloadavg()[0], 2)
    work, env = workspace("sanctuary-bench-replica-cpu-")
    shared = {**env, "SANCTUARY_KEYS": str(work / "keys")}  # one signing key; each replica a home of its own
    homes = {name: {**shared, "SANCTUARY_HOME": str(work / name)} for name in ("one", "a", "b")}
    sides = [("replicas", 1), ("replicas", 2), ("bare", 1), ("bare", 2)]
    with databases("store", "log1", "log2") as (store, log_one, log_two):
        logs = {sides[0]: log_one, sides[1]: log_two}
        fill(env, store, persons)
        script = work / "decide.lua"
        script.write_text(lua(demo_keys(env)["FBI"]))
        plain = work / "bare.lua"
        plain.write_text(bare_lua())
        servers: dict[tuple[str, int], list[subprocess.Popen]] = {side: [] for side in sides}
        ports: dict[tuple[str, int], list[int]] = {side: [] for side in sides}
        try:
            for side, names in ((sides[0], ["one"]), (sides[1], ["a", "b"])):
                for name in names:  # one after the other: the first makes the log's tables and takes the signer lease
                    ports[side].append(free_port())
                    servers[side].append(serve(homes[name], ports[side][-1], store, logs[side], 1, work / f"{name}.err"))
            for side in sides[2:]:  # each process on a port of its own, as the replicas
                for _ in range(side[1]):
                    ports[side].append(free_port())
                    servers[side] += bare(env, work, ports[side][-1], store, 1)
            path = {"replicas": "/v1/requests", "bare": "/query"}
            loads = {
                side: [(f"http://127.0.0.1:{port}{path[side[0]]}", connections // len(ports[side])) for port in ports[side]]
                for side in sides
            }
            scripts = {side: script if side[0] == "replicas" else plain for side in sides}
            for side in sides:
                measure(servers[side], loads[side], scripts[side], warmup, None)  # warm-up
            measured: dict[tuple[str, int], list[dict]] = {side: [] for side in sides}
            for run in range(runs):
                for side in sides if run % 2 == 0 else sides[::-1]:
                    measured[side].append(measure(servers[side], loads[side], scripts[side], duration, logs.get(side)))
        finally:
            stop(p for processes in servers.values() for p in processes)
    median = medians(measured)

    def ratios(name: str) -> list[float]:
        return [
            round(two["server_cpu_us_per_request"] / one["server_cpu_us_per_request"], 3)
            for one, two in zip(measured[(name, 1)], measured[(name, 2)])
        ]

    cpu_ratios, bare_ratios = ratios("replicas"), ratios("bare")
    cpu_ratio = statistics.median(cpu_ratios)
    return {
        "command": (
            f"python bench/replicas.py replicas --pairs {runs} --duration {duration} --warmup {warmup} "
            f"--connections {connections} --persons {persons}"
        ),
        "commit": commit(),
        "load_average_1m": [load_before, round(os.getloadavg()[0], 2)],
        "runs": {f"{name}, {n} process(es)": rows for (name, n), rows in measured.items()},
        "median": {f"{name}, {n} process(es)": m for (name, n), m in median.items()},
        "cpu_per_request_ratio_per_run": cpu_ratios,
        "cpu_per_request_ratio_spread": spread(cpu_ratios),
        "pairs_within_target": sum(r <= 1.15 for r in cpu_ratios),
        "cpu_per_request_ratio": cpu_ratio,
        "cpu_per_request_ratio_of_medians": round(
            median[sides[1]]["server_cpu_us_per_request"] / median[sides[0]]["server_cpu_us_per_request"], 3
        ),
        "bare_cpu_per_request_ratio_per_run": bare_ratios,
        "bare_cpu_per_request_ratio": statistics.median(bare_ratios),
        "rps_ratio": round(median[sides[1]]["rps"] / median[sides[0]]["rps"], 3),
        "bare_rps_ratio": round(median[sides[3]]["rps"] / median[sides[2]]["rps"], 3),
        "target_cpu_ratio": 1.15,
        "met": cpu_ratio <= 1.15,
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def replicas_lag(duration: int, connections: int, clients: int, persons: int) -> dict:
    """Two replicas on one store and one log: entries/s with wrk on both, then ack -> checkpoint lag."""
    work, env = workspace("sanctuary-bench-replicas-")
    with databases("store", "log") as (store, log):
        fill(env, store, persons)
        key = demo_keys(env)["FBI"]
        script = work / "decide.lua"
        script.write_text(lua(key))
        ports = [free_port(), free_port()]
        servers = [serve(env, port, store, log, 1, work / f"replica{i}.err") for i, port in enumerate(ports)]

        def size() -> int:
            with psycopg.connect(log) as conn:
                return int(conn.execute("SELECT COALESCE(MAX(idx) + 1, 0) FROM entry").fetchone()[0])

        try:
            start_size, started = size(), time.monotonic()
            results: list[dict] = []
            loads = [
                threading.Thread(
                    target=lambda p=p: results.append(wrk(f"http://127.0.0.1:{p}/v1/requests", connections, duration, script=script))
                )
                for p in ports
            ]
            for load in loads:
                load.start()
            for load in loads:
                load.join()
            entries_per_s = (size() - start_size) / (time.monotonic() - started)
            lag = ack_to_checkpoint(ports, log, key, duration, clients)
        finally:
            stop(servers)
    return {
        "command": f"python bench/replicas.py lag --duration {duration} --connections {connections} --clients {clients}",
        "entries_per_s_two_replicas": round(entries_per_s, 1),
        "wrk": [{k: r[k] for k in ("rps", "p99_ms", "non_2xx")} for r in results],
        **lag,
    }


def ack_to_checkpoint(ports: list[int], log: str, key: str, duration: int, clients: int) -> dict:
    """Steady load on both replicas; for every acknowledged entry, seconds until a stored checkpoint covers it."""
    acked: list[tuple[float, int]] = []
    signed: list[tuple[float, int]] = []
    stop_at = time.monotonic() + duration
    lock = threading.Lock()

    def client(port: int, n: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            i = 0
            while time.monotonic() < stop_at:
                i += 1
                answer = http.post("/v1/requests", json={**BODY, "id": f"lag-{port}-{n}-{i}"}, headers={"Authorization": f"Bearer {key}"})
                if answer.status_code == 200:
                    with lock:
                        acked.append((time.monotonic(), answer.json()["log_index"]))

    def poll() -> None:
        with psycopg.connect(log, autocommit=True) as conn:
            last = -1
            while time.monotonic() < stop_at + 10:
                covered = int(conn.execute("SELECT COALESCE(MAX(size), 0) FROM checkpoint").fetchone()[0])
                if covered != last:
                    signed.append((time.monotonic(), covered))
                    last = covered
                if acked and covered > max(index for _, index in acked) and time.monotonic() > stop_at:
                    return
                time.sleep(0.02)

    threads = [threading.Thread(target=client, args=(p, n)) for p in ports for n in range(clients)] + [threading.Thread(target=poll)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lags = []
    for at, index in acked:
        covered_at = next((t for t, size in signed if size > index and t >= at), None)
        if covered_at is not None:
            lags.append(covered_at - at)
    return {
        "lag_entries": len(acked),
        "lag_uncovered": len(acked) - len(lags),
        "ack_to_checkpoint_p50_s": round(percentile(lags, 0.5), 3) if lags else None,
        "ack_to_checkpoint_p99_s": round(percentile(lags, 0.99), 3) if lags else None,
        "checkpoints_stored": len(signed),
    }


def appends(runs: int, transactions: int, batch: int) -> dict:
    """Two logs on one PostgreSQL database taking turns (see the module docstring)."""
    import tempfile

    import sanctuary
    from sanctuary.audit import open_log
    from sanctuary.audit.keys import generate

    keys = Path(tempfile.mkdtemp(prefix="sanctuary-bench-appends-")) / "keys"
    generate("bench.example/decisions", keys)
    entries, clears = [b"e" * 900] * batch, [{"name": "Maria Lopez"}] * batch
    cpu, wall = [], []
    with databases("log") as (url,):
        logs = [open_log(url, keys), open_log(url, keys)]
        try:
            for _ in range(20):  # warm-up: connections, prepared statements
                for log in logs:
                    log.append_many(entries, clears)
            for _ in range(runs):
                cpu_at, wall_at = time.process_time(), time.perf_counter()
                for i in range(transactions):
                    logs[i % 2].append_many(entries, clears)
                cpu.append((time.process_time() - cpu_at) / transactions * 1e6)
                wall.append((time.perf_counter() - wall_at) / transactions * 1e6)
            ok = logs[0].verify(full=True).ok
        finally:
            for log in logs:
                log.close()
    return {
        "command": f"python bench/replicas.py appends --runs {runs} --transactions {transactions} --batch {batch}",
        "sanctuary": str(Path(sanctuary.__file__).parent),
        "commit": commit(),
        "cpu_us_per_transaction": [round(c) for c in cpu],
        "cpu_us_per_transaction_median": round(statistics.median(cpu)),
        "wall_us_per_transaction_median": round(statistics.median(wall)),
        "verified": ok,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=("workers", "replicas", "lag", "appends"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", "--pairs", type=int, default=5)
    parser.add_argument("--duration", type=int, default=5, help="seconds of each measured run")
    parser.add_argument("--warmup", type=int, default=3, help="replicas: seconds of load on each side before the first pair")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--clients", type=int, default=2, help="lag: Python clients per replica")
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--transactions", type=int, default=800, help="appends: append transactions a run")
    parser.add_argument("--batch", type=int, default=3, help="appends: entries an append")
    args = parser.parse_args()
    if args.what == "workers":
        print(json.dumps(compare_workers(args.workers, args.runs, args.duration, args.connections, args.persons), indent=2))
    elif args.what == "replicas":
        print(json.dumps(compare_replicas(args.runs, args.duration, args.connections, args.persons, args.warmup), indent=2))
    elif args.what == "appends":
        print(json.dumps(appends(args.runs, args.transactions, args.batch), indent=2))
    else:
        print(json.dumps(replicas_lag(args.duration, args.connections, args.clients, args.persons), indent=2))


if __name__ == "__main__":
    main()
