#!/usr/bin/env python3
"""Assemble tests/data/flock-corpus/ from published Flock search audits (real public records).

    python3 tools/assemble_corpus.py SM_ALPR_GIT_DIR OKALOOSA_GIT_DIR tests/data/flock-corpus

Both inputs are git directories of public GitHub repositories (read with `git show`, no work tree):

- none-below/sm-alpr: weekly crawls of Flock transparency portals (`assets/transparency.flocksafety.com/
  <slug>/<date>.json`), each holding the portal's `search_audit.csv` rows (id, userId, searchDate,
  networkCount, reason): the searches the agency's own users ran in the 30 days before the crawl.
  Crawls overlap, so rows are kept once per (agency, id).
- HistoryJunkie/OkaloosaALPR_AUDIT: the Okaloosa County (FL) Sheriff's Office organization audit,
  extracted from the PDF released on MuckRock (`2_Analysis/retention_analysis/..._EXTRACTED.csv`).

Writes one gzipped CSV per agency as published (portal rows in the portal's own column order; the
Okaloosa file byte for byte), and `manifest.csv`: file, owner (the agency whose audit it is, as the
portal names it), its state (from the portal's slug), source address (with the commit), rows, and the split. The split is decided by the agency's
name alone (SHA-256 of the slug, first byte even: `heldout`), before any flag was run, so that a
change to the screen is tuned on `dev` and reported on `heldout`.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import subprocess
import sys
from pathlib import Path

PORTAL_ROOT = "assets/transparency.flocksafety.com"
PORTAL_COLUMNS = ("id", "userId", "searchDate", "networkCount", "reason")
OKALOOSA = "2_Analysis/retention_analysis/11_1_2025-12_8_2025-Okaloosa_County_FL_SO-Audit_EXTRACTED.csv"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(repo), *args], check=True, capture_output=True, text=True).stdout


def split(slug: str) -> str:
    return "heldout" if hashlib.sha256(slug.encode()).digest()[0] % 2 == 0 else "dev"


def from_slug(slug: str) -> str:
    """The portal's name where its crawl recorded none: "oakland-ca-pd" -> "Oakland CA PD"."""
    return " ".join(w.upper() if len(w) <= 2 else w.capitalize() for w in slug.split("-"))


def state(slug: str) -> str:
    """The state a portal slug writes: "oakland-ca-pd" -> CA, "mendocino-county-soca" -> CA."""
    words = slug.split("-")
    found = [w.upper() for w in words[1:] if len(w) == 2 and w not in ("pd", "so", "da", "of", "st")]
    return found[0] if found else ("CA" if slug.endswith("ca") else "")


def write_gz(path: Path, text: str) -> None:
    with gzip.GzipFile(path, "wb", mtime=0) as fh:  # mtime 0: the same bytes on every run
        fh.write(text.encode("utf-8"))


def portals(repo: Path, out: Path) -> list[dict]:
    commit = git(repo, "rev-parse", "HEAD").strip()
    names = [n for n in git(repo, "ls-tree", "-r", "--name-only", "HEAD", PORTAL_ROOT).split() if n.endswith(".json") and ".pdf." not in n]
    rows: dict[str, dict[str, dict]] = {}
    owners: dict[str, str] = {}
    for name in sorted(names):
        slug = name.split("/")[2]
        crawl = json.loads(git(repo, "show", f"HEAD:{name}"))
        if not isinstance(crawl, dict):
            continue
        if crawl.get("crawled_name"):
            owners[slug] = crawl["crawled_name"]
        for row in crawl.get("search_audit_csv") or []:
            rows.setdefault(slug, {})[row["id"]] = row
    manifest = []
    for slug, by_id in sorted(rows.items()):
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(PORTAL_COLUMNS)
        for row in sorted(by_id.values(), key=lambda r: (r.get("searchDate") or "", r["id"])):
            writer.writerow([row.get(c) or "" for c in PORTAL_COLUMNS])
        file = f"portal/{slug}.search_audit.csv.gz"
        write_gz(out / file, buffer.getvalue())
        manifest.append(
            {
                "file": file,
                "owner": owners.get(slug) or from_slug(slug),
                "state": state(slug),
                "source": f"https://github.com/none-below/sm-alpr/tree/{commit}/{PORTAL_ROOT}/{slug}",
                "rows": len(by_id),
                "split": split(slug),
            }
        )
    return manifest


def okaloosa(repo: Path, out: Path) -> dict:
    commit = git(repo, "rev-parse", "HEAD").strip()
    text = git(repo, "show", f"HEAD:{OKALOOSA}")
    file = "okaloosa-fl-so/" + Path(OKALOOSA).name + ".gz"
    write_gz(out / file, text)
    rows = sum(1 for _ in csv.reader(io.StringIO(text))) - 1
    return {
        "file": file,
        "owner": "Okaloosa County FL SO",
        "state": "FL",
        "source": f"https://github.com/HistoryJunkie/OkaloosaALPR_AUDIT/blob/{commit}/{OKALOOSA}",
        "rows": rows,
        "split": split("okaloosa-county-fl-so"),
    }


def main() -> None:
    sm_alpr, okaloosa_repo, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    (out / "portal").mkdir(parents=True, exist_ok=True)
    (out / "okaloosa-fl-so").mkdir(parents=True, exist_ok=True)
    manifest = [okaloosa(okaloosa_repo, out), *portals(sm_alpr, out)]
    with (out / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["file", "owner", "state", "source", "rows", "split"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(manifest)
    print(f"{len(manifest)} files, {sum(m['rows'] for m in manifest):,} rows -> {out}")


if __name__ == "__main__":
    main()
