"""Legal profiles on disk: one folder of .cedar files and a profile.toml per named profile.

A profile may extend others (chicago-2019-mayoral = chicago-2012 + the directive). Loading expands
`extends`, keeps each profile once, and checks that every policy carries `@id` (prefixed with its
profile's name), `@citation` and `@explain`: a rule that cannot be cited does not load.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sanctuary.policy.errors import PolicyError

ROOT = Path(__file__).parent
PROFILES = ROOT / "profiles"


@dataclass(frozen=True)
class Parameter:
    name: str
    default: tuple[str, ...]
    allowed: tuple[str, ...]
    doc: str


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    in_force: str
    extends: tuple[str, ...]
    sources: tuple[str, ...]
    notes: str
    files: tuple[tuple[str, str], ...]  # (relative path, Cedar text)
    parameters: dict[str, Parameter] = field(default_factory=dict)
    title_es: str = ""  # the title in Spanish, for the public pages


def available(root: Path = PROFILES) -> list[str]:
    return sorted(p.name for p in root.iterdir() if (p / "profile.toml").is_file())


def read_profile(name: str, root: Path = PROFILES) -> Profile:
    folder = root / name
    meta_path = folder / "profile.toml"
    if not meta_path.is_file():
        raise PolicyError("profile", f"unknown profile {name!r}; available: {', '.join(available(root))}")
    try:
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(str(meta_path), str(exc)) from None
    for key in ("title", "sources"):
        if not meta.get(key):
            raise PolicyError(str(meta_path), f"{key}: required")
    files = tuple((f"{name}/{p.name}", p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.cedar")))
    if not files:
        raise PolicyError(str(folder), "no .cedar files")
    params = {
        pname: Parameter(pname, tuple(spec.get("default", ())), tuple(spec.get("allowed", ())), spec.get("doc", ""))
        for pname, spec in meta.get("parameters", {}).items()
    }
    return Profile(
        name=name,
        title=meta["title"],
        in_force=meta.get("in_force", ""),
        extends=tuple(meta.get("extends", ())),
        sources=tuple(meta["sources"]),
        notes=meta.get("notes", "").strip(),
        files=files,
        parameters=params,
        title_es=meta.get("title_es", ""),
    )


def expand(names: list[str], root: Path = PROFILES) -> list[Profile]:
    """The named profiles and everything they extend, each once, bases first."""
    out: dict[str, Profile] = {}

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if name in chain:
            raise PolicyError("profile", f"extends loops: {' > '.join((*chain, name))}")
        if name in out:
            return
        profile = read_profile(name, root)
        for base in profile.extends:
            visit(base, (*chain, name))
        out[name] = profile

    for name in names:
        visit(name, ())
    return list(out.values())
