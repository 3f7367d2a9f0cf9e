"""Purpose screening: what a free-text reason says about why the data is wanted.

`screen(text)` returns the category (civil_immigration, criminal, vague or other), the registry ids
of the agencies the reason names, the evidence (each matched span and the rule that fired) and a
score. Three detectors feed the immigration call, each leaving evidence:

1. the curated lexicon (`lexicon.py`) on the normalised text (`normalize.py`);
2. misspellings by edit distance (`fuzzy.py`);
3. the character n-gram model (`model.py`), which alone flags a reason only when it is confident
   (`MODEL_THRESHOLD`) and the reason names no crime; its evidence is the word that carried it.

Without immigration evidence a reason that names a crime is `criminal`; one that hides its purpose
("inv", a case number alone, one character, nothing) is `vague`, scored by how little it says so
audits can rank; anything else is `other`. Results are cached: real logs repeat their reasons.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from sanctuary.agencies import Registry, load_registry
from sanctuary.screening import lexicon
from sanctuary.screening.fuzzy import misspelling_of
from sanctuary.screening.model import shipped
from sanctuary.screening.normalize import Normalized, normalize

CATEGORIES = ("civil_immigration", "criminal", "vague", "other")
MODEL_THRESHOLD = 0.9  # the model alone flags a reason only above this probability
FUZZY_WEIGHT = {1: 0.9, 2: 0.8}  # immigration likelihood of a misspelling, by edit distance
MAX_LENGTH = 2000  # longer input is screened on its first MAX_LENGTH characters (bounded cost)
CACHE_SIZE = 1 << 16


@dataclass(frozen=True)
class Evidence:
    """One matched span of the input and the rule that matched it."""

    start: int
    end: int
    text: str
    rule: str

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text, "rule": self.rule}


@dataclass(frozen=True)
class PurposeScreen:
    category: str  # one of CATEGORIES
    agencies: tuple[str, ...]  # registry ids of the immigration agencies named, most specific only
    evidence: tuple[Evidence, ...]
    score: float  # 0..1: immigration likelihood; for "vague", how little the reason says

    def to_dict(self) -> dict:
        return {
            "category": self.category,
            "agencies": list(self.agencies),
            "evidence": [e.to_dict() for e in self.evidence],
            "score": round(self.score, 4),
        }

    @property
    def immigration(self) -> bool:
        return self.category == "civil_immigration"


@dataclass(frozen=True)
class _Hit:
    evidence: Evidence
    weight: float
    agency: str | None


def _evidence(text: str, norm: Normalized, start: int, end: int, rule: str) -> Evidence:
    source_start, source_end = norm.source_span(start, end)
    return Evidence(source_start, source_end, text[source_start:source_end], rule)


def _lexicon_hits(text: str, norm: Normalized) -> list[_Hit]:
    hits: list[_Hit] = []
    for term in lexicon.TERMS:
        if term.unless is not None and term.unless.search(norm.words):
            continue
        for match in term.pattern.finditer(norm.words):
            rule = term.rule
            if rule == "form":
                rule = "form:I-" + match.group(0).removeprefix("form ")[1:].replace(" ", "").upper()
            hits.append(_Hit(_evidence(text, norm, match.start(), match.end(), rule), term.weight, term.agency))
    return hits


def _fuzzy_hits(text: str, norm: Normalized, taken: set[tuple[int, int]]) -> list[_Hit]:
    hits: list[_Hit] = []
    for word, offset in zip(norm.tokens, norm.starts, strict=True):
        found = misspelling_of(word)
        if found is None:
            continue
        evidence = _evidence(text, norm, offset, offset + len(word), f"fuzzy:{found[0]}")
        if (evidence.start, evidence.end) not in taken:
            hits.append(_Hit(evidence, FUZZY_WEIGHT[found[1]], None))
    return hits


def _most_specific(agencies: Iterable[str]) -> tuple[str, ...]:
    """Drop every agency that is an ancestor of another named one ("DHS ICE ERO" -> ICE-ERO)."""
    named = set(agencies)
    registry = _registry()
    ancestors = {parent for agency in named for parent in registry.ancestors(agency)}
    return tuple(sorted(named - ancestors))


@lru_cache(maxsize=1)
def _registry() -> Registry:
    return load_registry()


def _without_nested(evidence: list[Evidence]) -> tuple[Evidence, ...]:
    """Drop evidence whose span lies inside another's ("immigration" inside the ICE full name)."""
    ordered = sorted(set(evidence), key=lambda e: (e.start, -(e.end - e.start), e.rule))
    kept: list[Evidence] = []
    for item in ordered:
        if not any(k.start <= item.start and item.end <= k.end and k != item for k in kept):
            kept.append(item)
    return tuple(kept)


def _noisy_or(weights: Iterable[float]) -> float:
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - weight
    return 1.0 - remaining


def _vagueness(text: str, norm: Normalized) -> tuple[float, str] | None:
    """How little the reason says, and the rule, or None when it says something."""
    stripped = text.strip()
    if not norm.words:
        return (1.0, "vague:empty") if not stripped else (1.0, "vague:punctuation")
    if len(stripped) == 1 or len(norm.words) == 1:
        return 1.0, "vague:one_character"
    if lexicon.CASE_NUMBER_ONLY.fullmatch(norm.words):
        return lexicon.VAGUE_CASE_NUMBER_SCORE, "vague:case_number"
    if norm.words in lexicon.VAGUE_TERMS:
        return lexicon.VAGUE_TERMS[norm.words], "vague:term"
    with_number = lexicon.VAGUE_WITH_CASE_NUMBER.fullmatch(norm.words)
    if with_number and with_number.group("term") in lexicon.VAGUE_TERMS:
        return lexicon.VAGUE_TERMS[with_number.group("term")] - 0.05, "vague:term+case_number"
    return None


def _model_input(norm: Normalized, hits: list[_Hit]) -> str:
    """The canonical words without the masked ones the lexicon declined ("ice" in "ice age")."""
    if not lexicon.MODEL_MASK.intersection(norm.tokens):
        return norm.words
    covered = [(h.evidence.start, h.evidence.end) for h in hits]
    kept = [
        word
        for word, span in zip(norm.tokens, norm.spans, strict=True)
        if word not in lexicon.MODEL_MASK or any(s <= span[0] and span[1] <= e for s, e in covered)
    ]
    return " ".join(kept)


def _screen(text: str) -> PurposeScreen:
    norm = normalize(text)
    hits = _lexicon_hits(text, norm)
    hits += _fuzzy_hits(text, norm, {(h.evidence.start, h.evidence.end) for h in hits})
    # Only immigration agencies (and DHS) are returned: callers treat a named agency as the one the
    # request is made for, and the retro audit flags any DHS component. Other agencies stay evidence.
    agencies = _most_specific(h.agency for h in hits if h.agency and h.weight > 0)
    immigration = [h for h in hits if h.weight > 0]
    crimes = [_evidence(text, norm, m.start(), m.end(), f"criminal:{m.group(0)}") for m in lexicon.CRIMINAL.finditer(norm.words)]
    model_input = _model_input(norm, hits)
    probability = shipped().probability(model_input) if model_input else 0.0
    if not immigration and not crimes and probability >= MODEL_THRESHOLD:
        word = shipped().strongest_word(model_input)
        offset = norm.starts[norm.tokens.index(word)]
        evidence = _evidence(text, norm, offset, offset + len(word), f"model:char-ngram p={probability:.2f}")
        immigration.append(_Hit(evidence, probability, None))
    named = [h.evidence for h in hits if h.weight == 0]  # other agencies: evidence of who, not of why
    if immigration:
        score = max(_noisy_or(h.weight for h in immigration), probability)
        found = [h.evidence for h in immigration] + named + crimes
        return PurposeScreen("civil_immigration", agencies, _without_nested(found), score)
    if crimes:
        return PurposeScreen("criminal", agencies, _without_nested(crimes + named), probability)
    vague = _vagueness(text, norm)
    if vague is not None:
        vagueness, rule = vague
        span = Evidence(0, len(text), text, rule)
        return PurposeScreen("vague", agencies, (span,), vagueness)
    return PurposeScreen("other", agencies, _without_nested(named), probability)


@lru_cache(maxsize=CACHE_SIZE)
def _screen_cached(text: str) -> PurposeScreen:
    return _screen(text)


def screen(text: str | None) -> PurposeScreen:
    """Screen one reason (cached). None or blank is `vague`: a request must say why."""
    return _screen_cached(text[:MAX_LENGTH] if text is not None else "")


def screen_many(texts: Iterable[str | None]) -> list[PurposeScreen]:
    """Screen a batch, in order; each distinct reason is screened once."""
    seen: dict[str | None, PurposeScreen] = {}
    out: list[PurposeScreen] = []
    for text in texts:
        result = seen.get(text)
        if result is None:
            result = seen[text] = screen(text)
        out.append(result)
    return out


def clear_caches() -> None:
    """Empty every cache the screen keeps (benchmarks measure the uncached cost with it)."""
    from sanctuary.screening import fuzzy, model

    for cache in (_screen_cached, model._word_ngrams, fuzzy.misspelling_of):
        cache.cache_clear()
