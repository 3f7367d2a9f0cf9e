"""Jurisdictions: the profiles in force together in one place, and its home state.

A deployment is a jurisdiction, not one profile: in Chicago the Illinois TRUST Act and the Illinois
ALPR law apply at the same time as the city's ordinance. See jurisdictions.toml.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sanctuary.policy.errors import PolicyError

JURISDICTIONS_PATH = Path(__file__).parent / "jurisdictions.toml"


Texts = tuple[tuple[str, str], ...]  # (language, text): `key` is English, `key_<lang>` another language


def in_language(texts: Texts, lang: str) -> str:
    """The text in `lang` (English where the language has none), or ""."""
    found = dict(texts)
    return found.get(lang) or found.get("en", "")


def _texts(spec: dict, key: str) -> Texts:
    return tuple((k.removeprefix(key).lstrip("_") or "en", v) for k, v in spec.items() if k == key or k.startswith(f"{key}_"))


@dataclass(frozen=True)
class Comparison:
    """A what-if comparison the oversight pages offer first: the recorded requests decided again
    under profile `a`, then under profile `b`; `labels` say what it compares."""

    a: str
    b: str
    labels: Texts


@dataclass(frozen=True)
class Jurisdiction:
    name: str
    title: str
    title_es: str
    home_state: str
    profiles: tuple[str, ...]
    # Whom the pages, the desk's scripts and the reports speak for, by language ("" where none is
    # configured: they say "the department"), and the local time they show (`time_zone`, IANA).
    departments: Texts = ()  # `department`, `department_<lang>`
    time_zone: str = "UTC"
    comparisons: tuple[Comparison, ...] = ()  # `[[jurisdiction.NAME.whatif]]`: the first is the page's default

    def department(self, lang: str) -> str:
        """The department's name in `lang`, or "" where none is configured."""
        return in_language(self.departments, lang)


@dataclass(frozen=True)
class Jurisdictions:
    default: str
    by_name: dict[str, Jurisdiction]

    def get(self, name: str | None = None) -> Jurisdiction:
        name = name or self.default
        found = self.by_name.get(name)
        if found is None:
            raise PolicyError("jurisdiction", f"unknown jurisdiction {name!r}; known: {', '.join(sorted(self.by_name))}")
        return found


@cache
def jurisdictions(path: Path = JURISDICTIONS_PATH) -> Jurisdictions:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(str(path), str(exc)) from None
    by_name = {}
    for name, spec in doc.get("jurisdiction", {}).items():
        for key in ("title", "home_state", "profiles"):
            if not spec.get(key):
                raise PolicyError(str(path), f"jurisdiction.{name}.{key}: required")
        zone = spec.get("time_zone", "UTC")
        try:
            ZoneInfo(zone)
        except (ValueError, ZoneInfoNotFoundError):
            raise PolicyError(str(path), f"jurisdiction.{name}.time_zone: {zone!r} is not an IANA time zone") from None
        comparisons = []
        for i, pair in enumerate(spec.get("whatif", [])):
            for key in ("a", "b", "label"):
                if not isinstance(pair.get(key), str) or not pair[key]:
                    raise PolicyError(str(path), f"jurisdiction.{name}.whatif[{i}].{key}: required")
            comparisons.append(Comparison(pair["a"], pair["b"], _texts(pair, "label")))
        by_name[name] = Jurisdiction(
            name,
            spec["title"],
            spec.get("title_es", ""),
            spec["home_state"],
            tuple(spec["profiles"]),
            _texts(spec, "department"),
            zone,
            tuple(comparisons),
        )
    default = doc.get("default", "")
    if default not in by_name:
        raise PolicyError(str(path), f"default: {default!r} is not a declared jurisdiction")
    return Jurisdictions(default, by_name)


def in_force(jurisdiction: str | None, profiles: Sequence[str] | None) -> str | None:
    """The jurisdiction decided under: the one given; with no profiles either, the configured
    default (a deployment is a jurisdiction: never the city's profile alone by accident); None:
    the profiles alone. PolicyError if jurisdictions.toml does not load."""
    if jurisdiction is not None or profiles:
        return jurisdiction
    return jurisdictions().default
