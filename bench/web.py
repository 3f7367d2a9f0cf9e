"""/report over a large decision log: the public record's counts against reading every entry.

    .venv/bin/python bench/web.py [--n 1000000]

Fills a temporary SQLite log with N entries in the log's batch append (the example requests decided
under chicago-2021, in turn, their times spread over 24 months in log order), then measures, in one
run and in-process through the app (no network):
  0. the peer: what a report without the table costs, reading and parsing every entry and counting
     them (`entries.read_range` + the same counting), and reading the bytes alone;
  1. building the public record from nothing (once per log: at install, or after the table is lost);
  2. /report, the first request after a restart (a new app over the same log and table);
  3. /report after 1,000 more entries are appended (caught up on the request);
  4. /report/decisions?outcome=deny, and ?clause=... (SQL over the table, the newest 50).
The target (issue 12) is 2. <= 1 s at 1,000,000 entries; results go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
MONTHS = 24
BATCH = 10_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    n = parser.parse_args().n
    home = Path(tempfile.mkdtemp(prefix="sanctuary-bench-web-"))
    os.environ["SANCTUARY_HOME"] = str(home)

    from fastapi.testclient import TestClient

    from sanctuary.agencies import load_registry
    from sanctuary.audit import open_log
    from sanctuary.audit.keys import generate, hmac_key
    from sanctuary.gateway.app import GatewayConfig
    from sanctuary.models import parse_request
    from sanctuary.pipeline import Pipeline
    from sanctuary.policy.engine import PolicyEngine
    from sanctuary.recording import build
    from sanctuary.server import create_app
    from sanctuary.web.entries import read_range
    from sanctuary.web.record import PublicRecord, _cells, record_file

    generate("bench.example/web")
    registry = load_registry()
    pipeline = Pipeline(PolicyEngine.load(["chicago-2021"], registry))
    lines = [x for x in (ROOT / "examples" / "requests.jsonl").read_text().splitlines() if x.strip()]
    key = hmac_key()
    decided = [(r, pipeline.decide(r)) for r in map(parse_request, lines)]
    by_month = [
        [build(r, d, None, key, datetime(2025 + m // 12, m % 12 + 1, 15, tzinfo=UTC))[0] for r, d in decided] for m in range(MONTHS)
    ]

    def entries(start: int, end: int) -> list[bytes]:
        return [by_month[i * MONTHS // n][i % len(decided)] for i in range(start, end)]

    log_path = str(home / "log.db")
    log = open_log(log_path)
    started = time.perf_counter()
    for start in range(0, n, BATCH):
        log.append_many(entries(start, min(n, start + BATCH)))
    filled = time.perf_counter() - started

    started = time.perf_counter()
    for start in range(0, n, BATCH):
        log.entries(start, min(n, start + BATCH))
    peer_bytes = time.perf_counter() - started
    started = time.perf_counter()
    counted: Counter = Counter()
    for start in range(0, n, BATCH):
        for row in read_range(log, registry, start, min(n, start + BATCH)):
            counted.update(_cells(row, registry))
    peer_count = time.perf_counter() - started

    started = time.perf_counter()
    public = PublicRecord(record_file(log.url), registry)
    public.catch_up(log)
    built = time.perf_counter() - started
    public.close()
    assert public is not None and counted[("requests", "all")] == n

    app = create_app(GatewayConfig(profiles=["chicago-2021"], store_url=str(home / "records.db"), log_url=log_path))
    client = TestClient(app)

    def timed(path: str) -> float:
        started = time.perf_counter()
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        return time.perf_counter() - started

    first = timed("/report")
    log.append_many(entries(n - 1000, n))
    after_append = timed("/report")
    shown = client.get("/report").text
    assert f'<dd class="n">{n + 1000}</dd>' in shown, "the report does not count every entry"
    results = {
        "entries": n,
        "fill_log_s": round(filled, 1),
        "peer_read_all_entry_bytes_s": round(peer_bytes, 3),
        "peer_read_parse_count_all_entries_s": round(peer_count, 3),
        "build_public_record_once_s": round(built, 3),
        "report_first_after_restart_s": round(first, 3),
        "report_after_1000_appended_s": round(after_append, 3),
        "report_decisions_deny_s": round(timed("/report/decisions?outcome=deny"), 3),
        "report_decisions_clause_s": round(timed("/report/decisions?clause=MCC+2-173-020(a)(3)"), 3),
    }
    app.state.gateway.close()
    log.close()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
