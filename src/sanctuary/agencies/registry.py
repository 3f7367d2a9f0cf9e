"""The agency registry: ids, names, aliases and ORIs resolve to one agency with its ancestors and flags.

Shipped as data (`data/agencies.toml`); a department adds partners in its own TOML file of the same
format. Flags that describe what an agency *is* (`federal`, `immigration_enforcement`) pass down to
every unit below it: Border Patrol is an immigration-enforcement agency because CBP is. A joint task
force (level "multi") names its `members`: a request from it may serve any of them, so it is judged
as each (`Registry.readings`), and its `primary_purpose` as the department records it.

Department data is read fail-closed: every entry states `law_enforcement`, and every entry without a
parent states its `level`. A missing one does not load (no default that would read an agency as law
enforcement, or as a public agency, because the file forgot to say).
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

from sanctuary.errors import SanctuaryError

DATA = Path(__file__).parent / "data" / "agencies.toml"
LEVELS = ("federal", "state", "county", "city", "multi", "private")
INHERITED = ("federal", "immigration_enforcement")
FLAGS = ("federal", "law_enforcement", "immigration_enforcement", "civil_immigration_mission", "has_287g", "relays_to_dhs")
# A joint task force's primary purpose, as the department records it: each jurisdiction's rules decide
# which of these is "immigration enforcement" (California: both immigration kinds, Gov. Code §7284.4(f)).
PURPOSES = ("civil_immigration", "criminal_immigration", "criminal")
_KEYS = {"id", "name", "parent", "aliases", "ori", "level", "state", "members", "primary_purpose", *FLAGS}
_ORI = re.compile(r"^[A-Z]{2}[A-Z0-9]{7}$")


class RegistryError(SanctuaryError, ValueError):
    """A registry file that cannot be loaded; names the file, the entry and the field."""


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    level: str  # stated, or the parent's: no default (the loader requires it)
    law_enforcement: bool  # stated on every entry: no default (the loader requires it)
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    ori: tuple[str, ...] = ()
    state: str = "US"
    federal: bool = False
    immigration_enforcement: bool = False
    civil_immigration_mission: bool = False  # its work is civil immigration enforcement itself (ERO)
    dhs: bool = False
    has_287g: bool = False
    relays_to_dhs: bool = False
    members: tuple[str, ...] = ()  # a joint task force's member agencies (level "multi" only)
    primary_purpose: str | None = None  # a joint task force's, one of PURPOSES (None: not recorded)
    ancestors: tuple[str, ...] = field(default=(), compare=False)

    def flags(self) -> list[str]:
        return [f for f in (*FLAGS, "dhs") if getattr(self, f)]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["aliases"], d["ori"], d["ancestors"] = list(self.aliases), list(self.ori), list(self.ancestors)
        d["members"] = list(self.members)
        d["flags"] = self.flags()
        return d


@lru_cache(maxsize=8192)
def normalize(name: str) -> str:
    """Case, punctuation and spacing do not matter: "U.S. Border Patrol" == "us border patrol"."""
    text = re.sub(r"[^a-z0-9&]+", " ", name.casefold()).strip()
    return re.sub(r"\bu s\b", "us", text)


class Registry:
    """Agencies by id, with an index of every name they answer to."""

    def __init__(self, agencies: dict[str, Agency]):
        self._agencies = agencies
        self._index: dict[str, str] = {}
        self._readings: dict[str, tuple[Agency, ...]] = {}
        for a in agencies.values():
            for name in (a.id, a.name, *a.aliases, *a.ori):
                key = normalize(name)
                other = self._index.setdefault(key, a.id)
                if other != a.id:
                    raise RegistryError(f"agency {a.id}", f"name {name!r} already names agency {other}")

    def __len__(self) -> int:
        return len(self._agencies)

    def __iter__(self):
        return iter(self._agencies.values())

    def get(self, agency_id: str) -> Agency:
        return self._agencies[agency_id]

    def resolve(self, name: str) -> Agency | None:
        """The agency an id, alias, full name or ORI names (case-insensitive), or None."""
        agency_id = self._index.get(normalize(name))
        return self._agencies[agency_id] if agency_id else None

    def ancestors(self, agency_id: str) -> list[str]:
        return list(self._agencies[agency_id].ancestors)

    def readings(self, agency_id: str) -> tuple[Agency, ...]:
        """Every agency a request under this name may really come from: the agency itself and each
        component below it (a request from "ICE" may be ERO's). Joint task forces hosted by an agency
        (level "multi") are partners, not components, and are not readings of their host; a task
        force's own readings are itself and every reading of each of its `members` (what it receives
        may serve any of them: one with an HSI member is judged as HSI too, for the bars that reach HSI)."""
        found = self._readings.get(agency_id)
        if found is None:
            found = (self._agencies[agency_id],)
            found += tuple(
                a for a in self._agencies.values() if agency_id in a.ancestors and a.level != "multi" and not _in_task_force(a, self)
            )
            for member in self._agencies[agency_id].members:
                found += tuple(a for a in self.readings(member) if a not in found)
            self._readings[agency_id] = found
        return found

    def digest(self) -> str:
        """SHA-256 of the registry's content: part of the policy-set hash, since decisions depend on it."""
        blob = json.dumps([a.to_dict() for a in self._agencies.values()], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()


def _in_task_force(agency: Agency, registry: Registry) -> bool:
    return any(registry.get(a).level == "multi" for a in agency.ancestors)


def load_registry(extra: Iterable[str | Path] = (), *, base: Path | None = DATA) -> Registry:
    """The shipped registry plus a department's own files; later files may not redefine an id."""
    raw: dict[str, tuple[dict, str]] = {}
    for path in [p for p in (base, *extra) if p is not None]:
        for entry in _read(Path(path)):
            if entry["id"] in raw:
                raise RegistryError(str(path), f"agency {entry['id']}: id already defined in {raw[entry['id']][1]}")
            raw[entry["id"]] = (entry, str(path))
    agencies: dict[str, Agency] = {}
    for agency_id in raw:
        _build(agency_id, raw, agencies, ())
    for agency in agencies.values():
        for member in agency.members:
            if member not in agencies or agencies[member].level == "multi":
                raise RegistryError(
                    f"{raw[agency.id][1]}: agency {agency.id}", f"members: {member!r} is not a registered agency outside a task force"
                )
    return Registry(agencies)


def _read(path: Path) -> list[dict]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RegistryError(str(path), str(exc)) from None
    entries = doc.get("agency", [])
    if not isinstance(entries, list):
        raise RegistryError(str(path), "'agency' must be an array of tables ([[agency]])")
    for i, entry in enumerate(entries):
        where = f"{path}: agency #{i + 1}"
        if not isinstance(entry.get("id"), str) or not entry["id"]:
            raise RegistryError(str(where), "id: required")
        if not isinstance(entry.get("name"), str) or not entry["name"]:
            raise RegistryError(f"{where} ({entry['id']})", "name: required")
        unknown = set(entry) - _KEYS
        if unknown:
            raise RegistryError(f"{where} ({entry['id']})", f"unknown field(s) {sorted(unknown)}")
        if "law_enforcement" not in entry:
            raise RegistryError(f"{where} ({entry['id']})", "law_enforcement: required (true or false)")
        if "level" not in entry and not entry.get("parent"):
            raise RegistryError(f"{where} ({entry['id']})", f"level: required for an agency with no parent ({', '.join(LEVELS)})")
        for flag in FLAGS:
            if flag in entry and not isinstance(entry[flag], bool):
                raise RegistryError(f"{where} ({entry['id']})", f"{flag}: must be true or false")
        if "level" in entry and entry["level"] not in LEVELS:
            raise RegistryError(f"{where} ({entry['id']})", f"level: must be one of {', '.join(LEVELS)}")
        if "members" in entry or "primary_purpose" in entry:
            if entry.get("level") != "multi":
                raise RegistryError(
                    f"{where} ({entry['id']})", 'members, primary_purpose: only a joint task force (level "multi") has them'
                )
            if not isinstance(entry.get("members", []), list) or not all(isinstance(m, str) for m in entry.get("members", [])):
                raise RegistryError(f"{where} ({entry['id']})", "members: must be a list of agency ids")
            if "primary_purpose" in entry and entry["primary_purpose"] not in PURPOSES:
                raise RegistryError(f"{where} ({entry['id']})", f"primary_purpose: must be one of {', '.join(PURPOSES)}")
        for ori in entry.get("ori", []):
            if not _ORI.match(ori):
                raise RegistryError(f"{where} ({entry['id']})", f"ori: {ori!r} is not a 9-character ORI")
    return entries


def _build(agency_id: str, raw: dict[str, tuple[dict, str]], done: dict[str, Agency], seen: tuple[str, ...]) -> Agency:
    if agency_id in done:
        return done[agency_id]
    if agency_id in seen:
        raise RegistryError(f"agency {agency_id}", f"parent chain loops: {' > '.join((*seen, agency_id))}")
    entry, path = raw[agency_id]
    parent = None
    if entry.get("parent"):
        if entry["parent"] not in raw:
            raise RegistryError(str(path), f"agency {agency_id}: parent: unknown agency {entry['parent']!r}")
        parent = _build(entry["parent"], raw, done, (*seen, agency_id))
    inherit = {f: bool(entry.get(f, False) or (parent and getattr(parent, f))) for f in INHERITED}
    agency = Agency(
        id=agency_id,
        name=entry["name"],
        parent=parent.id if parent else None,
        aliases=tuple(entry.get("aliases", ())),
        ori=tuple(entry.get("ori", ())),
        level=entry["level"] if parent is None or "level" in entry else parent.level,  # _read: no parent, level stated
        state=entry.get("state", parent.state if parent else "US"),
        law_enforcement=entry["law_enforcement"],
        civil_immigration_mission=entry.get("civil_immigration_mission", False),
        has_287g=entry.get("has_287g", False),
        relays_to_dhs=entry.get("relays_to_dhs", False),
        members=tuple(entry.get("members", ())),
        primary_purpose=entry.get("primary_purpose"),
        dhs=agency_id == "DHS" or bool(parent and parent.dhs),
        ancestors=(parent.id, *parent.ancestors) if parent else (),
        **inherit,
    )
    done[agency_id] = agency
    return agency
