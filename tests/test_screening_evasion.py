"""The evasion suite: every immigration phrase of the frozen test split, rewritten with look-alike
letters, invisible characters, digit swaps, spaced letters, accents and case, must still screen
`civil_immigration` (target: at least 98% of them). And each normalisation step, by example."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import pytest

from sanctuary.screening import evasion, screen
from sanctuary.screening.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent
SPLIT = ROOT / "docs/data/screening_test.csv"
TARGET = 0.98


def positives() -> list[str]:
    with SPLIT.open(newline="", encoding="utf-8") as handle:
        return [row["text"] for row in csv.DictReader(handle) if row["label"] == "civil_immigration"]


def test_the_split_is_the_frozen_one() -> None:
    documented = re.search(r"\b([0-9a-f]{64})\b", (ROOT / "docs/screening.md").read_text(encoding="utf-8"))
    assert documented is not None
    assert hashlib.sha256(SPLIT.read_bytes()).hexdigest() == documented.group(1)


def test_every_transform_changes_a_phrase_and_every_family_is_covered() -> None:
    assert set(evasion.TRANSFORMS) == {name for names in evasion.FAMILIES.values() for name in names}
    for name, transform in evasion.TRANSFORMS.items():
        assert transform("locate for removal") != "locate for removal", name


def test_the_evasion_suite_is_caught() -> None:
    variants = [(phrase, name, text) for phrase in positives() for name, text in evasion.variants(phrase)]
    assert len(variants) > 1000
    missed = [(name, text) for _, name, text in variants if screen(text).category != "civil_immigration"]
    caught = 1 - len(missed) / len(variants)
    assert caught >= TARGET, f"caught {caught:.3f} of {len(variants)}; missed {missed[:20]}"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("re\u00admoval", "removal"),  # soft hyphen
        ("I\u200bC\u200dE", "ice"),  # zero-width space and joiner
        ("\u202eICE\u202c", "ice"),  # bidi override
        ("\uff29\uff23\uff25", "ice"),  # full-width, NFKC
        ("d\u00e9portation", "deportation"),  # accent
        ("de\u0301portation", "deportation"),  # combining accent
        ("rem\u043eval", "removal"),  # Cyrillic o
        ("\u0406\u0421\u0415", "ice"),  # Cyrillic I, Es, Ie
        ("\u0399\u039d\u0391", "ina"),  # Greek Iota, Nu, Alpha
        ("I.C.E.", "ice"),
        ("i c e", "ice"),
        ("l.c.e.", "ice"),  # lower-case L for I
        # A single letter before spelled-out letters does not take the first of them, whatever the
        # padding: the letter goes to the run whose separator binds tighter, or to the longer.
        ("assist w/ e.r.o. pickup", "assist w ero pickup"),
        ("a e.r.o. pickup", "a ero pickup"),
        ("x y z i-c-e", "xyz ice"),
        ("w / a h.s.i.", "w a hsi"),
        ("u.s. i.c.e. hold", "us ice hold"),
        ("i.c.e. e.r.o.", "ice ero"),
        ("a.b.i-c-e", "ab ice"),
        ("i . c . e", "ice"),  # a mark with a space on each side
        ("e / r / o pickup", "ero pickup"),
        # any punctuation mark or symbol, repeated, is a separator
        ("e,r,o pickup", "ero pickup"),
        ("i:c:e", "ice"),
        ("i\u00b7c\u00b7e", "ice"),  # middle dot
        ("i\u2013c\u2013e", "ice"),  # en dash
        ("(i)(c)(e)", "ice"),
        ("h+s+i", "hsi"),
        # a bar or bang between two words separates them when one is an immigration word; before one,
        # it is the letter it looks like; inside a word it stays a swap
        ("reason|ICE", "reason ice"),
        ("ICE|ERO", "ice ero"),
        ("|CE hold", "ice hold"),
        ("!CE", "ice"),
        ("v!sa", "visa"),
        ("imm-igration", "immigration"),
        ("de portation", "deportation"),
        ("remova1", "removal"),
        ("d3p0r74710n", "deportation"),
        ("assistICE", "assist ice"),
        ("irnrnigration", "immigration"),  # rn for m
        ("2026-0380", "2026 0380"),  # a case number is left alone
        ("10851VC", "10851vc"),
        ("notice", "notice"),  # a word ending in an acronym is not split
    ],
)
def test_normalisation_steps(text: str, words: str) -> None:
    assert normalize(text).words == words


def test_mixed_script_and_invisible_characters_are_reported() -> None:
    kinds = {s.kind for s in normalize("locate for rem\u043eval").signals}
    assert {"confusable", "mixed_script"} <= kinds
    assert "whole_script_confusable" in {s.kind for s in normalize("\u0406\u0421\u0415").signals}
    assert "invisible" in {s.kind for s in normalize("re\u00admoval").signals}
    assert normalize("locate for removal").signals == ()


def test_a_mixed_script_word_is_evidence_whatever_the_category() -> None:
    flagged = screen("locate for rem\u043eval")
    assert "normalised:mixed_script" in {e.rule for e in flagged.evidence}
    plain = screen("p\u0430trol")  # Cyrillic a: still patrol, still not immigration, but reported
    assert plain.category == "other"
    assert [(e.text, e.rule) for e in plain.evidence] == [("p\u0430trol", "normalised:mixed_script")]
