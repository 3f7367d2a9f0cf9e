"""The documentation holds no merge-conflict markers, no paths of one machine, and no link or file
reference that does not exist in the repository (README, docs/, the sources' comments, the data and
example notes): the repository stands on its own, and names no note kept outside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted([ROOT / "README.md", *(p for folder in ("docs", "src", "examples") for p in (ROOT / folder).rglob("*.md"))])
SOURCES = sorted(
    [
        *(p for folder in ("src", "bench", "tools", "docs") for p in (ROOT / folder).rglob("*.py")),
        *(ROOT / "src").rglob("*.toml"),
    ]
)
MARKER = re.compile(r"^(<{7}|={7}|>{7})( |$)", re.M)
MACHINE_PATH = re.compile(r"(?<![\w.~-])/(?:work|root|home|Users|opt|srv)/[\w.-]+")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
# a path into the repository's own top-level folders, e.g. `docs/api.md`, src/sanctuary/models.py
REFERENCE = re.compile(
    r"(?<![\w/.-])((?:src|docs|bench|tests|tools|examples)/[\w./-]*[\w-]\.(?:py|md|toml|jsonl|json|cedar|csv|txt|html))\b"
)


# a Markdown file named in text, bare or with a path: "legal.md §4.2", research/incidents.md, docs/api.md
MARKDOWN_NAME = re.compile(r"(?<![\w/.-])((?:\.\.?/|[\w-]+/)*[\w-]+\.md)\b")
# where a bare name is looked for besides the naming file's folder
MARKDOWN_HOMES = (ROOT, ROOT / "docs", ROOT / "docs" / "law")


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", DOCS + SOURCES, ids=rel)
def test_no_conflict_markers_or_machine_paths(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not MARKER.search(text), f"merge-conflict marker in {rel(path)}"
    assert not MACHINE_PATH.findall(text), f"absolute machine path(s) in {rel(path)}: {MACHINE_PATH.findall(text)}"
    assert "../shared/" not in text, f"{rel(path)} points outside the repository (../shared/): copy what it rests on in"


@pytest.mark.parametrize("path", DOCS, ids=rel)
def test_links_in_docs_exist(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    missing = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue  # a URL or an anchor in the same page
        if not (path.parent / target.split("#", 1)[0]).exists():
            missing.append(target)
    assert not missing, f"{rel(path)} links to what does not exist: {missing}"


@pytest.mark.parametrize("path", DOCS + SOURCES, ids=rel)
def test_file_references_exist(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    missing = sorted({ref for ref in REFERENCE.findall(text) if not (ROOT / ref).exists() and "*" not in ref})
    assert not missing, f"{rel(path)} names files that are not in the repository: {missing}"


@pytest.mark.parametrize("path", DOCS + SOURCES, ids=rel)
def test_every_page_named_is_in_the_repository(path: Path) -> None:
    """A note kept outside the repository (research notes, a shared folder) is never named: what a
    comment or a page rests on is a page of docs/ (docs/evidence.md, docs/law/) or a public source."""
    text = path.read_text(encoding="utf-8")
    names = set(MARKDOWN_NAME.findall(text))
    missing = sorted(n for n in names if not any((home / n).exists() for home in (path.parent, *MARKDOWN_HOMES)))
    assert not missing, f"{rel(path)} names pages that are not in the repository: {missing}"
