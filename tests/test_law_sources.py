"""The law the rules rest on ships in the repository: every profile cites pages of docs/law/ that exist,
and nothing the package ships points outside it (docs/law/README.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sanctuary.policy.profiles import available, read_profile

ROOT = Path(__file__).resolve().parent.parent
LAW = ROOT / "docs" / "law"
LAW_PAGE = re.compile(r"docs/law/([A-Za-z0-9._-]+\.md)")


@pytest.mark.parametrize("name", available())
def test_every_profile_cites_existing_law_pages(name: str) -> None:
    profile = read_profile(name)
    cited = [m for source in profile.sources for m in LAW_PAGE.findall(source)]
    assert cited, f"{name}: no source names a page of docs/law/"
    missing = [page for page in cited if not (LAW / page).is_file()]
    assert not missing, f"{name}: sources name docs/law pages that do not exist: {missing}"


@pytest.mark.parametrize("name", available())
def test_no_profile_source_points_outside_the_repository(name: str) -> None:
    assert not [s for s in read_profile(name).sources if "../" in s or "research/" in s]


def test_nothing_in_src_points_at_the_research_notes() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "src").rglob("*")
        if p.is_file()
        and p.suffix in {".py", ".toml", ".cedar", ".cedarschema", ".md", ".html", ".txt"}
        and "../shared/" in p.read_text(encoding="utf-8", errors="replace")
    ]
    assert not offenders


def test_law_pages_link_only_to_pages_that_exist() -> None:
    for page in LAW.glob("*.md"):
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).is_file(), f"{page.name} links to missing {target}"


def test_the_index_lists_every_page() -> None:
    index = (LAW / "README.md").read_text(encoding="utf-8")
    unlisted = [p.name for p in LAW.glob("*.md") if p.name != "README.md" and f"({p.name})" not in index]
    assert not unlisted, f"docs/law/README.md does not list {unlisted}"


RULE_ID = re.compile(r"`((?:[a-z0-9-]+):[a-z0-9-]+)`")


def test_every_rule_is_named_on_a_law_page_and_every_named_rule_exists() -> None:
    """The pages and the rules stay in step: a rule renamed or added without its page fails here."""
    rules = {
        m
        for path in (ROOT / "src" / "sanctuary" / "policy" / "profiles").rglob("*.cedar")
        for m in re.findall(r'@id\("([^"]+)"\)', path.read_text(encoding="utf-8"))
    }
    named = {m for page in LAW.glob("*.md") for m in RULE_ID.findall(page.read_text(encoding="utf-8")) if m.split(":")[0] in _prefixes()}
    assert named - rules == set(), "docs/law names rules that do not exist"
    ours = {r for r in rules if r.split(":")[0] in _prefixes()}
    assert ours - named == set(), "rules no page of docs/law names"


def _prefixes() -> set[str]:
    """The rule-id prefixes of the profiles whose law these pages hold (other laws' pages name their own)."""
    return {"chicago-2012", "chicago-2019-mayoral", "proposed-eo-2019", "chicago-2021", "illinois-trust", "illinois-alpr"}
