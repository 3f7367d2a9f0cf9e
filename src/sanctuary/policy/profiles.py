"""Legal profiles on disk: one folder of .cedar files and a profile.toml per named profile.

A profile may extend others (chicago-2019-mayoral = chicago-2012 + the directive). Loading expands
`extends`, keeps each profile once, and checks that every policy carries `@id` (prefixed with its
profile's name), `@citation`, `@explain` and `@explain_es`: a rule that cannot be cited does not load.

Nor does a rule without provenance (`provenance`): the docs/law/ pages a profile's `sources` name
hold a "## Provenance" table with a row for each of its rules, naming the enacted text the rule
rests on (a code section or a chaptered act; where there is none, what it is instead), its kind
(`KINDS`) and the kept sources (docs/law/sources/ ids) it was read from.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sanctuary.policy.errors import PolicyError

ROOT = Path(__file__).parent
PROFILES = ROOT / "profiles"
BASELINE_PARAMETERS = ROOT / "baseline" / "parameters.toml"
# The law pages: docs/law/ of the repository (a wheel carries them at sanctuary/policy/law).
LAW_FOLDERS = (ROOT.parents[2] / "docs" / "law", ROOT / "law")
KINDS = ("enacted", "proposal", "press-reported directive", "department parameter")
_PAGE = re.compile(r"docs/law/([A-Za-z0-9._-]+\.md)")
_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|([^|]*)\|([^|]*)\|([^|]*)\|\s*$")


@dataclass(frozen=True)
class Parameter:
    name: str
    default: tuple[str, ...]
    allowed: tuple[str, ...]
    doc: str
    # `several = true`: a set (any of `allowed`, none included); otherwise the values are alternative
    # readings and exactly one is set (none, or two at once, is no reading: refused, never a default).
    several: bool = False


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


@dataclass(frozen=True)
class Provenance:
    """What one rule rests on, as its source page gives it."""

    rule: str
    rests_on: str  # the enacted text (code section or chaptered act), or what stands in for it
    kind: str  # one of KINDS
    kept: tuple[str, ...]  # docs/law/sources/ ids it was read from
    page: str  # the page that gives it


def law_page(page: str, root: Path = PROFILES) -> Path | None:
    """Where a docs/law page a profile names is: beside a profiles folder of its own (`root`'s
    docs/law or docs, as `sanctuary policy new --root --docs` writes them), else the shipped pages."""
    for folder in (root.parent / "docs" / "law", root.parent / "docs", *LAW_FOLDERS):
        if (folder / page).is_file():
            return folder / page
    return None


def provenance(profile: Profile, root: Path = PROFILES) -> dict[str, Provenance]:
    """The provenance rows of the pages `profile` names (their "## Provenance" tables). A page it
    names that is not there, or a row whose kind is not one of KINDS or that names no text, is a
    PolicyError: the profile does not load."""
    out: dict[str, Provenance] = {}
    for page in dict.fromkeys(m for source in profile.sources for m in _PAGE.findall(source)):
        path = law_page(page, root)
        if path is None:
            raise PolicyError(f"{profile.name} sources", f"docs/law/{page} is not there: its rules' provenance cannot be read")
        for row in provenance_rows(path.read_text(encoding="utf-8"), page):
            out.setdefault(row.rule, row)
    return out


def provenance_rows(text: str, page: str) -> list[Provenance]:
    """The rows of a page's "## Provenance" table: | `rule` | rests on | kind | kept sources |."""
    rows: list[Provenance] = []
    section = text.split("\n## Provenance", 1)
    if len(section) < 2:
        return rows
    for line in section[1].split("\n## ", 1)[0].splitlines():
        m = _ROW.match(line)
        if not m:
            continue
        rule, rests_on, kind, kept = (g.strip() for g in m.groups())
        where = f"docs/law/{page} provenance {rule}"
        if kind not in KINDS:
            raise PolicyError(where, f"kind {kind!r} is not one of {', '.join(KINDS)}")
        if not rests_on:
            raise PolicyError(where, "names no text the rule rests on")
        rows.append(Provenance(rule, rests_on, kind, tuple(k.strip(" `") for k in kept.split(",") if k.strip(" `—-")), page))
    return rows


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
    params = parameters(meta)
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


def parameters(meta: dict) -> dict[str, Parameter]:
    """The `[parameters.NAME]` tables of a profile.toml (or of the baseline's parameters.toml)."""
    return {
        pname: Parameter(
            pname, tuple(spec.get("default", ())), tuple(spec.get("allowed", ())), spec.get("doc", ""), spec.get("several", False) is True
        )
        for pname, spec in meta.get("parameters", {}).items()
    }


def baseline_parameters(path: Path = BASELINE_PARAMETERS) -> dict[str, Parameter]:
    """The department's own parameters (`baseline.NAME`), read by the baseline layer (baseline/baseline.cedar)."""
    try:
        return parameters(tomllib.loads(path.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(str(path), str(exc)) from None


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
