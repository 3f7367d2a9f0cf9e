"""The documentation holds no merge-conflict markers, no paths of one machine, and no link or file
reference that does not exist in the repository (README, docs/, the sources' comments, the data and
example notes): the repository stands on its own, and names no note kept outside it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

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
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def offending(paths: list[Path], finds: Callable[[Path, str], object]) -> dict[str, object]:
    """Every file of `paths` for which `finds(path, text)` finds something, with what it found."""
    found = {}
    for path in paths:
        what = finds(path, path.read_text(encoding="utf-8"))
        if what:
            found[rel(path)] = what
    return found


def test_no_conflict_markers() -> None:
    assert offending(DOCS + SOURCES, lambda _, text: MARKER.findall(text)) == {}


def test_no_machine_paths_and_nothing_outside_the_repository() -> None:
    assert offending(DOCS + SOURCES, lambda _, text: MACHINE_PATH.findall(text)) == {}
    assert offending(DOCS + SOURCES, lambda _, text: "../shared/" in text) == {}, "copy in what a file rests on"


def test_links_in_docs_exist() -> None:
    def missing(path: Path, text: str) -> list[str]:
        targets = [t for t in LINK.findall(text) if not re.match(r"^[a-z]+:", t) and not t.startswith("#")]  # not URLs or anchors
        return [t for t in targets if not (path.parent / t.split("#", 1)[0]).exists()]

    assert offending(DOCS, missing) == {}


def test_file_references_exist() -> None:
    def missing(_: Path, text: str) -> list[str]:
        return sorted({ref for ref in REFERENCE.findall(text) if not (ROOT / ref).exists() and "*" not in ref})

    assert offending(DOCS + SOURCES, missing) == {}


def test_every_page_named_is_in_the_repository() -> None:
    """A note kept outside the repository (research notes, a shared folder) is never named: what a
    comment or a page rests on is a page of docs/ (docs/evidence.md, docs/law/) or a public source."""

    def missing(path: Path, text: str) -> list[str]:
        names = set(MARKDOWN_NAME.findall(text))
        return sorted(n for n in names if not any((home / n).exists() for home in (path.parent, *MARKDOWN_HOMES)))

    assert offending(DOCS + SOURCES, missing) == {}


def test_the_checks_find_what_they_look_for(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("see [x](nowhere.md) and docs/no-such-page.md, " + "/wo" + "rk/notes\n" + "<" * 7 + " HEAD\n", encoding="utf-8")
    assert offending([bad], lambda _, text: MARKER.findall(text)) and offending([bad], lambda _, text: MACHINE_PATH.findall(text))
    assert REFERENCE.findall(bad.read_text()) == ["docs/no-such-page.md"] and LINK.findall(bad.read_text()) == ["nowhere.md"]
