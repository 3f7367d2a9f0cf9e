"""The 625 ILCS 5/2-130 declarations on file: standing department data, one per agency.

The same CSV `sanctuary scan-partners --declarations` reads (a column naming the agency —
organization, agency, partner or name — and optionally state and signed). Each row resolves through
the registry to an agency id; the rules read it as `principal.alpr_declaration`. A row that names no
registered agency grants nothing (it is reported, not guessed at). A declaration described in a
request is a claim, never this.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from sanctuary.agencies import Registry
from sanctuary.policy.errors import PolicyError

NAME_COLUMNS = ("organizationname", "organization", "organisation", "agency", "agencyname", "partner", "name")


@dataclass(frozen=True)
class Declarations:
    agencies: frozenset[str]  # registry ids with a declaration on file
    unresolved: tuple[str, ...]  # names in the file that no registered agency answers to


def read_declarations(path: Path, registry: Registry) -> Declarations:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise PolicyError("declarations", f"cannot read {path}: {exc}") from None
    if not rows:
        return Declarations(frozenset(), ())
    columns = {re.sub(r"[^a-z]", "", (c or "").lower()): c for c in rows[0]}
    name_column = next((columns[c] for c in NAME_COLUMNS if c in columns), None)
    if name_column is None:
        raise PolicyError("declarations", f"{path}: no column naming the agency (one of {', '.join(NAME_COLUMNS)})")
    found, unresolved = set(), []
    for row in rows:
        name = (row.get(name_column) or "").strip()
        agency = registry.resolve(name) if name else None
        if agency is None:
            unresolved.append(name)
        else:
            found.add(agency.id)
    return Declarations(frozenset(found), tuple(unresolved))
