"""The adversarial cases as data: enough of them, each a valid request, each expected outcome named,
each reason citing a page of docs/law/ that exists, every attack of issue 10 covered."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from adversarial.suite import OUTCOMES, PROFILE_SETS, load_cases
from sanctuary.models import parse_request
from sanctuary.policy.categories import vocabulary

ROOT = Path(__file__).resolve().parents[2]
LAW = re.compile(r"docs/law/([a-z0-9-]+\.md)")
ATTACKS = {"route_bypass", "claimed_document", "claimed_fact", "name", "detainer", "alpr", "unscreened_text", "operation", "over_blocking"}


def test_there_are_enough_cases_and_enough_over_http() -> None:
    cases = load_cases()
    assert len(cases) >= 150
    assert sum(c.http for c in cases) >= 30
    assert len({c.id for c in cases}) == len(cases)


def test_every_attack_is_covered() -> None:
    counts = Counter(c.attack for c in load_cases())
    assert set(counts) == ATTACKS
    assert min(counts.values()) >= 5


def test_every_case_is_a_valid_request_with_a_known_expectation_and_a_cited_reason() -> None:
    vocab = vocabulary()
    ids = {c.id for c in load_cases()}
    for case in load_cases():
        parse_request(case.body())
        assert case.expect and set(case.expect) <= set(PROFILE_SETS), case.id
        assert set(case.expect.values()) <= set(OUTCOMES), case.id
        pages = LAW.findall(case.reason)
        assert pages and all((ROOT / "docs" / "law" / p).is_file() for p in pages), case.id
        assert "\n" not in case.reason
        for by_set in (case.forbidden, case.disclosed):
            for key, names in by_set.items():
                assert key == "*" or key in PROFILE_SETS, case.id
                assert all(n in vocab for n in names), case.id
        assert case.same_as is None or case.same_as in ids, case.id
        assert case.as_ in ("requester", "department"), case.id
