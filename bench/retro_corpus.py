"""Calibration of the retro audit's flags on real exports: tests/data/flock-corpus (79 published audits).

    .venv/bin/python bench/retro_corpus.py [--split heldout|dev|all] [--markdown FILE] [--json]

Each export is scanned on its own, as an auditor would scan it (`sanctuary scan FILE --home-state
<its state> --agency <its owner>`), and the script reports, per export, how many rows each flag marks
with a sample reason for each (that of the first row it marks); then, over the split, every row the evidence flag IMMIGRATION_PURPOSE
marks (with its reason, to be read by a person: the corpus carries no labels), the rows whose reason
the screen reads as naming a crime that carry it (must be none), and the rate of the evidence flag
with its row count and a 95% upper bound (the rule of three when none is flagged).

The split (tests/data/flock-corpus/PROVENANCE.md) was fixed by the agencies' names before any flag
was run: a change to the screen or the flags is tuned on `dev` and reported on `heldout`.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from sanctuary.policy.immigration import CRIMINAL, by_words
from sanctuary.retro import ScanOptions, scan
from sanctuary.retro.flags import CODES
from sanctuary.screening import screen

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "flock-corpus"
EVIDENCE = "IMMIGRATION_PURPOSE"


def manifest(split: str) -> list[dict]:
    with (CORPUS / "manifest.csv").open(newline="", encoding="utf-8") as fh:
        return [m for m in csv.DictReader(fh) if split == "all" or m["split"] == split]


def calibrate(split: str) -> dict:
    exports = []
    flagged_rows = []
    total = 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="retro-corpus-") as tmp:
        for i, m in enumerate(manifest(split)):
            out = Path(tmp) / str(i)
            summary = scan([CORPUS / m["file"]], out, ScanOptions(home_state=m["state"], agency=m["owner"], org_reports=False))
            total += summary["rows"]
            con = duckdb.connect()
            samples = dict(
                con.execute(
                    f"""SELECT flag, arg_min(coalesce(reason, '(blank)'), row) FROM (
                          SELECT unnest(string_split(flags, ';')) AS flag, reason, row FROM read_parquet('{out / "flags.parquet"}')
                        ) GROUP BY flag"""
                ).fetchall()
            )
            for row, reason, evidence in con.execute(
                f"SELECT row, reason, evidence FROM read_parquet('{out / 'flags.parquet'}') WHERE contains(flags, '{EVIDENCE}')"
            ).fetchall():
                crime = reason is not None and by_words(screen(reason)).category == CRIMINAL
                flagged_rows.append({"file": m["file"], "row": row, "reason": reason, "crime": crime, "evidence": evidence})
            con.close()
            exports.append(
                {
                    "file": m["file"],
                    "owner": m["owner"],
                    "split": m["split"],
                    "rows": summary["rows"],
                    "by_flag": summary["by_flag"],
                    "samples": samples,
                }
            )
    n = len(flagged_rows)
    return {
        "split": split,
        "exports": exports,
        "rows": total,
        "with_reason": sum(_with_reason(CORPUS / e["file"]) for e in exports),
        "evidence_rows": flagged_rows,
        "evidence_rate": n / total if total else 0.0,
        "evidence_rate_bound95": (3 / total if n == 0 else None) if total else None,
        "crime_named_and_flagged": sum(r["crime"] for r in flagged_rows),
        "by_flag": {c: sum(e["by_flag"][c] for e in exports) for c in CODES},
        "seconds": round(time.monotonic() - started, 1),
    }


def _with_reason(path: Path) -> int:
    column = "Reason" if "okaloosa" in path.name.lower() else "reason"
    con = duckdb.connect()
    n = con.execute(f"SELECT count(nullif(trim(\"{column}\"), '')) FROM read_csv('{path}', all_varchar=true)").fetchall()[0][0]
    con.close()
    return int(n)


def markdown(result: dict) -> str:
    codes = [c for c in CODES if result["by_flag"][c]]
    lines = [
        f"Split `{result['split']}`: {len(result['exports'])} exports, {result['rows']:,} searches ({result['with_reason']:,} with a reason).",
        "",
        f"- `{EVIDENCE}`: {len(result['evidence_rows']):,} of {result['rows']:,} searches ({100 * result['evidence_rate']:.3f}%"
        + (f"; 95% upper bound {100 * result['evidence_rate_bound95']:.3f}%" if result["evidence_rate_bound95"] else "")
        + f"); rows whose reason names a crime among them: {result['crime_named_and_flagged']}.",
    ]
    for r in result["evidence_rows"]:
        lines.append(f"  - {r['file']}, row {r['row']:,}: {r['reason']!r}: {r['evidence']}")
    lines += ["", "| flag | searches | share |", "|---|---:|---:|"]
    lines += [f"| `{c}` | {result['by_flag'][c]:,} | {100 * result['by_flag'][c] / result['rows']:.2f}% |" for c in CODES]
    lines += ["", "Per export (a sample reason for each flag it marks, below the count):", ""]
    lines.append("| export | owner | rows | " + " | ".join(f"`{c}`" for c in codes) + " |")
    lines.append("|---|---|---:|" + "---:|" * len(codes))
    for e in result["exports"]:
        cells = []
        for c in codes:
            n = e["by_flag"][c]
            sample = e["samples"].get(c)
            cells.append(f"{n:,}<br>{_cell(sample)}" if n else "0")
        lines.append(f"| {Path(e['file']).name} | {e['owner']} | {e['rows']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(text: str | None) -> str:
    text = (text or "").replace("|", "/").replace("\n", " ")
    return "“" + (text if len(text) <= 40 else text[:39] + "…") + "”"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("heldout", "dev", "all"), default="heldout")
    parser.add_argument("--markdown", type=Path, help="write the per-export table to this file")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = calibrate(args.split)
    if args.json:
        json.dump(result, sys.stdout, indent=2, default=str)
        return
    text = markdown(result)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    print(text if not args.markdown else text.split("\n\n| flag")[0])
    print(f"({result['seconds']} s)")


if __name__ == "__main__":
    main()
