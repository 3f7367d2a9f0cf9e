"""Purpose screening: accuracy on the held-out corpus and on real reasons, against a keyword block list,
and batch throughput on one core.

    PYTHONPATH=src .venv/bin/python bench/screening.py [--json] [--rows 1000000]

Accuracy: precision and recall for "civil_immigration" on the held-out split of docs/data/reasons.csv,
and the false-positive rate on the real reasons of the Flock transparency-portal exports in
examples/retro/search_audit.*.csv (none of which is immigration-related). The peer, measured in the
same run on the same rows, is a Flock-style block list: a reason is blocked when it contains the word
"immigration", "ICE" or "abortion" (case-insensitive). The trained model alone (probability >= 0.5,
no lexicon) is reported too, to show what the held-out split says about it.

Throughput: a repeat-heavy log (`--rows` reasons drawn with Zipf-like frequencies from every distinct
corpus and fixture reason, as real audit logs repeat a few reasons most of the time), screened in
batch with the cache, from a cold cache; and every distinct reason screened once without the cache.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import sys
import time
from pathlib import Path

from sanctuary.screening import fuzzy, model, purpose
from sanctuary.screening.normalize import normalize
from sanctuary.screening.train import load_corpus

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(os.environ.get("SANCTUARY_FIXTURES", ROOT / "examples" / "retro"))  # copies of the real portal exports
BLOCK_LIST = re.compile(r"\b(?:immigration|ice|abortion)\b", re.IGNORECASE)


def block_list(text: str) -> bool:
    return BLOCK_LIST.search(text) is not None


def screened(text: str) -> bool:
    return purpose.screen(text).immigration


def model_alone(text: str) -> bool:
    return model.shipped().probability(normalize(text).words) >= 0.5


def real_reasons() -> list[str]:
    reasons: list[str] = []
    for path in sorted(FIXTURES.glob("search_audit.*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            reasons += [row["reason"] for row in csv.DictReader(handle)]
    return reasons


def accuracy(flag, rows: list[dict[str, str]], real: list[str]) -> dict:
    positives = [r["text"] for r in rows if r["label"] == "civil_immigration"]
    negatives = [r["text"] for r in rows if r["label"] != "civil_immigration"]
    tp = sum(map(flag, positives))
    fp = sum(map(flag, negatives))
    real_fp = sum(map(flag, real))
    return {
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / len(positives),
        "held_out_false_positive_rate": fp / len(negatives),
        "real_false_positive_rate": real_fp / len(real),
        "missed": sorted(t for t in positives if not flag(t)),
        "false_positives": sorted({t for t in negatives + real if flag(t)}),
    }


def throughput(distinct: list[str], rows: int) -> dict:
    rng = random.Random(7)
    weights = [1.0 / (rank + 1) for rank in range(len(distinct))]
    order = distinct[:]
    rng.shuffle(order)
    log = rng.choices(order, weights=weights, k=rows)
    purpose._screen_cached.cache_clear()
    start = time.perf_counter()
    purpose.screen_many(log)
    cached = rows / (time.perf_counter() - start)
    for cache in (purpose._screen_cached, model._word_ngrams, fuzzy.misspelling_of):
        cache.cache_clear()  # uncached: every cache cold, each distinct reason screened once
    start = time.perf_counter()
    for text in distinct:
        purpose._screen(text)
    uncached = len(distinct) / (time.perf_counter() - start)
    return {"rows": rows, "distinct": len(distinct), "cached_per_s": cached, "uncached_per_s": uncached}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    corpus = load_corpus(ROOT / "docs/data/reasons.csv")
    held_out = [r for r in corpus if r["split"] == "test"]
    real = real_reasons()
    result = {
        "held_out_rows": len(held_out),
        "held_out_immigration": sum(r["label"] == "civil_immigration" for r in held_out),
        "real_reasons": len(real),
        "screen": accuracy(screened, held_out, real),
        "block_list": accuracy(block_list, held_out, real),
        "model_alone": accuracy(model_alone, held_out, real),
        "throughput": throughput(sorted({r["text"] for r in corpus} | set(real)), args.rows),
    }
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        print()
        return
    print(f"held-out rows {result['held_out_rows']} ({result['held_out_immigration']} immigration); real reasons {len(real)}")
    print("| screen | precision | recall | FP rate (held-out) | FP rate (real) |")
    print("|---|---|---|---|---|")
    for name in ("screen", "block_list", "model_alone"):
        r = result[name]
        print(
            f"| {name} | {r['precision']:.3f} | {r['recall']:.3f} | {r['held_out_false_positive_rate']:.2%}"
            f" | {r['real_false_positive_rate']:.2%} |"
        )
    t = result["throughput"]
    print(
        f"throughput: {t['cached_per_s']:,.0f} reasons/s cached ({t['rows']:,} rows, {t['distinct']:,} distinct);"
        f" {t['uncached_per_s']:,.0f} reasons/s uncached"
    )
    print("screen missed:", result["screen"]["missed"])
    print("screen false positives:", result["screen"]["false_positives"])


if __name__ == "__main__":
    main()
