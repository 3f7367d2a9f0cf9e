"""make bench-quick's checker (bench/quick.py): what fails and what does not, on given figures (no
timing), and the shipped thresholds file it reads."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

from quick import RUNS, THRESHOLDS, check  # noqa: E402

SPEC = {
    "count": {"decide.cedar_requests_per_decision": {"max": 3.0}, "log.entries_per_commit": {"min": 64}},
    "floor": {"retro.rows_per_s": {"min": 2000}},
    "ratio": {
        "decide.cached_over_raw_one_call_rate": {"recorded": 2.5, "spread": 0.5, "better": "higher"},
        "decide.uncached_p50_over_raw_one_call_p50": {"recorded": 3.0, "spread": 1.0, "better": "lower"},
    },
}
GOOD = {
    "decide.cedar_requests_per_decision": 1.4,
    "log.entries_per_commit": 64,
    "retro.rows_per_s": 50_000,
    "decide.cached_over_raw_one_call_rate": 2.1,  # worse than recorded, within the spread
    "decide.uncached_p50_over_raw_one_call_p50": 3.9,
}


def failing(measured: dict[str, float]) -> list[str]:
    return [v.name for v in check(measured, SPEC) if not v.ok]


def test_figures_within_their_bounds_pass():
    assert failing(GOOD) == []


def test_a_count_over_its_bound_fails_whatever_the_ratios():
    assert failing({**GOOD, "decide.cedar_requests_per_decision": 24.6}) == ["decide.cedar_requests_per_decision"]
    assert failing({**GOOD, "log.entries_per_commit": 1}) == ["log.entries_per_commit"]


def test_a_ratio_fails_only_when_worse_than_recorded_by_more_than_its_spread():
    assert failing({**GOOD, "decide.cached_over_raw_one_call_rate": 1.9}) == ["decide.cached_over_raw_one_call_rate"]
    assert failing({**GOOD, "decide.cached_over_raw_one_call_rate": 9.0}) == []  # better never fails
    assert failing({**GOOD, "decide.uncached_p50_over_raw_one_call_p50": 4.1}) == ["decide.uncached_p50_over_raw_one_call_p50"]
    assert failing({**GOOD, "decide.uncached_p50_over_raw_one_call_p50": 0.5}) == []


def test_the_floor_and_a_missing_measure_fail():
    assert failing({**GOOD, "retro.rows_per_s": 100}) == ["retro.rows_per_s"]
    missing = dict(GOOD)
    del missing["log.entries_per_commit"]
    assert failing(missing) == ["log.entries_per_commit"]


def test_the_shipped_thresholds_name_only_measures_a_run_makes():
    spec = tomllib.loads(THRESHOLDS.read_text(encoding="utf-8"))
    names = [name for kind in ("count", "floor", "ratio") for name in spec.get(kind, {})]
    assert names and all(name.split(".")[0] in RUNS for name in names)
    assert all(spec["ratio"][n]["better"] in ("higher", "lower") for n in spec["ratio"])
    assert spec["count"]["decide.cedar_requests_per_decision"]["max"] <= 3
