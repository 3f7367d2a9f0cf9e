"""Purpose screening: the frozen test split, real reasons, the evasion suite and throughput, with a
Flock-style keyword block list measured in the same run on the same rows.

    .venv/bin/python bench/screening.py [--json] [--rows 1000000] [--real FILE ...] [--show-misses]

Accuracy (docs/screening.md says what each figure does and does not measure):

- the frozen test split, docs/data/screening_test.csv (its SHA-256 is checked against the one in
  docs/screening.md): recall of `civil_immigration` on the immigration rows, what is held or flagged
  of the ambiguous rows, the named beneficiary of criminal cases, and false alarms on police reasons;
- real reasons: the two Flock transparency-portal exports in examples/retro/ (127 rows), the list of
  common real reasons in docs/data/common_reasons.txt, and any `--real` file kept outside the project
  (CSV with a reason column, or one reason a line): false `civil_immigration` and `needs_review`;
- the evasion suite: every immigration phrase of the split under every transform of
  `sanctuary.screening.evasion`, caught when the screen still says `civil_immigration`.

The peer is a block list of the kind Flock shipped: a reason is blocked when it contains the word
"immigration", "ICE" or "abortion" (case-insensitive). It has no `needs_review`.

Throughput on one core, normalisation included: a repeat-heavy log (`--rows` reasons drawn with
Zipf-like frequencies from every distinct reason above and the training corpus) through `screen`
with its cache, from a cold cache; and every distinct reason once with every cache cleared. Each is
reported per second of wall-clock time and per second of the process's CPU time: on a machine shared
with other work, the wall-clock rate falls with the load and the CPU-time rate does not.

`--show-misses` prints the phrases each detector got wrong. The figures in the docs were taken
without looking at them: the split is a measurement, not a worklist.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sanctuary.screening import evasion, purpose
from sanctuary.screening.train import load_corpus

ROOT = Path(__file__).resolve().parent.parent
SPLIT = ROOT / "docs/data/screening_test.csv"
COMMON = ROOT / "docs/data/common_reasons.txt"
EXPORTS = sorted((ROOT / "examples/retro").glob("search_audit.*.csv"))
BLOCK_LIST = re.compile(r"\b(?:immigration|ice|abortion)\b", re.IGNORECASE)
NEGATIVE_FAMILIES = ("police", "vague")


@dataclass(frozen=True)
class Call:
    flagged: bool  # civil_immigration (the block list: blocked)
    review: bool  # needs_review
    agencies: tuple[str, ...]
    category: str


def screen_call(text: str) -> Call:
    result = purpose.screen(text)
    return Call(result.category == "civil_immigration", result.category == "needs_review", result.agencies, result.category)


def block_list_call(text: str) -> Call:
    blocked = BLOCK_LIST.search(text) is not None
    return Call(blocked, False, (), "civil_immigration" if blocked else "other")


def upper_bound(events: int, n: int) -> float:
    """One-sided 95% Clopper-Pearson upper bound of a rate seen `events` times in `n`."""
    if n == 0:
        return 1.0
    if events == 0:
        return 1.0 - 0.05 ** (1.0 / n)
    from scipy.stats import beta

    return float(beta.ppf(0.95, events + 1, n - events))


def rate(hits: int, n: int) -> dict:
    return {"hits": hits, "n": n, "rate": hits / n if n else 0.0, "upper_95": upper_bound(hits, n)}


def split_rows() -> list[dict[str, str]]:
    with SPLIT.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_reasons(path: Path) -> list[str]:
    """A CSV export (its reason column) or a text file of one reason a line."""
    if path.suffix.lower() != ".csv":
        return [line.rstrip("\r\n") for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        column = next((c for c in reader.fieldnames or () if c.strip().lower() == "reason"), None)
        if column is None:
            raise SystemExit(f"{path.name}: no reason column")
        return [row[column] or "" for row in reader]


def on_split(call: Callable[[str], Call], rows: list[dict[str, str]]) -> tuple[dict, dict]:
    immigration = [r for r in rows if r["label"] == "civil_immigration"]
    ambiguous = [r for r in rows if r["label"] == "needs_review"]
    beneficiary = [r for r in rows if r["family"] == "beneficiary"]
    negatives = [r for r in rows if r["family"] in NEGATIVE_FAMILIES]
    vague = [r for r in rows if r["family"] == "vague"]
    calls = {r["text"]: call(r["text"]) for r in rows}

    def stopped(c: Call) -> bool:
        return c.flagged or c.review or bool(c.agencies)

    def served(r: dict[str, str]) -> bool:
        c = calls[r["text"]]
        return r["agencies"] in c.agencies and not c.flagged

    result = {
        "recall": rate(sum(calls[r["text"]].flagged for r in immigration), len(immigration)),
        "immigration_held_or_flagged": rate(sum(stopped(calls[r["text"]]) for r in immigration), len(immigration)),
        "recall_by_family": {
            family: rate(
                sum(calls[r["text"]].flagged for r in immigration if r["family"] == family), sum(r["family"] == family for r in immigration)
            )
            for family in sorted({r["family"] for r in immigration})
        },
        "ambiguous_needs_review": rate(sum(calls[r["text"]].review for r in ambiguous), len(ambiguous)),
        "ambiguous_held_or_flagged": rate(sum(stopped(calls[r["text"]]) for r in ambiguous), len(ambiguous)),
        "beneficiary_named_not_immigration": rate(sum(map(served, beneficiary)), len(beneficiary)),
        "police_false_civil_immigration": rate(sum(calls[r["text"]].flagged for r in negatives), len(negatives)),
        "police_needs_review": rate(sum(calls[r["text"]].review for r in negatives), len(negatives)),
        "vague_called_vague": rate(sum(calls[r["text"]].category == "vague" for r in vague), len(vague)),
    }
    misses = {
        "immigration_missed": [r["text"] for r in immigration if not calls[r["text"]].flagged],
        "ambiguous_not_held": [r["text"] for r in ambiguous if not stopped(calls[r["text"]])],
        "beneficiary_wrong": [r["text"] for r in beneficiary if not served(r)],
        "police_flagged_or_held": [r["text"] for r in negatives if calls[r["text"]].flagged or calls[r["text"]].review],
    }
    return result, misses


def on_real(call: Callable[[str], Call], reasons: list[str]) -> tuple[dict, list[str]]:
    calls = [call(text) for text in reasons]
    wrong = sorted({t for t, c in zip(reasons, calls, strict=True) if c.flagged or c.review})
    return {
        "false_civil_immigration": rate(sum(c.flagged for c in calls), len(calls)),
        "needs_review": rate(sum(c.review for c in calls), len(calls)),
    }, wrong


def on_evasions(call: Callable[[str], Call], phrases: list[str]) -> tuple[dict, list[str]]:
    by_transform: dict[str, list[bool]] = {name: [] for name in evasion.TRANSFORMS}
    missed: list[str] = []
    for phrase in phrases:
        for name, text in evasion.variants(phrase):
            caught = call(text).flagged
            by_transform[name].append(caught)
            if not caught:
                missed.append(f"{name}: {text!r}")
    every = [c for results in by_transform.values() for c in results]
    families = {
        family: rate(sum(c for n in names for c in by_transform[n]), sum(len(by_transform[n]) for n in names))
        for family, names in evasion.FAMILIES.items()
    }
    return {"caught": rate(sum(every), len(every)), "by_family": families}, missed


def throughput(distinct: list[str], rows: int) -> dict:
    rng = random.Random(7)
    weights = [1.0 / (rank + 1) for rank in range(len(distinct))]
    order = distinct[:]
    rng.shuffle(order)
    log = rng.choices(order, weights=weights, k=rows)
    purpose.clear_caches()
    start, cpu = time.perf_counter(), time.process_time()
    for text in log:
        purpose.screen(text)
    cached = rows / (time.perf_counter() - start)
    cached_cpu = rows / (time.process_time() - cpu)
    purpose.clear_caches()  # uncached: every cache cold, each distinct reason screened once
    start, cpu = time.perf_counter(), time.process_time()
    for text in distinct:
        purpose.screen(text)
    uncached = len(distinct) / (time.perf_counter() - start)
    uncached_cpu = len(distinct) / (time.process_time() - cpu)
    return {
        "rows": rows,
        "distinct": len(distinct),
        "cached_per_s": cached,
        "uncached_per_s": uncached,
        "cached_per_cpu_s": cached_cpu,
        "uncached_per_cpu_s": uncached_cpu,
        "load_average": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--real", type=Path, nargs="*", default=[], help="real reasons kept outside the project")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    rows = split_rows()
    exports = [text for path in EXPORTS for text in read_reasons(path)]
    common = read_reasons(COMMON)
    outside = [text for path in args.real for text in read_reasons(path)]
    positives = [r["text"] for r in rows if r["label"] == "civil_immigration"]
    result: dict = {
        "split_sha256": hashlib.sha256(SPLIT.read_bytes()).hexdigest(),
        "split_rows": len(rows),
        "real": {"exports": len(exports), "common": len(common), "outside": len(outside)},
    }
    misses: dict = {}
    for name, call in (("screen", screen_call), ("block_list", block_list_call)):
        split, split_misses = on_split(call, rows)
        real = {}
        for label, reasons in (("exports", exports), ("common", common), ("outside", outside)):
            if reasons:
                real[label], split_misses[f"real_{label}"] = on_real(call, reasons)
        evasions, split_misses["evasions_missed"] = on_evasions(call, positives)
        result[name] = {"split": split, "real": real, "evasion": evasions}
        misses[name] = split_misses
    corpus = {r["text"] for r in load_corpus(ROOT / "docs/data/reasons.csv")}
    result["throughput"] = throughput(sorted({r["text"] for r in rows} | set(exports) | set(common) | corpus), args.rows)
    if args.show_misses:
        result["misses"] = misses
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        print()
        return
    report(result)


def report(result: dict) -> None:
    def pct(r: dict) -> str:
        return f"{r['rate']:.1%} ({r['hits']}/{r['n']})"

    print(f"frozen split {result['split_rows']} rows, sha256 {result['split_sha256']}")
    print("| measure | screen | block list |")
    print("|---|---|---|")
    s, b = result["screen"], result["block_list"]
    for key in s["split"]:
        if key == "recall_by_family":
            for family in s["split"][key]:
                print(f"| recall, {family} | {pct(s['split'][key][family])} | {pct(b['split'][key][family])} |")
            continue
        print(f"| {key} | {pct(s['split'][key])} | {pct(b['split'][key])} |")
    for label in s["real"]:
        for key in s["real"][label]:
            sr, br = s["real"][label][key], b["real"][label][key]
            print(f"| real {label}: {key} | {pct(sr)}, 95% bound {sr['upper_95']:.2%} | {pct(br)} |")
    print(f"| evasion suite caught | {pct(s['evasion']['caught'])} | {pct(b['evasion']['caught'])} |")
    for family in s["evasion"]["by_family"]:
        print(f"| evasion, {family} | {pct(s['evasion']['by_family'][family])} | {pct(b['evasion']['by_family'][family])} |")
    t = result["throughput"]
    print(
        f"throughput (one core, load average {t['load_average']:.1f}): {t['rows']:,} rows, {t['distinct']:,} distinct;"
        f" cached {t['cached_per_s']:,.0f}/s wall, {t['cached_per_cpu_s']:,.0f}/s of CPU time;"
        f" uncached {t['uncached_per_s']:,.0f}/s wall, {t['uncached_per_cpu_s']:,.0f}/s of CPU time"
    )
    if "misses" in result:
        print(json.dumps(result["misses"], indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
