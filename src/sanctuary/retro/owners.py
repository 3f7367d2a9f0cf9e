"""Whose export a file is, and how that is known.

An organization audit or a transparency portal's `search_audit.csv` lists the searches one agency's
own users ran; a network audit lists the searches others ran on one agency's cameras. Either way the
export belongs to one agency, its owner, and the report says who that is and how it was known, in
this order:

1. `--agency NAME`: the auditor says so (every file of the scan);
2. a manifest: `manifest.csv` (or `owners.csv`) in the folder of the file, or in any folder above it
   up to the one scanned, with columns `file` (the path below the manifest's folder) and `owner`;
3. the file's name as the vendor writes it: "11_1_2025-12_8_2025-Okaloosa County FL SO-Audit.csv",
   "Los_Altos_CA_PD_NETWORK_AUDIT_2024__APRIL.ndjson.gz", "Conway AR PD-Audit - Redacted.csv";
4. the content: an organization audit whose organisation column names one organisation.

A file whose format has no organisation column (the portal export) lists its owner's own searches,
so its rows are the owner's: the scan judges them as searched by it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from sanctuary.retro.errors import RetroError

MANIFESTS = ("manifest.csv", "owners.csv")
_DATES = re.compile(r"^\s*\d{1,2}[_-]\d{1,2}[_-]\d{2,4}\s*[-_]\s*\d{1,2}[_-]\d{1,2}[_-]\d{2,4}\s*[-_]\s*")
_AUDIT = re.compile(r"(?i)[\s_-]*(?:(?:network|org(?:anization(?:al)?)?)[\s_]*)?audit(?![a-z]).*$")
# A name is taken from a file name only when it reads as an agency's: "Okaloosa County FL SO", not "demo".
_AGENCY_WORDS = re.compile(
    r"(?i)\b(?:pd|so|dps|sheriff'?s?|police|department|dept|county|parish|city|town|village|marshal'?s?|patrol|constable|da)\b|\b[A-Z]{2}\b"
)
_SUFFIXES = re.compile(r"(?i)(\.(csv|tsv|txt|ndjson|jsonl|json|parquet|pq))?(\.gz)?$")


@dataclass(frozen=True)
class Owner:
    name: str | None
    how: str  # "--agency", "manifest PATH", "file name", "content: one organisation", "unknown"


def from_name(path: Path) -> str | None:
    """The agency a vendor's export file name carries, if any."""
    stem = _SUFFIXES.sub("", path.name)
    if not _AUDIT.search(stem):
        return None
    name = _AUDIT.sub("", _DATES.sub("", stem)).replace("_", " ").strip(" -")
    name = re.sub(r"\s+", " ", name)
    return name if _AGENCY_WORDS.search(name) else None


class Owners:
    """Owners of the files of one scan: `agency` (from --agency) wins, then manifests, names, content."""

    def __init__(self, agency: str | None = None, root: Path | None = None):
        self.agency = agency.strip() if agency and agency.strip() else None
        self.root = root.resolve() if root else None
        self._manifests: dict[Path, dict[str, str]] = {}

    def of(self, path: Path, one_org: str | None = None) -> Owner:
        """The owner of `path`; `one_org`: the one organisation its organisation column names, if so."""
        if self.agency:
            return Owner(self.agency, "--agency")
        found = self._manifest(path)
        if found:
            return found
        named = from_name(path)
        if named:
            return Owner(named, "file name")
        if one_org:
            return Owner(one_org, "content: one organisation")
        return Owner(None, "unknown")

    def _manifest(self, path: Path) -> Owner | None:
        path = path.resolve()
        folder = path.parent
        while True:
            entries = self._read(folder)
            key = path.relative_to(folder).as_posix()
            if key in entries:
                return Owner(entries[key], f"manifest {folder / next(n for n in MANIFESTS if (folder / n).is_file())}")
            if self.root is None or folder == self.root or folder == folder.parent or self.root not in folder.parents:
                return None
            folder = folder.parent

    def _read(self, folder: Path) -> dict[str, str]:
        if folder in self._manifests:
            return self._manifests[folder]
        entries: dict[str, str] = {}
        manifest = next((folder / n for n in MANIFESTS if (folder / n).is_file()), None)
        if manifest is not None:
            try:
                with manifest.open(newline="", encoding="utf-8-sig") as fh:
                    reader = csv.DictReader(fh)
                    if not reader.fieldnames or not {"file", "owner"} <= set(reader.fieldnames):
                        raise RetroError("manifest", f"{manifest}: needs the columns file and owner; found {reader.fieldnames}")
                    for row in reader:
                        if row.get("file") and row.get("owner"):
                            entries[row["file"].strip().removeprefix("./")] = row["owner"].strip()
            except (OSError, UnicodeDecodeError, csv.Error) as exc:
                raise RetroError("manifest", f"{manifest}: cannot be read: {exc}") from None
        self._manifests[folder] = entries
        return entries
