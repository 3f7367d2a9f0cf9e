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


# -- provenance and quotations (issue 25) ------------------------------------------------------------

SOURCES = LAW / "sources"
QUOTATION = re.compile(r'"([^"\n]+)"|“([^”]+)”')


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _kept_text() -> str:
    """Every kept source's words: the retrieved texts (.txt) and the sentences kept from press records."""
    import tomllib

    texts = [_normal(p.read_text(encoding="utf-8")) for p in sorted(SOURCES.glob("*.txt"))]
    for record in sorted(SOURCES.glob("*.toml")):
        texts += [_normal(s) for s in tomllib.loads(record.read_text(encoding="utf-8")).get("sentences", [])]
    return "\n".join(texts)


def quotations(page_text: str) -> list[str]:
    """The text in double quotation marks on a page, outside code spans and blocks."""
    prose = re.sub(r"`[^`]*`", "", re.sub(r"```.*?```", "", page_text, flags=re.S))
    return [_normal(m.group(1) or m.group(2)) for m in QUOTATION.finditer(prose)]


def test_every_quotation_on_a_law_page_is_verbatim_in_a_kept_source() -> None:
    """Quote only what was retrieved, exactly (whitespace aside); otherwise paraphrase without quotation marks."""
    kept = _kept_text()
    pages = sorted(LAW.glob("*.md"))
    found = {page.name: quotations(page.read_text(encoding="utf-8")) for page in pages}
    assert sum(map(len, found.values())) > 20
    misquoted = [f"{name}: {q!r}" for name, quotes in found.items() for q in quotes if q not in kept]
    assert not misquoted, "\n".join(misquoted)


def test_a_paraphrase_in_quotation_marks_is_caught() -> None:
    kept = _kept_text()
    page = 'He called it "a clear violation of state law". The statute: "Except as required by state or federal law".'
    assert [q in kept for q in quotations(page)] == [False, True]
    assert quotations('the rules cite `5 ILCS 805/15 ("x")` and ```\n"y"\n```') == []


def _rules() -> dict[str, str]:
    """Every rule id of every shipped profile, with the profile (folder) it is in."""
    return {
        m: path.parent.name
        for path in (ROOT / "src" / "sanctuary" / "policy" / "profiles").rglob("*.cedar")
        for m in re.findall(r'@id\("([^"]+)"\)', path.read_text(encoding="utf-8"))
    }


def test_every_rule_names_the_enacted_text_it_rests_on_its_kind_and_kept_sources_that_exist() -> None:
    from sanctuary.policy.profiles import KINDS, provenance, provenance_rows

    rules = _rules()
    for rule, profile in rules.items():
        row = provenance(read_profile(profile)).get(rule)
        assert row is not None, f"{rule}: no provenance row on the pages {profile} names"
        assert row.kind in KINDS and row.rests_on
        if row.kind != "department parameter":
            assert row.kept, f"{rule}: no kept source named"
        missing = [k for k in row.kept if not (SOURCES / f"{k}.toml").is_file()]
        assert not missing, f"{rule}: kept sources not in docs/law/sources: {missing}"
    named = {row.rule for page in LAW.glob("*.md") for row in provenance_rows(page.read_text(encoding="utf-8"), page.name)}
    ours = {"baseline:law-enforcement", "baseline:public-agency"}  # the department's baseline, not a law
    assert named - set(rules) == ours, "provenance rows for rules that do not exist"
    baseline = [r for r in provenance_rows((LAW / "README.md").read_text(encoding="utf-8"), "README.md") if r.rule in ours]
    assert [r.kind for r in baseline] == ["department parameter"] * 2


def test_the_loader_refuses_a_rule_whose_source_page_gives_no_provenance(tmp_path: Path) -> None:
    import shutil

    from conftest import registry
    from sanctuary.policy.engine import PolicyEngine
    from sanctuary.policy.errors import PolicyError
    from sanctuary.policy.profiles import PROFILES

    root, law = tmp_path / "profiles", tmp_path / "docs" / "law"
    shutil.copytree(PROFILES, root)
    shutil.copytree(LAW, law, ignore=shutil.ignore_patterns("sources"))
    PolicyEngine.load(["chicago-2012"], registry(), root=root)  # as shipped: loads
    page = law / "chicago-ordinance.md"
    text = page.read_text(encoding="utf-8")
    page.write_text("\n".join(line for line in text.splitlines() if "`chicago-2012:042-b1-ice-inquiry`" not in line), encoding="utf-8")
    with pytest.raises(PolicyError, match="chicago-2012:042-b1-ice-inquiry.*no provenance row"):
        PolicyEngine.load(["chicago-2012"], registry(), root=root)
    page.write_text(
        text.replace("| enacted | chicago-2012-mcc-2-173-042 |", "| a draft | chicago-2012-mcc-2-173-042 |", 1), encoding="utf-8"
    )
    with pytest.raises(PolicyError, match="kind 'a draft'"):
        PolicyEngine.load(["chicago-2012"], registry(), root=root)
    meta = root / "chicago-2012" / "profile.toml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("docs/law/chicago-ordinance.md", "docs/law/nowhere.md"), encoding="utf-8")
    with pytest.raises(PolicyError, match="nowhere.md is not there"):
        PolicyEngine.load(["chicago-2012"], registry(), root=root)
