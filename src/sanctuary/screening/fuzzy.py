"""Misspellings of immigration words ("imigration", "deportaton", "undocumneted"), by edit distance.

A word is a misspelling when it is at most one edit (two for words of ten letters or more) from
a target, begins with a letter the target may begin with ("emigration" is a common slip for
"immigration"), and is not a real word known to sit that close ("departed", "irrigation").
Transpositions count as one edit (optimal string alignment distance).
"""

from __future__ import annotations

from functools import lru_cache

from sanctuary.screening.lexicon import FUZZY_NEVER, FUZZY_PHRASES, FUZZY_TARGETS

_TARGETS = tuple(FUZZY_TARGETS)
MIN_LENGTH = 6


@lru_cache(maxsize=65536)
def misspelling_of(word: str) -> tuple[str, int] | None:
    """The target that `word` misspells and the edit distance, or None."""
    if len(word) < MIN_LENGTH or word in FUZZY_NEVER or word in FUZZY_TARGETS or not word.isalpha():
        return None
    from rapidfuzz import process  # here, not at import: most reasons never get this far (CLI start-up)
    from rapidfuzz.distance import OSA

    limit = 1 if len(word) < 10 else 2
    match = process.extractOne(word, _TARGETS, scorer=OSA.distance, score_cutoff=limit)
    if match is None:
        return None
    target, distance, _ = match
    if word[0] not in FUZZY_TARGETS[target]:
        return None
    return target, int(distance)


_PHRASE_HEADS = frozenset(phrase[0] for phrase in FUZZY_PHRASES)
PHRASE_LIMIT = 2


@lru_cache(maxsize=65536)
def misspelled_phrase(first: str, second: str) -> str | None:
    """The two-word phrase that "first second" misspells (at most two edits, each word within one
    edit of its counterpart and starting with the same letter), or None for the phrase itself."""
    if first[:1] not in _PHRASE_HEADS or len(first) + len(second) < 9:
        return None
    pair = f"{first} {second}"
    if pair in FUZZY_PHRASES:
        return None
    from rapidfuzz.distance import OSA

    for phrase in FUZZY_PHRASES:
        head, tail = phrase.split(" ")
        if (
            first[0] == head[0]
            and second[:1] == tail[0]
            and OSA.distance(pair, phrase, score_cutoff=PHRASE_LIMIT) <= PHRASE_LIMIT
            and OSA.distance(first, head) <= 1
            and OSA.distance(second, tail) <= 1
        ):
            return phrase
    return None
