"""The data-category vocabulary (categories.toml) and the maps from a system's fields to it.

Rules forbid the *disclosure* of a category, so what they protect does not depend on the route a
request takes: every field that can leave maps to exactly one leaf category, and the egress check
asks about the categories that actually leave.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sanctuary.models import SEARCH_TYPES
from sanctuary.policy.errors import PolicyError

VOCABULARY_PATH = Path(__file__).parent / "categories.toml"
STORE_MAP_PATH = Path(__file__).parents[1] / "records" / "categories.toml"


@dataclass(frozen=True)
class Category:
    name: str
    group: str | None  # None for a group itself
    title: str
    title_es: str
    doc: str = ""


@dataclass(frozen=True)
class Vocabulary:
    categories: Mapping[str, Category]  # leaves
    groups: Mapping[str, Category]
    # Other names a requester may give a leaf in `resource.fields` (its `words` in categories.toml:
    # "fingerprints" for `biometric`), each -> its leaf: never a category, a group or another word.
    words: Mapping[str, str] = field(default_factory=dict)

    def __contains__(self, name: object) -> bool:
        return name in self.categories or name in self.groups

    def leaves(self, name: str) -> frozenset[str]:
        """A leaf names itself; a group names its leaves."""
        if name in self.categories:
            return frozenset({name})
        if name in self.groups:
            return frozenset(c.name for c in self.categories.values() if c.group == name)
        raise PolicyError("category", f"unknown data category {name!r}")

    def named(self, name: str) -> frozenset[str] | None:
        """The leaves a name a requester writes names: a category, a group, or a category's word; None
        for any other name."""
        if name in self:
            return self.leaves(name)
        leaf = self.words.get(name)
        return frozenset({leaf}) if leaf is not None else None

    def covered(self, leaf: str, names: Iterable[str]) -> bool:
        """Whether `leaf` is one of `names` or in one of the groups among them."""
        named = set(names)
        return leaf in named or self.categories[leaf].group in named


@cache
def vocabulary(path: Path = VOCABULARY_PATH) -> Vocabulary:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(str(path), str(exc)) from None
    groups = {
        name: Category(name, None, spec["title"], spec.get("title_es", ""), spec.get("doc", ""))
        for name, spec in doc.get("group", {}).items()
    }
    categories = {}
    for name, spec in doc.get("category", {}).items():
        if name in groups:
            raise PolicyError(str(path), f"category {name!r} is also a group")
        if spec.get("group") not in groups:
            raise PolicyError(str(path), f"category {name!r}: group {spec.get('group')!r} is not declared")
        categories[name] = Category(name, spec["group"], spec["title"], spec.get("title_es", ""), spec.get("doc", ""))
    words: dict[str, str] = {}
    for name, spec in doc.get("category", {}).items():
        for word in spec.get("words", ()):
            if word in categories or word in groups or word in words:
                raise PolicyError(str(path), f"category {name!r}: word {word!r} is already a category, a group or another word")
            words[word] = name
    return Vocabulary(categories, groups, words)


def read_field_map(path: Path, vocab: Vocabulary | None = None) -> dict[tuple[str, str], str]:
    """`{(record kind, field): leaf category}` from a TOML map; every value must be a leaf."""
    vocab = vocab or vocabulary()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(str(path), str(exc)) from None
    out: dict[tuple[str, str], str] = {}
    for kind, fields in doc.items():
        for field_name, category in fields.items():
            if category not in vocab.categories:
                raise PolicyError(str(path), f"{kind}.{field_name}: {category!r} is not a leaf data category")
            out[(kind, field_name)] = category
    return out


@dataclass(frozen=True)
class StoreSearch:
    """One typed search of the records store: the kind of record it returns (the store's table) and
    the category groups those records are about (what the egress check says a request naming it asks)."""

    record_kind: str
    about: tuple[str, ...]


# Every typed search of the store, by name: the searches a request may ask (models.SearchType) and the
# department's own look-ups, never a requester's (gang: the facts the carve-outs turn on,
# records.facts). The store's searches (records.searches), its tables and the egress check read this.
SEARCHES: dict[str, StoreSearch] = {
    "person": StoreSearch("person", ("identity", "status")),
    "warrant": StoreSearch("warrant", ("criminal_history",)),
    "custody": StoreSearch("booking", ("custody_information",)),
    "contact": StoreSearch("contact", ("contact_information",)),
    "gang": StoreSearch("gang_entry", ("criminal_history",)),
    "plate": StoreSearch("plate_read", ("alpr",)),
}
if unknown := sorted(set(SEARCH_TYPES) - SEARCHES.keys()):  # a search a request may name that the store does not have
    raise PolicyError("resource.search.type", f"{', '.join(unknown)}: no search of the records store")


@cache
def store_field_map() -> dict[tuple[str, str], str]:
    """The shipped records store's fields, by (record kind, field), and their categories."""
    return read_field_map(STORE_MAP_PATH)
