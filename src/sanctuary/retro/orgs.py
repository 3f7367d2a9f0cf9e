"""Organisation names as vendor exports print them, resolved to the registry or to a state and a level.

Exports name the searching organisation in the vendor's own style: "Polk County FL SO",
"(Federal) US Postal Inspection Service", "SC - Sumter Co Sheriff's Office", "Zachary PD (LA)".
Few of them are in the registry, so a name is resolved in two steps:

1. Registry: the name, then cleaned variants (state marker removed, SO/PD/Co spelled out, the state
   name appended the way the registry writes it), each through `Registry.resolve`. A candidate whose
   state contradicts the state written in the name is refused. For names that look federal, the
   longest run of words that names a federal registry agency wins ("DHS HSI Chicago" -> ICE-HSI).
2. Parsing: the state (prefix "SC - ", "(LA)", a capitalised postal code, or a leading state name
   before "State Patrol", "DPS", ...) and the level (federal, state, county, city, private) from the
   words the vendor uses.

A name that ends with neither a registry entry nor a state and a level (federal needs no state) is
unresolved; callers list those, they never drop them. 287(g) membership comes from the registry
flag or from ICE's list, matched on (state, the name's significant words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sanctuary.agencies import Agency, Registry
from sanctuary.agencies.g287 import Agreement, AgreementList
from sanctuary.agencies.states import NAMES

_PREFIX_STATE = re.compile(r"^\s*([A-Z]{2})\s*[-–:]\s*")
_PAREN_STATE = re.compile(r"\(\s*([A-Z]{2})\s*\)")
_FEDERAL_MARK = re.compile(r"\(\s*federal\s*\)", re.IGNORECASE)
_FEDERAL = re.compile(
    r"\(\s*federal\s*\)|\bu\.?\s?s\.?\s|united states|federal bureau|\bfbi\b|\bdea\b|\batf\b|\bhsi\b|\bcbp\b"
    r"|\busbp\b|\bero\b|\busms\b|\bncis\b|border patrol|homeland security|customs|immigration"
    r"|postal inspect|secret service|marshals? service|department of (justice|defense|veterans)|coast guard",
    re.IGNORECASE,
)
_FEDERAL_CASED = re.compile(r"\bICE\b|\bDHS\b")
_STATE_UNIT = re.compile(r"\bstate (police|patrol|troopers?|university)\b|\bstate bureau\b", re.IGNORECASE)
_STATE_AGENCY = re.compile(
    r"highway patrol|\bdps\b|public safety|bureau of investigation|law enforcement agency|attorney general"
    r"|department of (law enforcement|corrections|revenue)|dept\.? of (law enforcement|corrections)"
    r"|\bdoc\b|fusion center|game (and|&) fish|wildlife|\bstate\b",
    re.IGNORECASE,
)
_SHERIFF = re.compile(r"sheriff|\bso\b|constable", re.IGNORECASE)
_COUNTY = re.compile(r"\bcounty\b|\bparish\b|\bborough\b", re.IGNORECASE)
_CO = re.compile(r"\bco\b\.?", re.IGNORECASE)
_CITY = re.compile(r"\bpd\b|police|city of|town of|village of|township|\btwp\b|marshal|\bdps\b|public safety", re.IGNORECASE)
_PRIVATE = re.compile(
    r"\bllc\b|\binc\b|apartments?\b|\bapts\b|walmart|home depot|lowe'?s\b|\bhoa\b|homeowners|property management"
    r"|\bcondos?\b|\bmall\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z0-9&]+(?:'[A-Za-z]+)?")
_SYNONYMS = {
    "so": "sheriff",
    "sheriffs": "sheriff",
    "sheriff's": "sheriff",
    "pd": "police",
    "co": "county",
    "twp": "township",
    "st": "saint",
    "ft": "fort",
    "mt": "mount",
    "dept": "department",
}
_NOISE = {"the", "of", "and", "&", "department", "office", "city", "town", "village", "agency"}
_EXPANSIONS = ((r"\bSO\b", "Sheriff's Office"), (r"\bPD\b", "Police Department"), (r"\bCo\b\.?", "County"))
_MAX_NGRAM = 6
_SHERIFF_WORDS = ("so", "sheriff", "sheriff's", "sheriffs", "jail")


@dataclass(frozen=True)
class Org:
    """What an export's organisation name turned out to be."""

    name: str
    resolved_id: str | None
    level: str | None
    state: str | None  # two-letter code; "US" for federal registry agencies; None when unknown
    federal: bool
    immigration: bool
    dhs: bool
    has_287g: bool
    how: str  # how it was resolved: registry entry, parsed words, 287(g) list entry

    @property
    def resolved(self) -> bool:
        return bool(self.resolved_id or self.level == "federal" or (self.state and self.level))

    def out_of(self, home_state: str) -> bool:
        """A state agency of another state (federal agencies are not "out of state": they are federal)."""
        return bool(self.state and self.state not in (home_state, "US") and self.level != "federal")


@dataclass(frozen=True)
class _Parsed:
    state: str | None
    level: str | None
    cleaned: str  # state markers and "(Federal)" removed
    core: str  # cleaned, with the state word(s) removed


class OrgResolver:
    """Resolves export organisation names; one per scan, results cached per distinct name."""

    def __init__(self, registry: Registry, g287: AgreementList | None = None):
        self.registry = registry
        self._g287_index: dict[tuple[str, frozenset[str]], Agreement] = {}
        for agreement in g287.agreements if g287 else ():
            self._g287_index.setdefault(self.key(agreement.agency, agreement.state), agreement)
        self.resolve = lru_cache(maxsize=None)(self._resolve)

    def key(self, name: str, state: str | None = None) -> tuple[str, frozenset[str]]:
        """(state, significant words): "Polk County FL SO" and "Polk County Sheriff's Office", FL agree."""
        parsed = _parse(name)
        words = frozenset(w for w in (_SYNONYMS.get(t, t) for t in _words(_drop_parens(parsed.core))) if w not in _NOISE)
        return (state or parsed.state or "", words)

    def _resolve(self, name: str) -> Org:
        parsed = _parse(name)
        agency = self._registry_match(name, parsed)
        if agency is not None:
            state = agency.state or parsed.state
            g287 = self._g287_match(name, state, agency)
            return Org(
                name=name,
                resolved_id=agency.id,
                level=agency.level,
                state=state,
                federal=agency.federal or agency.level == "federal",
                immigration=agency.immigration_enforcement,
                dhs=agency.dhs,
                has_287g=agency.has_287g or g287 is not None,
                how=f"registry {agency.id} ({agency.name})" + (f"; 287(g) list: {g287.agency}, {g287.state}" if g287 else ""),
            )
        g287 = self._g287_match(name, parsed.state, None)
        how = f"parsed: level {parsed.level or '?'}, state {parsed.state or '?'}"
        return Org(
            name=name,
            resolved_id=None,
            level=parsed.level,
            state=parsed.state,
            federal=parsed.level == "federal",
            immigration=False,
            dhs=False,
            has_287g=g287 is not None,
            how=how + (f"; 287(g) list: {g287.agency}, {g287.state}" if g287 else ""),
        )

    def _registry_match(self, name: str, parsed: _Parsed) -> Agency | None:
        candidates = [name, parsed.cleaned, parsed.core]
        for base in (parsed.cleaned, parsed.core):
            expanded = base
            for pattern, full in _EXPANSIONS:
                expanded = re.sub(pattern, full, expanded)
            candidates.append(expanded)
            if parsed.state in NAMES:
                candidates.append(f"{expanded} ({NAMES[parsed.state]})")
        for candidate in candidates:
            agency = self.registry.resolve(candidate) if candidate.strip() else None
            if agency is not None and _state_agrees(agency, parsed.state):
                return agency
        if parsed.level == "federal":
            return self._federal_ngram(parsed.cleaned)
        return None

    def _federal_ngram(self, text: str) -> Agency | None:
        """The longest run of words naming a federal registry agency: "DHS HSI Chicago" -> HSI."""
        words = _words(text)
        for size in range(min(_MAX_NGRAM, len(words)), 0, -1):
            found = [
                agency
                for start in range(len(words) - size + 1)
                if (agency := self.registry.resolve(" ".join(words[start : start + size]))) is not None
                and (agency.federal or agency.level == "federal")
            ]
            if found:  # among equally long names, the most specific unit: "DHS HSI" -> HSI, not DHS
                return max(found, key=lambda a: len(a.ancestors))
        return None

    def _g287_match(self, name: str, state: str | None, agency: Agency | None) -> Agreement | None:
        if not self._g287_index or not state:
            return None
        names = [name] + ([agency.name, *agency.aliases] if agency else [])
        for candidate in names:
            hit = self._g287_index.get(self.key(candidate, state))
            if hit is not None:
                return hit
        return None


def _state_agrees(agency: Agency, state: str | None) -> bool:
    return state is None or agency.state in (state, "US", None)


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text.replace("’", "'"))]


def _drop_parens(text: str) -> str:
    """Network labels in parentheses or after a dash ("(Flex)", "- RedSpeed") are not the organisation."""
    return re.split(r"\s[-–]\s", re.sub(r"\([^)]*\)", " ", text))[0]


def _parse(name: str) -> _Parsed:
    text = name.replace("’", "'").strip()
    state, cleaned = _state_of(text)
    core = cleaned
    if state:
        core = re.sub(rf"\b{state}\b", " ", core)
        core = re.sub(rf"^\s*{re.escape(NAMES[state])}\b", " ", core, flags=re.IGNORECASE)
    core = " ".join(core.split())
    return _Parsed(state, _level(text, state), " ".join(cleaned.split()), core)


def _state_of(text: str) -> tuple[str | None, str]:
    """The state the name writes, and the name without the marker that wrote it."""
    cleaned = _FEDERAL_MARK.sub(" ", text)
    m = _PREFIX_STATE.match(cleaned)
    if m and m.group(1) in NAMES:
        return m.group(1), cleaned[m.end() :]
    m = _PAREN_STATE.search(cleaned)
    if m and m.group(1) in NAMES:
        return m.group(1), cleaned[: m.start()] + cleaned[m.end() :]
    tokens = _WORD.findall(cleaned)
    for i in range(len(tokens) - 1, -1, -1):
        token = tokens[i]
        if len(token) == 2 and token.isupper() and token in NAMES:
            following = tokens[i + 1].casefold() if i + 1 < len(tokens) else ""
            previous = tokens[i - 1].casefold() if i else ""
            if token == "CO" and following in _SHERIFF_WORDS and previous not in ("county", "parish"):
                continue  # "Sumter CO SO": Co is County here; "Polk County CO SO" is in Colorado
            if following in ("county", "co", "parish"):
                continue  # "LA County Sheriff's Department" names a county, not Louisiana
            return token, re.sub(r"\s*[-–]\s*$", "", cleaned)
    lowered = cleaned.casefold()
    for code, state_name in NAMES.items():
        full = state_name.casefold()
        if lowered.startswith(full + " ") and _STATE_AGENCY.search(cleaned[len(full) :]):
            if not re.match(r"\s+(county|co|parish)\b", lowered[len(full) :]):
                return code, cleaned
        if re.search(rf"(\bof|,)\s+{re.escape(full)}$", lowered):
            return code, cleaned
    return None, cleaned


def _level(text: str, state: str | None) -> str | None:
    if _FEDERAL.search(text) or _FEDERAL_CASED.search(text):
        return "federal"
    starts_with_state = state is not None and (text.casefold().startswith(NAMES[state].casefold()) or bool(re.match(rf"^{state}\b", text)))
    if _STATE_UNIT.search(text) or (starts_with_state and _STATE_AGENCY.search(text) and not _COUNTY.search(text)):
        return "state"
    county_word = bool(_COUNTY.search(text)) or (bool(_CO.search(text)) and state != "CO")
    if _SHERIFF.search(text):
        return "county"
    if _CITY.search(text):
        return "county" if county_word else "city"
    if _PRIVATE.search(text):
        return "private"
    if county_word:
        return "county"
    return None
