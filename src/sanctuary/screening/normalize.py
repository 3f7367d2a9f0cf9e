"""Normalise a free-text reason into canonical words that keep their way back to the input.

Evasions of a keyword filter are undone here once, so that every rule downstream matches one
canonical form. In order (docs/screening.md shows each step with an example):

1. invisible format characters are removed: soft hyphen, zero-width space/joiners, word joiner,
   variation selectors ("re\\u00admoval" -> "removal"); bidirectional controls too, reported apart
   (`bidi`): they make what is shown differ from what was typed, and `displayed` gives the order a
   reader sees ("\\u202elavomer" shows "removal");
2. Unicode NFKC, then accents are dropped ("\\uff29\\uff23\\uff25" -> "ICE", "d\\u00e9portation" -> "deportation");
3. letters of other scripts drawn like Latin ones become their Latin prototype, from Unicode's
   confusables data (TR39 skeletons, via `confusable_homoglyphs`): "\\u0406\\u0421\\u0415" -> "ice",
   "rem\\u043eval" -> "removal", Greek "rem\\u03bf\\u03bd\\u03b1l" -> "removal"; a word mixing scripts,
   or written wholly in look-alikes, is reported;
4. case is folded (the case the word was typed in is kept: "ICE" the agency vs "ice" the drug);
5. letters spelled out with spaces, dots or dashes are joined ("I.C.E.", "i c e" -> "ice"), a letter
   padded before them left out ("w/ e.r.o." -> "w ero");
6. a word cut by a space or punctuation is joined when the pieces make an immigration word
   ("imm-igration", "de portation" -> "deportation"), and agency acronyms run together with a
   word are split ("assistICE" -> "assist ice", "locateforice" -> "locate for ice"), as are two words
   with a bar or bang between them when one is an immigration word ("theft|ICE" -> "theft ice"),
   words run together in CamelCase when one is an immigration word ("LocateForIce" -> "locate for
   ice"), and an immigration word run together with others ("civilimmigrationenforcement" -> "civil
   immigration enforcement", "removalproceedings" -> "removal proceedings");
7. digit and symbol swaps are undone in words that are mostly letters or that become an
   immigration word ("remova1" -> "removal", "d3p0r74710n" -> "deportation"), and the l/I and
   rn/m look-alikes are undone when that makes an immigration word ("l.c.e." -> "ice").

Two strings come out with the same words: `words`, the canonical form above, and `plain`, the same
words without step 7, for codes where a digit is a digit (form I-247A, 8 U.S.C. 1326, case numbers).
Every word remembers the span of the input it came from, so evidence points at what was typed.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from sanctuary.screening.lexicon import (
    CONCAT_ACRONYMS,
    CONCAT_PARTNERS,
    KEYWORD_PREFIXES,
    RUN_TOGETHER_STEMS,
    RUN_TOGETHER_WORDS,
    is_keyword,
    is_trigger,
    known_word,
)

# Digit and symbol swaps used to dodge keyword filters ("1CE", "h5i", "d3p0rtation").
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "!": "i", "|": "i"})
_LEET_L = str.maketrans({"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s", "!": "i", "|": "l"})
_LEET_CHARS = frozenset("0134578@$!|")
_DIGITS = frozenset("0123456789")
_PIPES = frozenset("|!")  # swap symbols that are also separators


@lru_cache(maxsize=1024)
def _letter_gap(gap: str) -> bool:
    """A separator that may sit between spelled-out letters: one to three spaces, punctuation marks
    or symbols ("I.C.E.", "i c e", "I-C-E", "e,r,o", "i · c · e"), the same between every two."""
    return 0 < len(gap) <= 3 and all(c == " " or unicodedata.category(c)[0] in "PS" for c in gap)


# Gaps that may cut a word in two ("imm-igration", "de portation", "re.moval").
_WORD_GAP = frozenset(" .-_*/'")
# A run of letters and digits with swap symbols inside it but not at its edges ("v!sa", not "theft!").
_WORD_RUN = re.compile(r"[a-z0-9](?:[a-z0-9@$!|]*[a-z0-9])?")
# Default-ignorable code points that are not format characters (Cf) but draw nothing.
_IGNORABLE = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x3164, 0xFFA0]
    + list(range(0xFE00, 0xFE10))
    + list(range(0xE0100, 0xE01F0))
)
# Bidirectional controls (Unicode's Bidi_Control property): marks, embeddings, overrides, isolates.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_OVERRIDE_RTL = "\u202e"
MAX_BIDI_DEPTH = 125  # the Unicode bidirectional algorithm's deepest embedding
_OPENERS = frozenset("\u202a\u202b\u202d\u202e\u2066\u2067\u2068")
_CLOSERS = frozenset("\u202c\u2069")
MAX_RUN_TOGETHER = 64  # longer words are not taken apart (the search for known words is quadratic)
# CamelCase pieces: capitals then a lower-case word, a capital word, or digits ("LocateForICE").
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_LATIN = "LATIN"
_NEUTRAL_SCRIPTS = frozenset({"COMMON", "INHERITED", "Unknown"})

# What a step undid, reported as evidence (rule "normalised:<kind>").
INVISIBLE = "invisible"
BIDI = "bidi"
CONFUSABLE = "confusable"
MIXED_SCRIPT = "mixed_script"
WHOLE_SCRIPT = "whole_script_confusable"
SPELLED = "spelled_out"
JOINED = "joined"
SPLIT = "split"
CAMEL = "camel_case"
RUN_TOGETHER = "run_together"
SWAPPED = "swapped"


@dataclass(frozen=True)
class Signal:
    """One thing normalisation undid, with the input span it was found in."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class Normalized:
    """The canonical words, the same words without swaps undone, and each word's input span."""

    words: str
    plain: str
    starts: tuple[int, ...]  # offset in `words` where each word starts
    plain_starts: tuple[int, ...]  # offset in `plain` where each word starts
    spans: tuple[tuple[int, int], ...]  # the input span of each word
    signals: tuple[Signal, ...] = ()

    @property
    def tokens(self) -> list[str]:
        return self.words.split(" ") if self.words else []

    @property
    def plain_tokens(self) -> list[str]:
        return self.plain.split(" ") if self.plain else []

    def source_span(self, start: int, end: int, plain: bool = False) -> tuple[int, int]:
        """The input span covering every word that the slice ``words[start:end]`` (or of `plain`) touches."""
        starts = self.plain_starts if plain else self.starts
        first = bisect.bisect_right(starts, start) - 1
        last = bisect.bisect_left(starts, end) - 1
        return self.spans[max(first, 0)][0], self.spans[max(last, 0)][1]


@lru_cache(maxsize=1)
def _confusables() -> dict:
    from confusable_homoglyphs.confusables import confusables_data

    return confusables_data


def _ascii_prototypes(char: str) -> list[str]:
    entries = _confusables().get(char, ())
    return [e["c"] for e in entries if len(e["c"]) == 1 and e["c"].isascii() and e["c"].isalnum()]


def _prototype(char: str) -> str | None:
    """The ASCII letter or digit Unicode's confusables data says `char` is drawn like, if any.

    The form as typed is asked first: a look-alike is drawn in one case, and the two cases of a Greek
    or Cyrillic letter may look like different Latin letters (Greek "\u03bd" is drawn like "v", its
    capital like "N"; "\u03c5" like "u", its capital like "Y"). TR39 maps every capital-I shape to
    "l"; the other case then tells I from l (Cyrillic "\u0406" -> "\u0456" -> "i")."""
    found: list[str] = []
    for form in dict.fromkeys((char, char.lower(), char.upper())):
        if len(form) != 1:
            continue
        candidates = _ascii_prototypes(form)
        letters = [c for c in candidates if c.isalpha() and c.lower() != "l"]
        if letters:
            return letters[0].lower()
        found.extend(candidates)
    if any(c.lower() == "l" for c in found):
        return "l"
    return found[0].lower() if found else None


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> tuple[str, str | None, str]:
    """(folded text, what was undone or None, the character's script) for one non-ASCII character."""
    from confusable_homoglyphs.categories import alias

    script = alias(char)
    if char in BIDI_CONTROLS:
        return "", BIDI, script
    if unicodedata.category(char) == "Cf" or ord(char) in _IGNORABLE:
        return "", INVISIBLE, script
    out: list[str] = []
    undone = None
    for piece in unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", char)):
        if unicodedata.combining(piece):
            continue
        if piece.isascii():
            out.append(piece.lower())
            continue
        proto = _prototype(piece)
        if proto is not None:
            out.append(proto)
            undone = CONFUSABLE
        else:
            out.append(piece.casefold())
    return "".join(out), undone, script


def _fold(text: str) -> tuple[str, list[int], list[Signal], list[str | None]]:
    """Lower-case, drop invisible characters and accents, map look-alikes; each output char's input
    index, the signals, and the script of each input character (None for ASCII input)."""
    if text.isascii():
        return text.lower(), list(range(len(text))), [], []
    out: list[str] = []
    origin: list[int] = []
    signals: list[Signal] = []
    scripts: list[str | None] = []
    for index, char in enumerate(text):
        if char.isascii():
            out.append(char.lower())
            origin.append(index)
            scripts.append(_LATIN if char.isalpha() else None)
            continue
        folded, undone, script = _fold_char(char)
        scripts.append(script if char.isalpha() else None)
        if undone is not None:
            signals.append(Signal(undone, index, index + 1))
        for piece in folded:
            out.append(piece)
            origin.append(index)
    return "".join(out), origin, signals, scripts


def folded(text: str) -> tuple[str, list[int]]:
    """The text folded character by character (lower case, invisible characters and accents dropped,
    look-alikes mapped, NFKC: "\u0410\u00ad\uff03" is "a#"), with each folded character's index in
    `text`; punctuation kept. For the rules that read a mark normalising drops ("A#")."""
    out, origin, _, _ = _fold(text)
    return out, origin


def _runs(folded: str) -> list[tuple[int, int]]:
    """Runs of word characters, trimmed of symbols at their edges ("theft!", "$50"). A "|" or "!"
    that stands for a letter stays in its word ("v!sa", "|ce"), one that separates two words does
    not ("theft|ice", an exported log's column separator): see `_swap_symbols`."""
    runs: list[tuple[int, int]] = []
    for match in _WORD_RUN.finditer(folded):
        start, end = match.span()
        if start > 0 and folded[start - 1] in _PIPES and (start == 1 or not folded[start - 2].isalnum()):
            if is_keyword(("i" + folded[start:end]).translate(_LEET)):  # "|ce": the bar is the I of ICE
                start -= 1
        runs.extend(_swap_symbols(folded, start, end))
    return runs


def _swap_symbols(folded: str, start: int, end: int) -> list[tuple[int, int]]:
    """The run folded[start:end] split at each "|" or "!" inside it when a piece is an immigration
    word and the whole is not ("reason|ice" is "reason" and "ice"; "v!sa" stays one word)."""
    token = folded[start:end]
    if ("|" not in token and "!" not in token) or is_keyword(token.translate(_LEET)):
        return [(start, end)]
    pieces = [(m.start() + start, m.end() + start) for m in re.finditer(r"[^|!]+", token)]
    if any(is_keyword(folded[a:b].translate(_LEET)) for a, b in pieces if b - a >= 2):
        return pieces
    return [(start, end)]


@lru_cache(maxsize=65536)
def canonical(token: str) -> str:
    """Undo digit/symbol swaps and the l/I, rn/m look-alikes in one word when that is safe: the word
    is mostly letters, or the result is an immigration word. Codes ("247a", "10851vc") are kept."""
    letters = sum(c.isalpha() for c in token)
    if not letters:
        return token
    word = token
    if any(c in _LEET_CHARS for c in token):
        swapped = token.translate(_LEET)
        with_l = token.translate(_LEET_L)  # "1" and "|" may stand for "l" too ("remova1")
        short = len(token) <= 4 and all(c.isalpha() or c in _LEET_CHARS for c in token)
        if is_keyword(swapped):
            word = swapped
        elif is_keyword(with_l):
            word = with_l
        elif short or letters > sum(c in _DIGITS for c in token) or (letters >= 3 and all(c.isalpha() or c in _LEET_CHARS for c in token)):
            word = swapped  # mostly letters, or letters and only swappable digits ("pr0c3551ng")
    if not is_keyword(word) and ("l" in word or "rn" in word or "vv" in word):
        for repaired in (
            word.replace("l", "i"),
            word.replace("rn", "m"),
            word.replace("vv", "w"),
            word.replace("l", "i").replace("rn", "m"),
        ):
            if repaired != word and is_keyword(repaired):
                return repaired
    return word


def _is_spelled_letter(token: str) -> bool:
    return len(token) == 1 and (token.isalnum() or token in _LEET_CHARS)


@lru_cache(maxsize=65536)
def _split_acronym(token: str) -> tuple[str, ...] | None:
    """An agency acronym run together with a word or two ("assistice", "iceero", "locateforice"),
    or None. The words are CONCAT_PARTNERS only: "notice", "justice", "office" stay whole."""
    if len(token) < 5 or is_keyword(token):
        return None
    for acronym in CONCAT_ACRONYMS:
        if token.endswith(acronym) and (head := _partners(token[: -len(acronym)])):
            return (*head, acronym)
        if token.startswith(acronym) and (tail := _partners(token[len(acronym) :])):
            return (acronym, *tail)
    return None


def _partners(text: str, most: int = 3) -> tuple[str, ...] | None:
    """`text` as one to `most` CONCAT_PARTNERS run together ("locatefor" -> "locate", "for"), or None."""
    if text in CONCAT_PARTNERS:
        return (text,)
    if most > 1:
        for cut in range(2, len(text) - 1):
            if text[:cut] in CONCAT_PARTNERS and (rest := _partners(text[cut:], most - 1)):
                return (text[:cut], *rest)
    return None


@lru_cache(maxsize=65536)
def _known_words(text: str, most: int = 6) -> tuple[str, ...] | None:
    """`text` as the fewest words the screen knows, run together, at most `most` of them, each of
    two letters or more and none an agency acronym ("finalorderof" -> "final", "order", "of";
    "enteredwithoutinspection"), or None. Acronyms inside a word are left to `_split_acronym`,
    which splits them off only beside a few words ("notice" is not "not" and "ice")."""
    best: list[tuple[str, ...] | None] = [()] + [None] * len(text)
    for end in range(2, len(text) + 1):
        options = [
            (*found, text[start:end])
            for start in range(end - 1)
            if (found := best[start]) is not None
            and len(found) < most
            and end - start >= 2
            and text[start:end] not in CONCAT_ACRONYMS
            and known_word(text[start:end])
        ]
        best[end] = min(options, key=len, default=None)
    return best[len(text)] or None


@lru_cache(maxsize=65536)
def _run_together(token: str) -> tuple[str, ...] | None:
    """An immigration word run together with other words ("civilimmigrationenforcement" -> "civil",
    "immigration", "enforcement"; "removalproceedings"), or words the screen knows run together, one
    a word some term starts from ("tpsverification"; "research" stays whole), or None. Only long stems are looked for
    inside a word (RUN_TOGETHER_STEMS: never "ice" or "ero", which end "notice" and "hero"), a word
    after the stem is split off only when it is a word the screen knows (so "deportes" stays
    whole), and every piece is at least two letters."""
    if not 8 <= len(token) <= MAX_RUN_TOGETHER or not token.isalpha():
        return None
    found = [(token.find(stem), stem) for stem in RUN_TOGETHER_STEMS if stem in token]
    if not found:  # words the screen knows run together, one of them a word a term starts from
        words = _known_words(token)
        return words if words is not None and len(words) > 1 and any(map(is_trigger, words)) else None
    at, stem = min(found)
    if at == 1:
        return None
    head = _known_words(token[:at]) or ((token[:at],) if at else ())
    # the immigration word: its longest known form, else the stem to the end of the token
    rest = token[at:]
    word = max((w for w in RUN_TOGETHER_WORDS if rest.startswith(w) and w.startswith(stem)), key=len, default=rest)
    tail = rest[len(word) :]
    if tail and (len(tail) < 2 or not (known_word(tail) or _run_together(tail))):
        word, tail = rest, ""
    pieces = head + (word,) + ((_run_together(tail) or (tail,)) if tail else ())
    return pieces if len(pieces) > 1 else None


def normalize(text: str) -> Normalized:
    """The canonical words of `text` (see the module docstring for what is undone)."""
    folded, origin, signals, scripts = _fold(text)
    runs = _runs(folded)
    pieces: list[tuple[str, int, int]] = []  # (folded token, start, end) in `folded`
    index = 0
    while index < len(runs):
        start, end = runs[index]
        token = folded[start:end]
        # Spelled-out letters: two or more single letters with the same short separator between
        # them ("I.C.E.", "1 c e"; but "8 U.S.C." is a number and then letters).
        if _is_spelled_letter(token):
            last = _spelled_run(folded, runs, index)
            # The last letter may open a run with another separator: it goes to the run whose
            # separator binds tighter (`_binding`), or if neither does to the longer, so that
            # padding cannot take it: "w/ e.r.o." is "w ero", "x y z i-c-e" is "xyz ice",
            # "u.s. i.c.e." is "us ice" (not "we ro", "xyzi ce").
            after = _spelled_run(folded, runs, last) if last > index else last
            if after > last:
                mine, theirs = _binding(folded, runs, index), _binding(folded, runs, last)
                if theirs > mine or (theirs == mine and after - last >= last - index):
                    last -= 1
            letters = "".join(folded[s:e] for s, e in runs[index : last + 1])
            # A digit joins only runs of three or more ("1 c e", "2 4 7 a"), not "8 u" of "8 u.s.c.".
            if last > index and (letters.isalpha() or last - index >= 2):
                pieces.append((letters, start, runs[last][1]))
                signals.append(Signal(SPELLED, origin[start], origin[runs[last][1] - 1] + 1))
                index = last + 1
                continue
        # A word cut in two or three by a space or punctuation, when the pieces make an immigration word.
        joined = _join_cut_word(folded, runs, index)
        if joined is not None:
            last, word = joined
            pieces.append((word, start, runs[last][1]))
            signals.append(Signal(JOINED, origin[start], origin[runs[last][1] - 1] + 1))
            index = last + 1
            continue
        pieces.append((token, start, end))
        index += 1
    words: list[str] = []
    plain: list[str] = []
    spans: list[tuple[int, int]] = []
    for token, start, end in _camel_split(text, origin, pieces, signals):
        span = (min(origin[start:end]), max(origin[start:end]) + 1)  # reversed text runs backwards
        word = canonical(token)
        if word != token:
            signals.append(Signal(SWAPPED, *span))
        split = _split_acronym(word)
        kind = SPLIT
        if split is None:
            split, kind = _run_together(word), RUN_TOGETHER
        if split is not None:
            signals.append(Signal(kind, *span))
            words.extend(split)
            plain.extend(split)
            spans.extend([span] * len(split))
            continue
        words.append(word)
        plain.append(token)
        spans.append(span)
    if scripts:
        signals.extend(_script_signals(text, spans, scripts))
    return Normalized(" ".join(words), " ".join(plain), _offsets(words), _offsets(plain), tuple(spans), tuple(signals))


def _camel_split(text: str, origin: list[int], pieces: list[tuple[str, int, int]], signals: list[Signal]) -> list[tuple[str, int, int]]:
    """`pieces` with each word typed in CamelCase cut at its capitals when one of the parts is an
    immigration word or an agency acronym ("LocateForIce", "ICEHold"), or every part is a word the
    screen knows ("CheckIfSheIsLegal"); "McDonald" stays whole."""
    out: list[tuple[str, int, int]] = []
    for token, start, end in pieces:
        typed = "".join(text[i] for i in origin[start:end])  # one typed character for each folded one
        parts = list(_CAMEL.finditer(typed)) if typed.isascii() and typed.isalnum() and not typed.islower() and not typed.isupper() else []
        words = [m.group(0).lower() for m in parts]
        if len(parts) > 1 and "".join(m.group(0) for m in parts) == typed and (any(map(is_keyword, words)) or all(map(known_word, words))):
            signals.append(Signal(CAMEL, min(origin[start:end]), max(origin[start:end]) + 1))
            out.extend((token[m.start() : m.end()], start + m.start(), start + m.end()) for m in parts)
        else:
            out.append((token, start, end))
    return out


def displayed(text: str) -> list[int]:
    """The indices of `text` in the order a reader sees them, its bidirectional controls left out.

    Latin letters, digits and punctuation are shown left to right inside any embedding or isolate;
    only a right-to-left override (U+202E) reverses them, up to its pop (U+202C), the end of an
    isolate around it, a line break or the end. A simplification of the Unicode bidirectional
    algorithm for Latin text: "\u202esgnideecorp lavomer" shows "removal proceedings"."""
    order, _ = _shown(text, 0, 0)
    return order


def _shown(text: str, index: int, depth: int) -> tuple[list[int], int]:
    out: list[int] = []
    while index < len(text):
        char = text[index]
        if depth and (char in _CLOSERS or char == "\n"):
            return out, index + (char in _CLOSERS)
        if char in _OPENERS and depth < MAX_BIDI_DEPTH:  # deeper ones are ignored, as the algorithm does
            inner, index = _shown(text, index + 1, depth + 1)
            out.extend(reversed(inner) if char == _OVERRIDE_RTL else inner)
            continue
        if char not in BIDI_CONTROLS:
            out.append(index)
        index += 1
    return out, index


def _spelled_run(folded: str, runs: list[tuple[int, int]], index: int) -> int:
    """The index of the last run of the spelled-out letters that start at `index` (`index` itself
    when they are not): single letters with the same separator between them, of at most three
    characters ("I.C.E.", "i c e", "i . c . e")."""
    last = index
    gap = folded[runs[index][1] : runs[index + 1][0]] if index + 1 < len(runs) else ""
    while (
        last + 1 < len(runs)
        and _is_spelled_letter(folded[runs[last + 1][0] : runs[last + 1][1]])
        and _letter_gap(gap)
        and folded[runs[last][1] : runs[last + 1][0]] == gap
    ):
        last += 1
    return last


def _binding(folded: str, runs: list[tuple[int, int]], index: int) -> int:
    """How tightly the separator after runs[index] binds spelled-out letters: 2 for one mark
    (".", "-", "/", ...), 1 for a space, 0 for two or three characters (". ", " / ")."""
    gap = folded[runs[index][1] : runs[index + 1][0]]
    return 1 if gap == " " else 2 if len(gap) == 1 else 0


def _join_cut_word(folded: str, runs: list[tuple[int, int]], index: int) -> tuple[int, str] | None:
    """(index of the last run, joined word) when runs[index:index+2 or 3] joined are an immigration word."""
    if index + 1 >= len(runs):
        return None
    first = folded[runs[index][0] : runs[index][1]]
    head = canonical(first)
    if head not in KEYWORD_PREFIXES or (len(first) > 4 and is_keyword(head)):
        return None
    word = first
    for last in range(index + 1, min(index + 3, len(runs))):
        gap = folded[runs[last - 1][1] : runs[last][0]]
        if not (0 < len(gap) <= 2 and set(gap) <= _WORD_GAP):
            return None
        piece = folded[runs[last][0] : runs[last][1]]
        if is_keyword(canonical(piece)) and len(piece) > 3:
            return None  # "ice-ero", "border patrol": two words, each already an immigration word
        word += piece
        if is_keyword(canonical(word)):
            return last, word
    return None


def _offsets(words: list[str]) -> tuple[int, ...]:
    starts: list[int] = []
    offset = 0
    for word in words:
        starts.append(offset)
        offset += len(word) + 1
    return tuple(starts)


def _script_signals(text: str, spans: list[tuple[int, int]], scripts: list[str | None]) -> list[Signal]:
    """A word that mixes Latin letters with another script's, or is written wholly in another script's
    letters that all look Latin (TR39 whole-script confusable)."""
    out = []
    for start, end in spans:
        used = {scripts[i] for i in range(start, end)} - {None} - _NEUTRAL_SCRIPTS
        if len(used) > 1:
            out.append(Signal(MIXED_SCRIPT, start, end))
        elif used and used != {_LATIN} and all(_fold_char(c)[1] == CONFUSABLE for c in text[start:end] if c.isalpha()):
            out.append(Signal(WHOLE_SCRIPT, start, end))
    return out
