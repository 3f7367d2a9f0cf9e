"""Normalise a free-text reason into a canonical word string that keeps its way back to the input.

Evasions seen in real audit logs, and the ones a keyword filter invites, are undone here once, so
that every rule downstream matches one canonical form:

- case, accents and full-width forms (``"INMIGRACIÓN"`` -> ``"inmigracion"``);
- punctuation between words (``"ICE+ERO"`` -> ``"ice ero"``);
- letters spelled out with spaces or dots (``"I.C.E."``, ``"i c e"`` -> ``"ice"``);
- digit-for-letter swaps inside words (``"1CE"`` -> ``"ice"``, ``"imm1gration"``), but never in
  tokens that are mostly digits, so case numbers and form numbers (``"247a"``) survive.

Every word of the canonical string remembers the span of the input it came from, so that evidence
always points at the characters the person typed.
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass

# Digit and symbol swaps used to dodge keyword filters ("1CE", "h5i", "d3p0rtation").
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "!": "i", "|": "i"})
_LEET_CHARS = frozenset("0134578@$!|")
_DIGITS = frozenset("0123456789")
# Separators that may sit between spelled-out letters ("I.C.E.", "i c e", "I-C-E", "i_c_e").
_LETTER_GAP = frozenset(" .-_*/")


@dataclass(frozen=True)
class Normalized:
    """The canonical word string and, for each word, the input span it came from."""

    words: str
    starts: tuple[int, ...]  # offset in `words` where each word starts
    spans: tuple[tuple[int, int], ...]  # the input span of each word

    @property
    def tokens(self) -> list[str]:
        return self.words.split(" ") if self.words else []

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The input span covering every word that the slice ``words[start:end]`` touches."""
        first = bisect.bisect_right(self.starts, start) - 1
        last = bisect.bisect_left(self.starts, end) - 1
        return self.spans[max(first, 0)][0], self.spans[max(last, 0)][1]


def _fold(text: str) -> tuple[str, list[int]]:
    """Lower-case, strip accents and compatibility forms; map each output char to its input index."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isascii():
            folded = char.lower()
        else:
            folded = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)).casefold()
        for piece in folded:
            out.append(piece)
            origin.append(index)
    return "".join(out), origin


def _is_word_char(char: str) -> bool:
    return ("a" <= char <= "z") or char in _DIGITS or char in _LEET_CHARS


def _raw_tokens(folded: str) -> list[tuple[int, int]]:
    """Runs of word characters in the folded text, as [start, end) offsets."""
    runs: list[tuple[int, int]] = []
    start = None
    for index, char in enumerate(folded):
        if _is_word_char(char):
            if start is None:
                start = index
        elif start is not None:
            runs.append((start, index))
            start = None
    if start is not None:
        runs.append((start, len(folded)))
    # Symbols are disguised letters only inside a word ("v!sa", "@lien" is not worth the noise):
    # at the edges ("theft!", "$50") they are punctuation.
    trimmed: list[tuple[int, int]] = []
    for s, e in runs:
        while s < e and not folded[s].isalnum():
            s += 1
        while e > s and not folded[e - 1].isalnum():
            e -= 1
        if s < e:
            trimmed.append((s, e))
    return trimmed


def _unleet(token: str) -> str:
    """Undo digit-for-letter swaps in a word that is mostly letters, or short and made only of letters
    and swappable digits ("1c3"); leave codes and numbers alone ("247a", "10851vc", "c25")."""
    letters = sum(c.isalpha() for c in token)
    if not letters or not any(c in _LEET_CHARS for c in token):
        return token
    short_and_all_swappable = len(token) <= 4 and all(c.isalpha() or c in _LEET_CHARS for c in token)
    if letters <= sum(c in _DIGITS for c in token) and not short_and_all_swappable:
        return token
    return token.translate(_LEET)


def _is_spelled_letter(token: str) -> bool:
    return len(token) == 1 and (token.isalpha() or token in _LEET_CHARS)


def normalize(text: str) -> Normalized:
    """The canonical word string of `text` (see the module docstring for what is undone)."""
    folded, origin = _fold(text)
    runs = _raw_tokens(folded)
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(runs):
        start, end = runs[index]
        token = folded[start:end]
        # Spelled-out letters: two or more single letters with the same short separator between
        # them ("I.C.E.", "1 c e"; but "8 U.S.C." is a number and then letters).
        if _is_spelled_letter(token):
            last = index
            gap = folded[end : runs[index + 1][0]] if index + 1 < len(runs) else ""
            while (
                last + 1 < len(runs)
                and _is_spelled_letter(folded[runs[last + 1][0] : runs[last + 1][1]])
                and 0 < len(gap) <= 2
                and set(gap) <= _LETTER_GAP
                and folded[runs[last][1] : runs[last + 1][0]] == gap
            ):
                last += 1
            letters = "".join(folded[s:e] for s, e in runs[index : last + 1])
            # A swapped digit joins only runs of three or more ("1 c e"), not "8 u" of "8 u.s.c.".
            if last > index and (letters.isalpha() or last - index >= 2):
                if any(c.isalpha() for c in letters):
                    words.append(letters.translate(_LEET))
                    spans.append((origin[start], origin[runs[last][1] - 1] + 1))
                    index = last + 1
                    continue
        words.append(_unleet(token))
        spans.append((origin[start], origin[end - 1] + 1))
        index += 1
    starts: list[int] = []
    offset = 0
    for word in words:
        starts.append(offset)
        offset += len(word) + 1
    return Normalized(" ".join(words), tuple(starts), tuple(spans))
