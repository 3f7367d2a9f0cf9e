"""Retro audits from the browser: an uploaded export or sharing list, scanned into its own folder.

Each upload gets a random run id and a folder under $SANCTUARY_HOME/web-retro/<id>/ holding the
file and the scan's outputs (summary, flags.csv, ...), exactly what `sanctuary scan` and
`sanctuary scan-partners` write, and `run.json`: the uploaded file's name (shown, never used as a
path) and when it was scanned, so earlier runs can be listed. The scan's own report.html is not
served: the pages show the summary in the site's layout instead (no server paths, no CLI advice).
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sanctuary import config
from sanctuary.agencies import load_registry
from sanctuary.agencies.g287 import load_g287
from sanctuary.agencies.states import state_code
from sanctuary.retro import OrgResolver, RetroError, ScanOptions, scan, scan_partners

SUFFIXES = (".csv", ".csv.gz", ".ndjson", ".jsonl", ".json", ".parquet")
MAX_UPLOAD = 200 * 1024 * 1024
RUN_ID = re.compile(r"^[a-f0-9]{16}$")
OUTPUTS = {"flags.csv": "text/csv", "partners.csv": "text/csv", "orgs.csv": "text/csv"}
_PRINTABLE = re.compile(r"[^\w .()+,-]")


@dataclass(frozen=True)
class Run:
    run_id: str
    name: str  # the uploaded file's name, for people
    at: str  # when it was scanned (UTC, ISO 8601)
    what: str  # export | partners


def runs_dir() -> Path:
    return config.home() / "web-retro"


def suffix_of(filename: str) -> str:
    """The allowed suffix of an uploaded file name; RetroError names the field otherwise."""
    lower = filename.lower()
    found = next((s for s in sorted(SUFFIXES, key=len, reverse=True) if lower.endswith(s)), None)
    if found is None:
        raise RetroError("file", f"{filename[:80]!r}: upload CSV (or .csv.gz), NDJSON or Parquet")
    return found


def run(data: bytes, filename: str, what: str, home_state: str) -> tuple[str, dict]:
    """Scan one upload (`what`: "export" or "partners"); returns the run id and the summary."""
    if what not in ("export", "partners"):
        raise RetroError("what", "choose an audit export or a sharing list")
    if not data:
        raise RetroError("file", "the file is empty")
    if len(data) > MAX_UPLOAD:
        raise RetroError("file", f"{len(data)} bytes; the limit is {MAX_UPLOAD}")
    if state_code(home_state) is None:
        raise RetroError("home_state", f"{home_state[:10]!r} is not a US state or territory code")
    suffix = suffix_of(filename)
    run_id = secrets.token_hex(8)
    folder = runs_dir() / run_id
    folder.mkdir(parents=True)
    upload = folder / f"upload{suffix}"
    try:
        upload.write_bytes(data)
        out = folder / "out"
        if what == "export":
            summary = scan([upload], out, ScanOptions(home_state=home_state, memory_limit="512MB", threads=1))
        else:
            summary = scan_partners(upload, home_state, OrgResolver(load_registry(), load_g287(None)), out)
        (folder / "what").write_text(what, encoding="utf-8")
        shown = _PRINTABLE.sub("_", Path(filename.replace("\\", "/")).name)[:100] or f"upload{suffix}"
        at = datetime.now(UTC).isoformat(timespec="seconds")
        (folder / "run.json").write_text(json.dumps({"name": shown, "at": at}), encoding="utf-8")
    except Exception as exc:  # nothing kept of a failed scan; the reason names the upload, not our folders
        shutil.rmtree(folder, ignore_errors=True)
        reason = (
            exc.reason
            if isinstance(exc, RetroError)
            else f"could not be scanned: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        )
        raise RetroError("file", reason.replace(str(upload), filename[:80])) from None
    return run_id, summary


def load(run_id: str) -> tuple[str, dict] | None:
    """(what, summary) of an earlier run, or None when there is no such run."""
    if not RUN_ID.match(run_id):
        return None
    folder = runs_dir() / run_id
    try:
        what = (folder / "what").read_text(encoding="utf-8")
        name = "summary.json" if what == "export" else "partners-summary.json"
        return what, json.loads((folder / "out" / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def runs() -> list[Run]:
    """The earlier runs that completed, newest first."""
    found = []
    for folder in runs_dir().glob("*/run.json") if runs_dir().is_dir() else ():
        run_id = folder.parent.name
        try:
            meta = json.loads(folder.read_text(encoding="utf-8"))
            what = (folder.parent / "what").read_text(encoding="utf-8")
        except (OSError, ValueError):
            continue
        if RUN_ID.match(run_id):
            found.append(Run(run_id, str(meta.get("name", "")), str(meta.get("at", "")), what))
    return sorted(found, key=lambda r: r.at, reverse=True)


def run_of(run_id: str) -> Run | None:
    return next((r for r in runs() if r.run_id == run_id), None) if RUN_ID.match(run_id) else None


def output(run_id: str, name: str) -> Path | None:
    if not RUN_ID.match(run_id) or name not in OUTPUTS:
        return None
    path = runs_dir() / run_id / "out" / name
    return path if path.is_file() else None
