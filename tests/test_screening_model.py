"""The corpus, the trained model and the detectors under the lexicon (normaliser, fuzzy matcher)."""

from __future__ import annotations

import io
import json
import runpy
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from sanctuary.screening import model as model_module
from sanctuary.screening.fuzzy import misspelling_of
from sanctuary.screening.normalize import normalize
from sanctuary.screening.train import dumps, export, fit, load_corpus

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "docs/data/reasons.csv"
SHIPPED = ROOT / "src/sanctuary/screening/model.json"


@pytest.fixture(scope="module")
def corpus() -> list[dict[str, str]]:
    return load_corpus(CORPUS)


@pytest.fixture(scope="module")
def fitted(corpus):
    return fit(corpus)


def test_corpus_is_rebuilt_exactly_by_its_script() -> None:
    out = io.StringIO()
    argv = sys.argv
    try:
        sys.argv = ["make_reasons.py"]
        with redirect_stdout(out):
            runpy.run_path(str(ROOT / "docs/data/make_reasons.py"), run_name="__main__")
    finally:
        sys.argv = argv
    assert out.getvalue() == CORPUS.read_text(encoding="utf-8")


def test_corpus_has_a_held_out_split_with_every_label_and_no_overlap(corpus) -> None:
    labels = {"civil_immigration", "criminal", "vague", "other"}
    assert {r["label"] for r in corpus} == labels
    for split in ("train", "test"):
        assert {r["label"] for r in corpus if r["split"] == split} == labels
    train = {r["text"] for r in corpus if r["split"] == "train"}
    test = {r["text"] for r in corpus if r["split"] == "test"}
    assert not train & test
    assert 0.1 < len(test) / len(corpus) < 0.35


def test_shipped_model_is_what_training_builds(corpus, fitted) -> None:
    # Same vocabulary, same weights: to the last stored digit, give or take the rounding of a
    # different CPU's floating point (byte-identical on the machine that built it).
    vectorizer, classifier = fitted
    rebuilt = json.loads(dumps(export(vectorizer, classifier, sum(r["split"] == "train" for r in corpus))))
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    hint = "rebuild with: PYTHONPATH=src python -m sanctuary.screening.train"
    assert rebuilt.keys() == shipped.keys() and rebuilt["weights"].keys() == shipped["weights"].keys(), hint
    assert rebuilt["intercept"] == pytest.approx(shipped["intercept"], abs=1e-5), hint
    for gram, pair in shipped["weights"].items():
        assert rebuilt["weights"][gram] == pytest.approx(pair, abs=1e-5), (gram, hint)


def test_model_was_trained_on_the_train_split_only(corpus) -> None:
    shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert shipped["trained_on"] == sum(r["split"] == "train" for r in corpus)


def test_plain_python_scoring_matches_scikit_learn(corpus, fitted) -> None:
    vectorizer, classifier = fitted
    texts = [normalize(r["text"]).words for r in corpus]
    expected = classifier.predict_proba(vectorizer.transform(texts))[:, 1]
    shipped = model_module.shipped()
    for text, probability in zip(texts, expected, strict=True):
        assert shipped.probability(text) == pytest.approx(probability, abs=1e-4), text


def test_model_separates_the_held_out_split(corpus) -> None:
    shipped = model_module.shipped()
    held_out = [r for r in corpus if r["split"] == "test"]
    right = sum((shipped.probability(normalize(r["text"]).words) >= 0.5) == (r["label"] == "civil_immigration") for r in held_out)
    assert right / len(held_out) > 0.9


def test_char_ngrams_pad_each_word() -> None:
    assert model_module.char_ngrams("ice") == [" i", "ic", "ce", "e ", " ic", "ice", "ce ", " ice", "ice ", " ice "]
    assert model_module.char_ngrams("") == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("I.C.E.", "ice"),
        ("i c e agent", "ice agent"),
        ("ICE+ERO", "ice ero"),
        ("1CE pick up", "ice pick up"),
        ("imm1gration", "immigration"),
        ("INMIGRACIÓN", "inmigracion"),
        ("Ｉ Ｃ Ｅ", "ice"),
        ("h5i", "hsi"),
        ("1 c e", "ice"),
        ("8 U.S.C. 1326", "8 usc 1326"),
        ("I-247A", "i 247a"),
        ("25-136102", "25 136102"),
        ("10851 VC", "10851 vc"),
        ("theft!", "theft"),
        ("$50", "50"),
        ("", ""),
        ("...", ""),
    ],
)
def test_normalize(text: str, words: str) -> None:
    norm = normalize(text)
    assert norm.words == words
    for word, (start, end), offset in zip(norm.tokens, norm.spans, norm.starts, strict=True):
        assert norm.words[offset : offset + len(word)] == word
        assert 0 <= start < end <= len(text)


@pytest.mark.parametrize(
    ("word", "target"),
    [
        ("imigration", "immigration"),
        ("immigation", "immigration"),
        ("deportaton", "deportation"),
        ("deproted", "deported"),
        ("undocumnted", "undocumented"),
        ("miggrant", "migrant"),
    ],
)
def test_misspellings_are_found(word: str, target: str) -> None:
    found = misspelling_of(word)
    assert found is not None and found[0] == target


@pytest.mark.parametrize(
    "word",
    [
        "department",
        "departed",
        "deposited",
        "irrigation",
        "imitation",
        "decoration",
        "deserted",
        "depicted",
        "deputation",
        "reported",
        "immigration",
        "vagrant",
        "migraine",
        "ice",
        "abc123",
    ],
)
def test_real_words_are_not_misspellings(word: str) -> None:
    assert misspelling_of(word) is None
