"""Decision throughput: sanctuary end to end vs raw cedarpy, one core.

    .venv/bin/python bench/decide.py [--n 100000] [--profile chicago-2021 | --jurisdiction chicago]

Draws N requests from examples/requests.jsonl (with fresh ids), then measures in one run:
  1. end to end, decision cache on: JSON line in -> decision JSON out (parse, resolve, screen,
     decide, serialise); decisions/s and per-decision p50/p99;
  2. the same, decision cache off (every Cedar request made), and interleaved with it, decision by
     decision, two peers that do not move with sanctuary's design:
  3. raw cedarpy, ONE `is_authorized` call per decision: the decision's first Cedar request (the
     requester, the request's action) against the law's policy set, prebuilt dict, same
     PolicySet/Entities/Schema handles: the floor any Cedar-based gate pays;
  4. raw cedarpy, one `is_authorized` call per Cedar request run 2 sent (each request of a batch
     counted), summed per decision.
Cedar requests (each request of a batch) and batches per decision are counted as sent; peak memory is
the process's maximum resident set. Targets (issue 31): <= 3 Cedar requests per decision; run 1 >=
2.5x run 3's rate; run 2's p50 <= 4x run 3's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

import cedarpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from sanctuary.agencies import load_registry  # noqa: E402
from sanctuary.duties.book import DutyBook  # noqa: E402
from sanctuary.pipeline import Pipeline  # noqa: E402
from sanctuary.policy.engine import PolicyEngine  # noqa: E402


def workload(n: int, seed: int = 7) -> list[str]:
    examples = [json.loads(x) for x in (ROOT / "examples" / "requests.jsonl").read_text().splitlines() if x.strip()]
    rng = random.Random(seed)
    return [json.dumps({**rng.choice(examples), "id": f"bench-{i}"}) for i in range(n)]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def summary(n: int, per: list[float]) -> dict[str, float]:
    return {"per_s": round(n / sum(per)), "p50_us": round(pct(per, 0.5) * 1e6, 1), "p99_us": round(pct(per, 0.99) * 1e6, 1)}


def engine_for(args: argparse.Namespace) -> PolicyEngine:
    registry = load_registry()
    if args.jurisdiction:
        return PolicyEngine.for_jurisdiction(args.jurisdiction, registry, extra_profiles=args.profile or ())
    return PolicyEngine.load(args.profile or ["chicago-2021"], registry)


def served(engine: PolicyEngine, cache: bool = True) -> Pipeline:
    """The pipeline as the gateway runs it: with the duties its profiles impose, judged with each decision."""
    return Pipeline(engine, cache=cache, duties=DutyBook.for_engine(engine))


def measure(args: argparse.Namespace, lines: list[str]) -> dict[str, Any]:
    clock = time.perf_counter
    cached = served(engine_for(args))
    per_c = []
    for line in lines:
        t = clock()
        cached.decide_raw(line)[1].to_json()
        per_c.append(clock() - t)

    engine = engine_for(args)
    uncached = served(engine, cache=False)
    sent: list[tuple[list[dict[str, Any]], Any]] = []  # this decision's batches: (requests, policy set)
    real = cedarpy.is_authorized_batch

    def recording(requests: list[dict[str, Any]], policies: Any, *rest: Any, **kw: Any) -> Any:
        sent.append((requests, policies))
        return real(requests, policies, *rest, **kw)

    es, sc, law = engine._entities, engine._schema, engine._policies
    per_u, per_one, per_same = [], [], []
    requests_sent = batches_sent = 0
    try:
        for line in lines:  # interleaved, so all three see the same machine noise
            sent.clear()
            cedarpy.is_authorized_batch = recording  # the engine's one call to Cedar, recorded for the peers
            t = clock()
            uncached.decide_raw(line)[1].to_json()
            per_u.append(clock() - t)
            cedarpy.is_authorized_batch = real  # cedarpy.is_authorized calls it too
            batches_sent += len(sent)
            requests_sent += sum(len(requests) for requests, _ in sent)
            if not sent:  # refused before any Cedar request: no peer call either
                per_one.append(0.0)
                per_same.append(0.0)
                continue
            first = sent[0][0][0]
            t = clock()
            cedarpy.is_authorized(first, law, es, sc)
            per_one.append(clock() - t)
            t = clock()
            for requests, policies in sent:
                for request in requests:
                    cedarpy.is_authorized(request, policies, es, sc)
            per_same.append(clock() - t)
    finally:
        cedarpy.is_authorized_batch = real
    n = len(lines)
    one = summary(n, per_one)
    return {
        "requests": n,
        "law": engine.label,
        "cedar_requests_per_decision": round(requests_sent / n, 3),
        "cedar_batches_per_decision": round(batches_sent / n, 3),
        "cached_end_to_end": summary(n, per_c),
        "uncached_end_to_end": summary(n, per_u),
        "raw_cedarpy_one_call_per_decision": one,
        "raw_cedarpy_same_requests": summary(n, per_same),
        "cached_over_raw_one_call_rate": round((n / sum(per_c)) / one["per_s"], 2),
        "uncached_p50_over_raw_one_call_p50": round(pct(per_u, 0.5) / pct(per_one, 0.5), 2),
        "uncached_over_raw_same_mean": round(sum(per_u) / sum(per_same), 2),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--profile", action="append", help="profile(s) (default chicago-2021 when no jurisdiction)")
    ap.add_argument("--jurisdiction", help="a jurisdiction (its profiles, its home state)")
    args = ap.parse_args()
    os.sched_setaffinity(0, {0})  # one core
    load_before = os.getloadavg()
    result = measure(args, workload(args.n))
    result["load_average_1m"] = [round(load_before[0], 2), round(os.getloadavg()[0], 2)]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
