"""`sanctuary scan-partners`: who a vendor sharing list lets in, and which of them lack a declaration.

A vendor's sharing page (exported or extracted from a PDF) lists partner organisations with the
networks they share with us and the networks we share with them. Each partner is classified through
the organisation resolver. Under 625 ILCS 5/2-130 an Illinois agency may share ALPR data with an
out-of-state agency only after that agency signs a written declaration; with `--home-state IL`
every partner that receives data and is out of state, federal (the Secretary of State treated CBP's
access as a violation) or of unknown state (it cannot be shown to be in state) and has no
declaration on file is listed.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from sanctuary.agencies.states import state_code
from sanctuary.retro.columns import find_columns
from sanctuary.retro.errors import RetroError
from sanctuary.retro.load import headers, reader, text_expr
from sanctuary.retro.orgs import OrgResolver

DECLARATION_STATE = "IL"  # the state whose law (625 ILCS 5/2-130) requires the declarations
_ALIASES = {
    "organization": ("organizationname", "organization", "organisation", "agency", "agencyname", "partner", "name"),
    "state": ("state",),
    "shared_with_me": ("networkssharedwithme", "sharedwithme"),
    "i_share": ("networksimsharing", "networksisharewith", "networksishare", "ishare", "networksimsharingwith"),
}
PARTNER_FIELDS = ("organization", "resolved_id", "level", "state", "flags", "receives_data", "declaration")


@dataclass(frozen=True)
class Partner:
    organization: str
    resolved_id: str | None
    level: str | None
    state: str | None
    flags: tuple[str, ...]
    receives_data: bool
    declaration: bool

    def row(self) -> dict:
        return {
            "organization": self.organization,
            "resolved_id": self.resolved_id or "",
            "level": self.level or "",
            "state": self.state or "",
            "flags": ";".join(self.flags),
            "receives_data": self.receives_data,
            "declaration": self.declaration,
        }


def scan_partners(path: Path, home_state: str, resolver: OrgResolver, out: Path, declarations: Path | None = None) -> dict:
    """Classify every partner into `out`/partners.csv; return (and write) the summary."""
    home = state_code(home_state)
    if home is None:
        raise RetroError("--home-state", f"{home_state!r} is not a US state or territory code")
    con = duckdb.connect()
    try:
        rows = _read(con, path, _ALIASES, "organization", "FILE")
        signed = (
            _read(con, declarations, {"organization": _ALIASES["organization"], "state": ("state",)}, "organization", "--declarations")
            if declarations
            else []
        )
    finally:
        con.close()
    on_file = {resolver.key(r["organization"], state_code(r.get("state") or "")) for r in signed}
    on_file_ids = {o.resolved_id for r in signed if (o := resolver.resolve(r["organization"])).resolved_id}
    partners = [_classify(r, resolver, home, on_file, on_file_ids) for r in rows]
    try:
        out.mkdir(parents=True, exist_ok=True)
        with (out / "partners.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=PARTNER_FIELDS)
            writer.writeheader()
            writer.writerows(p.row() for p in partners)
    except OSError as exc:
        raise RetroError("--out", f"{out}: {exc.strerror or exc}") from None
    missing = [p for p in partners if home == DECLARATION_STATE and _needs_declaration(p) and not p.declaration]
    counts: dict[str, int] = {}
    for p in partners:
        for f in p.flags:
            counts[f] = counts.get(f, 0) + 1
    summary = {
        "file": str(path),
        "home_state": home,
        "partners": len(partners),
        "receiving_data": sum(p.receives_data for p in partners),
        "by_flag": dict(sorted(counts.items())),
        "declarations_file": str(declarations) if declarations else None,
        "declarations_on_file": len(signed),
        "missing_declarations": [p.row() for p in missing] if home == DECLARATION_STATE else None,
    }
    (out / "partners-summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def _needs_declaration(p: Partner) -> bool:
    return p.receives_data and any(f in p.flags for f in ("OUT_OF_STATE", "FEDERAL", "UNRESOLVED_STATE"))


def _classify(row: dict, resolver: OrgResolver, home: str, on_file: set, on_file_ids: set) -> Partner:
    name = row["organization"]
    org = resolver.resolve(name)
    state = org.state if org.state else state_code(row.get("state") or "")
    flags = []
    if org.level == "federal":
        flags.append("FEDERAL")
    if org.dhs:
        flags.append("DHS_COMPONENT")
    if org.immigration:
        flags.append("IMMIGRATION_AGENCY")
    if org.level != "federal" and state and state not in (home, "US"):
        flags.append("OUT_OF_STATE")
    if org.has_287g:
        flags.append("HAS_287G")
    if org.level == "private":
        flags.append("PRIVATE")
    if org.level != "federal" and not state:
        flags.append("UNRESOLVED_STATE")
    if not (org.resolved or (state and org.level)):
        flags.append("UNRESOLVED")
    receives = row.get("i_share", True) is not None  # no "networks I share" column: assume it receives data
    declared = resolver.key(name, state) in on_file or (org.resolved_id is not None and org.resolved_id in on_file_ids)
    return Partner(name, org.resolved_id, org.level, state, tuple(flags), receives, declared)


def _read(con: duckdb.DuckDBPyConnection, path: Path, aliases: dict, required: str, option: str) -> list[dict]:
    names = headers(con, path)
    present = find_columns(names, aliases)
    if required not in present:
        raise RetroError(option, f"{path}: no {required} column (one of {', '.join(aliases[required])}); found {', '.join(names)}")
    select = ", ".join(f"{text_expr(c)} AS {f}" for f, c in present.items())
    try:
        result = con.execute(f"SELECT {select} FROM {reader(path)}").fetchall()
    except duckdb.Error as exc:
        raise RetroError(option, f"{path}: cannot be read: {str(exc).splitlines()[0]}") from None
    rows = [dict(zip(present, r, strict=True)) for r in result]
    return [r for r in rows if r[required]]
