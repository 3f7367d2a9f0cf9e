"""Train the character n-gram model on the corpus and write `model.json` (deterministic).

    .venv/bin/python -m sanctuary.screening.train [docs/data/reasons.csv]

Only the `train` split is used; the `test` split is held out for bench/screening.py. The solver
(liblinear, fixed seed) and the rounding of the stored weights make a rebuild byte-identical on one
machine; tests/test_screening_model.py checks a rebuild against the shipped file (same n-grams, weights
equal to 1e-5, so another CPU's last-digit rounding does not fail it).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from sanctuary.screening.model import MODEL_FILE, char_ngrams
from sanctuary.screening.normalize import normalize

CORPUS = Path("docs/data/reasons.csv")
POSITIVE = "civil_immigration"
DIGITS = 6


def load_corpus(path: Path = CORPUS) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def fit(rows: list[dict[str, str]]) -> tuple[TfidfVectorizer, LogisticRegression]:
    """Fit TF-IDF over char n-grams and logistic regression on the rows of the train split."""
    training = [row for row in rows if row["split"] == "train"]
    texts = [normalize(row["text"]).words for row in training]
    labels = [int(row["label"] == POSITIVE) for row in training]
    vectorizer = TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True, min_df=2)
    classifier = LogisticRegression(C=10.0, solver="liblinear", random_state=0, max_iter=1000)
    classifier.fit(vectorizer.fit_transform(texts), labels)
    return vectorizer, classifier


def export(vectorizer: TfidfVectorizer, classifier: LogisticRegression, trained_on: int) -> dict:
    """The fitted model as the JSON `model.py` scores with: (idf, coefficient) per n-gram."""
    coefficients = classifier.coef_[0]
    weights = {
        gram: [round(float(vectorizer.idf_[column]), DIGITS), round(float(coefficients[column]), DIGITS)]
        for gram, column in sorted(vectorizer.vocabulary_.items())
    }
    return {
        "about": "char 2-5-gram TF-IDF (sublinear tf) + logistic regression; built by sanctuary.screening.train",
        "trained_on": trained_on,
        "intercept": round(float(classifier.intercept_[0]), DIGITS),
        "weights": weights,
    }


def train(rows: list[dict[str, str]]) -> dict:
    """Fit on the train split and return the JSON model."""
    vectorizer, classifier = fit(rows)
    return export(vectorizer, classifier, sum(row["split"] == "train" for row in rows))


def dumps(model: dict) -> str:
    return json.dumps(model, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    corpus = Path(args[0]) if args else CORPUS
    target = Path(__file__).with_name(MODEL_FILE)
    target.write_text(dumps(train(load_corpus(corpus))), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
