"""The pages over a large decision log: what the report and the lists cost beyond reading the log.

    .venv/bin/python bench/web.py [--n 100000]

Fills a temporary SQLite log with N entries (the example requests decided under chicago-2021, in
turn), then measures in one run, in-process through the app (no network):
  0. the peer: reading every entry's bytes from the log (`DecisionLog.entries`, in chunks of 1000);
  1. /report the first time (reads and parses every entry, then counts);
  2. /report again (only new entries are read; the counting is redone);
  3. /decisions?outcome=deny (filter and render the newest 200);
  4. /decisions/{N/2} (entry, signed checkpoint, inclusion proof checked with the verifier).
No speed target is set for the pages (issue 7); the numbers are recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    n = parser.parse_args().n
    home = Path(tempfile.mkdtemp(prefix="sanctuary-bench-web-"))
    os.environ["SANCTUARY_HOME"] = str(home)

    from fastapi.testclient import TestClient

    from sanctuary.agencies import load_registry
    from sanctuary.audit import open_log
    from sanctuary.audit.entry import build
    from sanctuary.audit.keys import generate, hmac_key
    from sanctuary.enforce import Pipeline
    from sanctuary.gateway.app import GatewayConfig
    from sanctuary.gateway.users import UserBook
    from sanctuary.models import parse_request
    from sanctuary.policy.engine import PolicyEngine
    from sanctuary.server import create_app

    generate("bench.example/web")
    pipeline = Pipeline(PolicyEngine.load(["chicago-2021"], load_registry()))
    lines = [x for x in (ROOT / "examples" / "requests.jsonl").read_text().splitlines() if x.strip()]
    key = hmac_key()
    entries = []
    for line in lines:
        request = parse_request(line)
        entries.append(build(request, pipeline.decide(request), None, key)[0])
    log = open_log(str(home / "log.db"))
    for start in range(0, n, 5000):
        log.append_many([entries[i % len(entries)] for i in range(start, min(n, start + 5000))])

    started = time.perf_counter()
    for start in range(0, n, 1000):
        log.entries(start, min(n, start + 1000))
    peer = time.perf_counter() - started
    log.close()

    users = UserBook()
    users.add("bench", "oversight", "bench password")
    app = create_app(GatewayConfig(store_url=str(home / "records.db"), log_url=str(home / "log.db"), users=users))
    client = TestClient(app)
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert (
        client.post("/login", data={"csrf": csrf, "name": "bench", "password": "bench password"}, follow_redirects=False).status_code == 303
    )

    def timed(path: str) -> float:
        started = time.perf_counter()
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        return time.perf_counter() - started

    results = {
        "entries": n,
        "peer_read_all_entries_s": round(peer, 3),
        "report_first_s": round(timed("/report"), 3),
        "report_again_s": round(timed("/report"), 3),
        "decisions_deny_s": round(timed("/decisions?outcome=deny"), 3),
        "decision_with_proof_s": round(timed(f"/decisions/{n // 2}"), 3),
    }
    app.state.gateway.close()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
