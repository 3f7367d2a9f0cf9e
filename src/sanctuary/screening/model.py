"""The small trained model: character n-grams of the canonical reason, logistic regression.

It catches what the lexicon has no entry for (an unseen abbreviation, a new misspelling) by the
pieces of words it shares with immigration reasons. It is trained by scikit-learn
(`sanctuary.screening.train`) on docs/data/reasons.csv and shipped as `model.json`: the TF-IDF
weight and the coefficient of each n-gram. Scoring here is the same arithmetic as scikit-learn's
`TfidfVectorizer(sublinear_tf=True)` followed by `LogisticRegression.predict_proba`, in plain
Python: a reason is ~60 n-grams, and one call to scikit-learn costs more than scoring them. A
test checks both give the same probability on the whole corpus.

JSON rather than a pickle: loading it runs no code, and a rebuild shows up as a readable diff.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

NGRAM_RANGE = (2, 5)
MODEL_FILE = "model.json"


def char_ngrams(words: str) -> list[str]:
    """Character n-grams of each word padded with spaces (scikit-learn's ``char_wb`` analyser)."""
    grams: list[str] = []
    for word in words.split():
        grams.extend(_word_ngrams(word))
    return grams


@lru_cache(maxsize=65536)
def _word_ngrams(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    low, high = NGRAM_RANGE
    return tuple(padded[i : i + size] for size in range(low, min(high, len(padded)) + 1) for i in range(len(padded) - size + 1))


@dataclass(frozen=True)
class Model:
    intercept: float
    weights: dict[str, tuple[float, float]]  # n-gram -> (idf, coefficient)

    def _values(self, words: str) -> tuple[Counter[str], dict[str, float], float]:
        counts = Counter(char_ngrams(words))
        values: dict[str, float] = {}
        for gram, count in counts.items():
            entry = self.weights.get(gram)
            if entry is not None:
                values[gram] = (1.0 + math.log(count)) * entry[0]
        return counts, values, math.sqrt(sum(v * v for v in values.values())) or 1.0

    def probability(self, words: str) -> float:
        """P(immigration) for a canonical reason."""
        _, values, norm = self._values(words)
        total = self.intercept + sum(self.weights[g][1] * v for g, v in values.items()) / norm
        return 1.0 / (1.0 + math.exp(-total))

    def strongest_word(self, words: str) -> str:
        """The word whose n-grams add most to the decision value: the model's evidence."""
        counts, values, norm = self._values(words)
        shares: dict[str, float] = {}
        for word in sorted(set(words.split())):
            shares[word] = sum(
                times * self.weights[gram][1] * values[gram] / norm / counts[gram]
                for gram, times in Counter(char_ngrams(word)).items()
                if gram in values
            )
        return max(shares, key=shares.__getitem__)


def from_json(data: dict) -> Model:
    weights = {gram: (float(idf), float(coef)) for gram, (idf, coef) in data["weights"].items()}
    return Model(float(data["intercept"]), weights)


@lru_cache(maxsize=1)
def shipped() -> Model:
    """The model shipped in the package."""
    with resources.files("sanctuary.screening").joinpath(MODEL_FILE).open(encoding="utf-8") as handle:
        return from_json(json.load(handle))
