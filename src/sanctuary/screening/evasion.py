"""Deliberate evasions of a keyword screen, generated from a phrase: the evasion suite's transforms.

Each transform rewrites a whole phrase the way someone dodging a block list would: look-alike letters
from other scripts, invisible characters inside words, digits for letters, letters spelled out with
spaces or dots, accents, and case. They are deterministic (no randomness), so the suite is the same
on every run. The tests (`tests/test_screening_evasion.py`) and `bench/screening.py` apply every
transform to every immigration phrase of the frozen test split and count how many the screen still
calls `civil_immigration`.
"""

from __future__ import annotations

from collections.abc import Callable

# Latin letter -> a Cyrillic or Greek letter drawn the same (Unicode confusables.txt pairs).
HOMOGLYPHS: dict[str, str] = {
    "a": "\u0430",  # CYRILLIC SMALL LETTER A
    "c": "\u0441",  # CYRILLIC SMALL LETTER ES
    "e": "\u0435",  # CYRILLIC SMALL LETTER IE
    "i": "\u0456",  # CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I
    "j": "\u0458",  # CYRILLIC SMALL LETTER JE
    "o": "\u043e",  # CYRILLIC SMALL LETTER O
    "p": "\u0440",  # CYRILLIC SMALL LETTER ER
    "s": "\u0455",  # CYRILLIC SMALL LETTER DZE
    "x": "\u0445",  # CYRILLIC SMALL LETTER HA
    "y": "\u0443",  # CYRILLIC SMALL LETTER U
    "A": "\u0410",
    "B": "\u0412",
    "C": "\u0421",
    "E": "\u0415",
    "H": "\u041d",
    "I": "\u0406",
    "K": "\u041a",
    "M": "\u041c",
    "N": "\u039d",  # GREEK CAPITAL LETTER NU
    "O": "\u041e",
    "P": "\u0420",
    "T": "\u0422",
    "X": "\u0425",
    "Y": "\u04ae",  # CYRILLIC CAPITAL LETTER STRAIGHT U
}
INVISIBLE = ("\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\u200e", "\ufeff")  # soft hyphen, ZWSP, ZWNJ, ZWJ, WJ, LRM, BOM
DIGITS = {"o": "0", "i": "1", "e": "3", "a": "4", "s": "5", "t": "7", "O": "0", "I": "1", "E": "3", "A": "4", "S": "5", "T": "7"}
ACCENTS = {
    "a": "\u00e1",
    "e": "\u00e9",
    "i": "\u00ed",
    "o": "\u00f6",
    "u": "\u00fc",
    "E": "\u00c9",
    "I": "\u00cd",
    "O": "\u00d3",
    "A": "\u00c0",
}


def _words(phrase: str, rewrite: Callable[[str], str]) -> str:
    return " ".join(rewrite(word) for word in phrase.split(" "))


def homoglyph_one(phrase: str) -> str:
    """The first replaceable letter of every word of three or more characters from another script."""

    def one(word: str) -> str:
        if len(word) < 3:
            return word
        for index, char in enumerate(word):
            if char in HOMOGLYPHS:
                return word[:index] + HOMOGLYPHS[char] + word[index + 1 :]
        return word

    return _words(phrase, one)


def homoglyph_all(phrase: str) -> str:
    """Every letter that has a look-alike in Cyrillic or Greek ("ICE" -> "\u0406\u0421\u0415")."""
    return "".join(HOMOGLYPHS.get(char, char) for char in phrase)


def invisible(phrase: str) -> str:
    """An invisible format character after the second letter of every word (a different one each word)."""
    words = phrase.split(" ")
    return " ".join(w[:2] + INVISIBLE[i % len(INVISIBLE)] + w[2:] if len(w) > 2 else w for i, w in enumerate(words))


def soft_hyphens(phrase: str) -> str:
    """A soft hyphen between every two letters ("re\u00admo\u00adval")."""
    return _words(phrase, lambda w: "\u00ad".join(w))


def digits(phrase: str) -> str:
    """Digits for letters in every word ("remova1" style: o->0, i->1, e->3, a->4, s->5, t->7)."""
    return "".join(DIGITS.get(char, char) for char in phrase)


def digit_one(phrase: str) -> str:
    """One digit for a letter, the last swappable one, in every word of three or more letters."""

    def one(word: str) -> str:
        if len(word) < 3:
            return word
        for index in range(len(word) - 1, -1, -1):
            if word[index] in DIGITS:
                return word[:index] + DIGITS[word[index]] + word[index + 1 :]
        return word

    return _words(phrase, one)


def spaced(phrase: str) -> str:
    """Every word spelled out with spaces, words two spaces apart ("I C E  d e t a i n e r")."""
    return "  ".join(" ".join(word) for word in phrase.split(" "))


def dotted(phrase: str) -> str:
    """Every word spelled out with dots ("I.C.E. d.e.t.a.i.n.e.r.")."""
    return " ".join(".".join(word) + "." if word.isalpha() else word for word in phrase.split(" "))


def accents(phrase: str) -> str:
    """Accents on every vowel ("d\u00e9p\u00f6rt\u00e1t\u00ed\u00f6n")."""
    return "".join(ACCENTS.get(char, char) for char in phrase)


def combining(phrase: str) -> str:
    """A combining accent after every vowel (decomposed form, "de\u0301po\u0301rt")."""
    return "".join(char + "\u0301" if char in "aeiouAEIOU" else char for char in phrase)


def upper(phrase: str) -> str:
    return phrase.upper()


def alternating(phrase: str) -> str:
    """aLtErNaTiNg case."""
    return "".join(char.upper() if index % 2 else char.lower() for index, char in enumerate(phrase))


def fullwidth(phrase: str) -> str:
    """Full-width forms ("\uff29\uff23\uff25"), undone by NFKC."""
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in phrase)


TRANSFORMS: dict[str, Callable[[str], str]] = {
    "homoglyph_one": homoglyph_one,
    "homoglyph_all": homoglyph_all,
    "invisible": invisible,
    "soft_hyphens": soft_hyphens,
    "digits": digits,
    "digit_one": digit_one,
    "spaced": spaced,
    "dotted": dotted,
    "accents": accents,
    "combining": combining,
    "upper": upper,
    "alternating": alternating,
    "fullwidth": fullwidth,
}
# The families the issue names, and which transforms make each.
FAMILIES: dict[str, tuple[str, ...]] = {
    "look-alike letters": ("homoglyph_one", "homoglyph_all", "fullwidth"),
    "invisible characters": ("invisible", "soft_hyphens"),
    "digit swaps": ("digits", "digit_one"),
    "spaced letters": ("spaced", "dotted"),
    "accents": ("accents", "combining"),
    "case": ("upper", "alternating"),
}


def variants(phrase: str) -> list[tuple[str, str]]:
    """(transform name, rewritten phrase) for every transform that changes the phrase."""
    out = []
    for name, transform in TRANSFORMS.items():
        rewritten = transform(phrase)
        if rewritten != phrase:
            out.append((name, rewritten))
    return out
