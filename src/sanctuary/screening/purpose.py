"""Purpose screening: what a free-text reason says about why the data is wanted.

`screen(text)` returns the category, the registry ids of the immigration agencies the reason names,
the evidence (each matched span and the rule that fired), a score, the normalised text and why the
category won. The categories, in the order they win:

1. `civil_immigration`: explicit evidence of an immigration-enforcement purpose, found after
   normalisation (`normalize.py`) by the lexicon (`lexicon.py`, kind `purpose`) or as a misspelling
   of an immigration word (`fuzzy.py`): a term, a unit whose work is removal (ERO, Border Patrol),
   a form, a statute, a facility in an immigration context.
2. `criminal`: a named offence. An immigration agency named beside it is the beneficiary: "assist
   HSI fentanyl case" lists ICE-HSI in `agencies`, and the decision judges HSI as if it had asked.
3. `needs_review`: a reason with bidirectional control characters (what is shown is not what was
   typed: evidence of an evasion in itself, whatever else it says; both readings are screened, and
   an immigration purpose in either wins), immigration-adjacent and ambiguous: an immigration agency
   named with no purpose ("ICE", "per HSI request"), an adjacent word ("foreign national", "I-94
   check", "NTA" with no citation word, "absconder" with no parole or probation word), or the character
   n-gram model (`model.py`), which only ever adds this category and only looks at words the lexicon
   does not know. The gateway holds such a request for the desk; the retro audit lists it apart.
4. `criminal` again for words that say a matter is criminal without naming an offence ("felony
   warrant"), then `vague` for a reason that hides its purpose ("inv", a case number alone, one
   character, nothing; recorded and reported, never held), then `other`.

A single generic word (patrol, warrant, BOLO, traffic, narcotics, ...) is never immigration. Results
are cached: real logs repeat their reasons.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

from sanctuary.agencies import Registry, load_registry
from sanctuary.screening import lexicon
from sanctuary.screening.fuzzy import misspelled_phrase, misspelling_of
from sanctuary.screening.model import shipped
from sanctuary.screening.normalize import BIDI, MIXED_SCRIPT, WHOLE_SCRIPT, Normalized, displayed, normalize
from sanctuary.screening.normalize import folded as normalize_folded

CIVIL_IMMIGRATION = "civil_immigration"
NEEDS_REVIEW = "needs_review"
CATEGORIES = (CIVIL_IMMIGRATION, NEEDS_REVIEW, "criminal", "vague", "other")
MODEL_THRESHOLD = 0.95  # the model marks a reason for review only above this probability
FUZZY_WEIGHT = {1: 0.9, 2: 0.8}  # immigration likelihood of a misspelling, by edit distance
MAX_LENGTH = 2000  # longer input is screened on its first MAX_LENGTH characters (bounded cost)
CACHE_SIZE = 1 << 16
_ACRONYM_ICE = "agency:ICE"
_SPACED_A = re.compile(r"a\s", re.IGNORECASE)
_A_MARK = re.compile(r"a#(?![#\w])")  # "A#" with no number after it (one is `a_number`'s), folded
_NUMBER_SIGNS = ("#", "\uff03", "\ufe5f")  # and its full-width and small forms
BIDI_RULE = f"normalised:{BIDI}"
BIDI_WEIGHT = 0.5
_EVASION_RULES = frozenset({f"normalised:{MIXED_SCRIPT}", f"normalised:{WHOLE_SCRIPT}"})


@dataclass(frozen=True)
class Evidence:
    """One matched span of the input and the rule that matched it (and, from `screen_fields`, the
    field of the request the span is in)."""

    start: int
    end: int
    text: str
    rule: str
    field: str | None = None

    def to_dict(self) -> dict:
        data = {"start": self.start, "end": self.end, "text": self.text, "rule": self.rule}
        return data if self.field is None else {**data, "field": self.field}


@dataclass(frozen=True)
class PurposeScreen:
    category: str  # one of CATEGORIES
    agencies: tuple[str, ...]  # registry ids of the immigration agencies named, most specific only
    evidence: tuple[Evidence, ...]
    score: float  # 0..1: immigration likelihood; for "vague", how little the reason says
    normalized: str = ""  # the canonical words every rule matched on
    why: str = ""  # why the category won, in a sentence
    signals: tuple[Evidence, ...] = field(default=())  # what normalisation undid ("normalised:confusable", ...)

    def to_dict(self) -> dict:
        return {
            "category": self.category,
            "agencies": list(self.agencies),
            "evidence": [e.to_dict() for e in self.evidence],
            "score": round(self.score, 4),
        }

    def explain(self) -> dict:
        """`to_dict` with the normalised text, what normalisation undid, and why the category won."""
        return {**self.to_dict(), "normalized": self.normalized, "signals": [s.to_dict() for s in self.signals], "why": self.why}

    @property
    def immigration(self) -> bool:
        return self.category == CIVIL_IMMIGRATION

    @property
    def needs_review(self) -> bool:
        return self.category == NEEDS_REVIEW


@dataclass(frozen=True)
class _Hit:
    evidence: Evidence
    kind: str
    weight: float
    agency: str | None


def _evidence(text: str, norm: Normalized, start: int, end: int, rule: str, plain: bool = False) -> Evidence:
    source_start, source_end = norm.source_span(start, end, plain)
    return Evidence(source_start, source_end, text[source_start:source_end], rule)


def _form_rule(rule: str, found: str) -> str:
    if rule != "form":
        return rule
    return "form:I-" + found.removeprefix("form ").lstrip("i1").replace(" ", "").upper()


def _ice_typed_as_agency(text: str, evidence: Evidence) -> bool:
    """Beside drug words "ice" is the drug unless typed in capitals: "assist ICE narcotics" names the
    agency; "ice possession" does not; "ICE NARCOTICS", all capitals, cannot tell and is read the
    most restrictive way, as the agency."""
    typed = [c for c in evidence.text if c.isalpha()]
    return len(typed) >= 2 and all(c.isupper() for c in typed)


def _lexicon_hits(text: str, norm: Normalized) -> list[_Hit]:
    hits: list[_Hit] = []
    drugs = None
    for term in lexicon.candidate_terms(frozenset(norm.tokens) | frozenset(norm.plain_tokens)):
        source = norm.plain if term.plain else norm.words
        if term.unless is not None and term.unless.search(norm.words):
            continue
        for match in term.pattern.finditer(source):
            evidence = _evidence(text, norm, match.start(), match.end(), _form_rule(term.rule, match.group(0)), term.plain)
            if term is lexicon.A_NUMBER_WORD and _SPACED_A.match(evidence.text):
                continue  # "a number", two words: not an A-number
            if term is lexicon.A_NUMBER_MARK:
                end = _a_mark_end(text, evidence.start)
                if end is None:
                    continue  # the article "a", not "A#"
                evidence = Evidence(evidence.start, end, text[evidence.start : end], evidence.rule)
            if term.rule == _ACRONYM_ICE and match.group(0) == "ice":
                if drugs is None:
                    drugs = lexicon.DRUG_CONTEXT.search(norm.words) is not None
                if drugs and not _ice_typed_as_agency(text, evidence):
                    continue
            hits.append(_Hit(evidence, term.kind, term.weight, term.agency))
    return hits


def _a_mark_end(text: str, start: int) -> int | None:
    """Where "A#" typed at `start` ends (the "#" normalising drops, read in the text folded: look-alike,
    accented or padded with invisible characters), or None when the letter is not followed by one."""
    if not any(sign in text for sign in _NUMBER_SIGNS):
        return None
    folded, origin = normalize_folded(text)
    at = bisect_left(origin, start)
    if at >= len(origin) or origin[at] != start or not _A_MARK.match(folded, at):
        return None
    return origin[at + 1] + 1


def _fuzzy_hits(text: str, norm: Normalized, taken: set[tuple[int, int]]) -> list[_Hit]:
    hits: list[_Hit] = []
    for word, offset in zip(norm.tokens, norm.starts, strict=True):
        if word in lexicon.COMMON_WORDS:
            continue  # an ordinary word is not a misspelling
        found = misspelling_of(word)
        if found is None:
            continue
        evidence = _evidence(text, norm, offset, offset + len(word), f"fuzzy:{found[0]}")
        if (evidence.start, evidence.end) not in taken:
            kind = lexicon.ADJACENT if found[0] in lexicon.FUZZY_ADJACENT else lexicon.PURPOSE
            hits.append(_Hit(evidence, kind, FUZZY_WEIGHT[found[1]], None))
    tokens = norm.tokens
    for index in range(len(tokens) - 1):
        phrase = misspelled_phrase(tokens[index], tokens[index + 1])
        if phrase is not None:
            end = norm.starts[index + 1] + len(tokens[index + 1])
            evidence = _evidence(text, norm, norm.starts[index], end, f"fuzzy:{phrase}")
            hits.append(_Hit(evidence, lexicon.PURPOSE, FUZZY_WEIGHT[1], lexicon.FUZZY_PHRASES[phrase]))
    return hits


def _model_hit(text: str, norm: Normalized, covered: list[tuple[int, int]]) -> _Hit | None:
    """The model's call on the words nothing else knows ("imgration"), or None when it is not sure."""
    unknown = [
        (word, offset)
        for word, offset, span in zip(norm.tokens, norm.starts, norm.spans, strict=True)
        if len(word) >= 3
        and word.isalpha()
        # Only words that begin like an immigration word ("imgrtn", "alienz", "migr"): on its own the
        # model scored the town of Cicero 0.97 and the surname Romero 0.94 (the "ero" of ERO).
        and word[:3] in lexicon.KEYWORD_PREFIXES
        and word not in lexicon.COMMON_WORDS
        and not lexicon.is_keyword(word)  # the lexicon has judged these ("ice" in "black ice")
        and not any(s <= span[0] and span[1] <= e for s, e in covered)
    ]
    if not unknown:
        return None
    words = " ".join(word for word, _ in unknown)
    probability = shipped().probability(words)
    if probability < MODEL_THRESHOLD:
        return None
    strongest = shipped().strongest_word(words)
    offset = next(offset for word, offset in unknown if word == strongest)
    evidence = _evidence(text, norm, offset, offset + len(strongest), f"model:char-ngram p={probability:.2f}")
    return _Hit(evidence, lexicon.ADJACENT, probability, None)


def _most_specific(agencies: Iterable[str]) -> tuple[str, ...]:
    """Drop every agency that is an ancestor of another named one ("DHS ICE ERO" -> ICE-ERO)."""
    named = set(agencies)
    if not named:
        return ()
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
    if len(stripped.casefold()) == 1 or len(norm.words) == 1:  # casefold: "ß" and "SS" alike
        return 1.0, "vague:one_character"
    if lexicon.CASE_NUMBER_ONLY.fullmatch(norm.plain):
        return lexicon.VAGUE_CASE_NUMBER_SCORE, "vague:case_number"
    if norm.words in lexicon.VAGUE_TERMS:
        return lexicon.VAGUE_TERMS[norm.words], "vague:term"
    with_number = lexicon.VAGUE_WITH_CASE_NUMBER.fullmatch(norm.plain)
    if with_number and with_number.group("term") in lexicon.VAGUE_TERMS:
        return lexicon.VAGUE_TERMS[with_number.group("term")] - 0.05, "vague:term+case_number"
    return None


def _rules(hits: Iterable[_Hit]) -> str:
    return ", ".join(sorted({f"{h.evidence.text!r} ({h.evidence.rule})" for h in hits}))


def _screen(text: str) -> PurposeScreen:
    """The screen of `text`; with bidirectional controls, of the text as typed and as shown, held
    for review unless either reading states an immigration purpose."""
    typed = _read(text)
    controls = tuple(s for s in typed.signals if s.rule == BIDI_RULE)
    if not controls:
        return typed
    order = displayed(text)
    shown = _moved(_read("".join(text[i] for i in order)), text, order)
    readings = (typed, shown)
    for reading in readings:
        if reading.immigration:
            return replace(reading, evidence=controls + reading.evidence)
    evidence = controls + _without_nested([e for r in readings if r.needs_review for e in r.evidence])
    why = (
        "bidirectional control characters: what is shown is not what was typed, evidence of an evasion; held for review"
        + "".join(f" ({r.why})" for r in readings if r.category == NEEDS_REVIEW)[:1000]
    )
    agencies = _most_specific({*typed.agencies, *shown.agencies})
    score = max(BIDI_WEIGHT, typed.score if typed.needs_review else 0.0, shown.score if shown.needs_review else 0.0)
    return PurposeScreen(NEEDS_REVIEW, agencies, evidence, score, typed.normalized, why, typed.signals)


def _moved(result: PurposeScreen, text: str, order: list[int]) -> PurposeScreen:
    """A screen of the text as shown (`order`: each shown character's index in `text`), its
    evidence pointing at what was typed."""

    def back(item: Evidence) -> Evidence:
        typed = order[item.start : item.end] or [0]
        start, end = min(typed), max(typed) + 1
        return Evidence(start, end, text[start:end], item.rule, item.field)

    return replace(result, evidence=tuple(map(back, result.evidence)), signals=tuple(map(back, result.signals)))


def _read(text: str) -> PurposeScreen:
    """The screen of one reading of a text (see the module docstring for which category wins)."""
    norm = normalize(text)
    signals = tuple(Evidence(s.start, s.end, text[s.start : s.end], f"normalised:{s.kind}") for s in norm.signals)
    hits = _lexicon_hits(text, norm)
    hits += _fuzzy_hits(text, norm, {(h.evidence.start, h.evidence.end) for h in hits})
    # Only immigration agencies (and DHS) are returned: callers treat a named agency as one the
    # request is made for, and the retro audit flags any DHS component. Other agencies stay evidence.
    named = [h for h in hits if h.kind == lexicon.AGENCY]
    agencies = _most_specific(h.agency for h in hits if h.agency and h.weight > 0)  # units (ERO) name theirs too
    # A stem inside an agency's name is the name, not a purpose ("Immigration" in "Immigration and
    # Customs Enforcement", "Citizenship and Immigration Services").
    purpose = [
        h
        for h in hits
        if h.kind == lexicon.PURPOSE
        and not any(
            a.evidence.start <= h.evidence.start
            and h.evidence.end <= a.evidence.end
            and a.evidence.end - a.evidence.start > h.evidence.end - h.evidence.start
            for a in named
        )
    ]
    others = [h.evidence for h in named]

    # A word that mixes scripts, or is written wholly in look-alikes, is evidence of an evasion
    # whatever the category: it goes into `evidence` too.
    evasions = tuple(s for s in signals if s.rule in _EVASION_RULES)

    def done(category: str, evidence: tuple[Evidence, ...], score: float, why: str) -> PurposeScreen:
        return PurposeScreen(category, agencies, evidence + evasions, score, norm.words, why, signals)

    if purpose:
        found = [h.evidence for h in purpose] + others + [h.evidence for h in hits if h.kind == lexicon.ADJACENT]
        why = f"explicit evidence of an immigration-enforcement purpose: {_rules(purpose)}"
        return done(CIVIL_IMMIGRATION, _without_nested(found), _noisy_or(h.weight for h in purpose), why)
    offences = [_evidence(text, norm, m.start(), m.end(), f"criminal:{m.group(0)}") for m in lexicon.OFFENCES.finditer(norm.words)]
    served = f"; {', '.join(agencies)} named as the agency it serves, judged as if it had asked" if agencies else ""
    if offences:
        why = f"names an offence ({', '.join(sorted({e.text for e in offences}))}) and no immigration purpose{served}"
        return done("criminal", _without_nested(offences + others), 0.0, why)
    adjacent = [h for h in hits if h.kind == lexicon.ADJACENT]
    if adjacent and not agencies and lexicon.SERVICE.search(norm.words):
        others += [h.evidence for h in adjacent]  # kept as evidence, not as a reason to hold
        adjacent = []  # "migrant shelter welfare check": a welfare check, at a shelter
    elif not adjacent and not agencies:
        model = _model_hit(text, norm, [(h.evidence.start, h.evidence.end) for h in hits])
        if model is not None:
            adjacent.append(model)
    immigration_named = [h for h in named if h.weight > 0]
    if adjacent or immigration_named:
        review = adjacent + immigration_named
        why = f"immigration-adjacent with no stated purpose and no offence: {_rules(review)}; held for review"
        found = [h.evidence for h in review] + others
        return done(NEEDS_REVIEW, _without_nested(found), max(h.weight for h in review), why)
    crimes = [_evidence(text, norm, m.start(), m.end(), f"criminal:{m.group(0)}") for m in lexicon.CRIMINAL.finditer(norm.words)]
    if crimes:
        why = f"says the matter is criminal ({', '.join(sorted({e.text for e in crimes}))}) without naming an offence"
        return done("criminal", _without_nested(crimes + others), 0.0, why)
    vague = _vagueness(text, norm)
    if vague is not None:
        vagueness, rule = vague
        why = "hides its purpose: recorded and reported, not held"
        return done("vague", (Evidence(0, len(text), text, rule),), vagueness, why)
    why = "no immigration evidence, no offence, and it says something"
    return done("other", _without_nested(others), 0.0, why)


@lru_cache(maxsize=CACHE_SIZE)
def _screen_cached(text: str) -> PurposeScreen:
    return _screen(text)


def screen(text: str | None) -> PurposeScreen:
    """Screen one reason (cached). None or blank is `vague`: a request must say why."""
    return _screen_cached(text[:MAX_LENGTH] if text is not None else "")


FIELD_SEPARATOR = " ; "  # breaks spelled-out letters and cut words: no field joins its neighbour


def screen_fields(fields: Mapping[str, str | None]) -> PurposeScreen:
    """Screen every text field of a request as one reason (purpose text, case number, officer, ...):
    an immigration purpose, an agency or an offence in any field counts, and the fields are judged
    together ("fentanyl case" beside "HSI" is HSI's criminal case). Each piece of evidence names its
    field, and its span is within that field's text. Each field is read whole, not cut at MAX_LENGTH:
    the contract bounds every field (a document's text at 100,000 characters), and words padded past
    a cut would not be read."""
    present = tuple((name, text) for name, text in fields.items() if text is not None and text.strip())
    return _fields_cached(present) if present else screen(None)


@lru_cache(maxsize=CACHE_SIZE)
def _fields_cached(present: tuple[tuple[str, str], ...]) -> PurposeScreen:
    """The screen of the fields joined (cached per text, like `screen`), its evidence located in
    the fields: cached too, since the same fields always give the same answer."""
    joined = FIELD_SEPARATOR.join(text for _, text in present)
    starts = []
    offset = 0
    for _, text in present:
        starts.append(offset)
        offset += len(text) + len(FIELD_SEPARATOR)
    result = _screen_cached(joined)

    def locate(item: Evidence) -> Evidence:
        index = max(i for i, start in enumerate(starts) if start <= item.start)
        name, text = present[index]
        start = min(max(item.start - starts[index], 0), len(text))
        end = max(min(item.end - starts[index], len(text)), start)
        return Evidence(start, end, text[start:end], item.rule, name)

    return replace(result, evidence=tuple(map(locate, result.evidence)), signals=tuple(map(locate, result.signals)))


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
    from sanctuary.screening import normalize as normalize_module

    for cache in (
        _screen_cached,
        _fields_cached,
        model._word_ngrams,
        fuzzy.misspelling_of,
        fuzzy.misspelled_phrase,
        normalize_module.canonical,
        normalize_module._split_acronym,
        normalize_module._run_together,
        normalize_module._fold_char,
    ):
        cache.cache_clear()
