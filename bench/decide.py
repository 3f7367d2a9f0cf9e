"""Decision throughput: sanctuary end to end vs raw cedarpy on the same Cedar requests, one core.

    .venv/bin/python bench/decide.py [--n 100000] [--profile chicago-2021]

Draws N requests from examples/requests.jsonl (with fresh ids), then measures in one run:
  1. end to end, decision cache on: JSON line in -> decision JSON out (parse, resolve, screen,
     decide, serialise); decisions/s and per-decision p50/p99;
  2. the same, decision cache off (every Cedar call made), and interleaved with it, request by
     request:
  3. raw cedarpy `is_authorized`, one call per Cedar request that run 2 just sent (run 2 sends a
     decision's requests in one batch; prebuilt dicts, same PolicySet/Entities/Schema handles),
     summed per decision.
Targets (issue 2): run 1 >= 50,000 decisions/s; run 2 per decision <= 2x run 3.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import cedarpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from sanctuary.agencies import load_registry  # noqa: E402
from sanctuary.pipeline import Pipeline  # noqa: E402
from sanctuary.policy.engine import PolicyEngine  # noqa: E402


def workload(n: int, seed: int = 7) -> list[str]:
    examples = [json.loads(x) for x in (ROOT / "examples" / "requests.jsonl").read_text().splitlines() if x.strip()]
    rng = random.Random(seed)
    return [json.dumps({**rng.choice(examples), "id": f"bench-{i}"}) for i in range(n)]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def run(pipeline: Pipeline, lines: list[str]) -> tuple[float, list[float]]:
    per = []
    clock = time.perf_counter
    start = clock()
    for line in lines:
        t = clock()
        pipeline.decide_raw(line)[1].to_json()
        per.append(clock() - t)
    return clock() - start, per


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--profile", action="append")
    args = ap.parse_args()
    profiles = args.profile or ["chicago-2021"]
    os.sched_setaffinity(0, {0})  # one core
    lines = workload(args.n)
    registry = load_registry()

    cached = Pipeline(PolicyEngine.load(profiles, registry))
    wall_c, per_c = run(cached, lines)

    engine = PolicyEngine.load(profiles, registry)
    uncached = Pipeline(engine, cache=False)
    calls: list[list[dict]] = []
    real = engine.evaluate_all

    def recording(queries, facts):
        calls[-1].extend(
            {
                "principal": {"type": "Agency", "id": q.principal},
                "action": {"type": "Action", "id": q.action},
                "resource": {"type": q.resource_type, "id": q.resource},
                "context": facts.cedar_context,
            }
            for q in queries
        )
        return real(queries, facts)

    engine.evaluate_all = recording  # no cache: every request goes to Cedar, recorded for the raw run
    ps, es, sc = engine._policies, engine._entities, engine._schema
    per_u, per_raw = [], []
    clock = time.perf_counter
    for line in lines:  # interleaved, so both see the same machine noise
        calls.append([])
        t = clock()
        uncached.decide_raw(line)[1].to_json()
        per_u.append(clock() - t)
        t = clock()
        for req in calls[-1]:
            cedarpy.is_authorized(req, ps, es, sc)
        per_raw.append(clock() - t)
    wall_u, wall_raw = sum(per_u), sum(per_raw)

    n = len(lines)
    ncalls = sum(len(c) for c in calls)
    result = {
        "requests": n,
        "profiles": profiles,
        "cedar_calls_per_decision": round(ncalls / n, 2),
        "cached_end_to_end": {
            "per_s": round(n / wall_c),
            "p50_us": round(pct(per_c, 0.5) * 1e6, 1),
            "p99_us": round(pct(per_c, 0.99) * 1e6, 1),
        },
        "uncached_end_to_end": {
            "per_s": round(n / wall_u),
            "p50_us": round(pct(per_u, 0.5) * 1e6, 1),
            "p99_us": round(pct(per_u, 0.99) * 1e6, 1),
        },
        "raw_cedarpy_same_requests": {
            "per_s": round(n / wall_raw),
            "p50_us": round(pct(per_raw, 0.5) * 1e6, 1),
            "p99_us": round(pct(per_raw, 0.99) * 1e6, 1),
        },
        "uncached_over_raw_mean": round(wall_u / wall_raw, 2),
        "uncached_over_raw_p50": round(statistics.median(per_u) / statistics.median(per_raw), 2),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
