"""Full verification: recompute every leaf and node from the entries and compare with the store.

The log is cut into aligned chunks of 2^16 entries that worker processes check independently
(each opens the store itself); the parent then climbs from the chunk roots to the top.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from sanctuary.audit.storage import Store, open_store
from sanctuary.audit.verifier import fold_right, leaf_hashes, parent_level

CHUNK_LEVEL = 16
CHUNK = 1 << CHUNK_LEVEL

PerfectNode = tuple[int, int, bytes]


@dataclass(frozen=True)
class Damage:
    index: int
    message: str


@dataclass(frozen=True)
class ChunkResult:
    damage: Damage | None
    top: PerfectNode | None  # the chunk's root when the chunk is full
    rest: list[PerfectNode]  # perfect subtrees of a partial chunk, any order


def _compare(store: Store, level: int, first: int, hashes: list[bytes]) -> Damage | None:
    if store.level_concat(level, first, first + len(hashes)) == b"".join(hashes):
        return None
    stored = dict(store.level_rows(level, first, first + len(hashes)))
    for j, h in enumerate(hashes):
        if stored.get(first + j) != h:
            what = "missing" if first + j not in stored else "does not match the entries"
            span = f"entry {first + j}" if level == 0 else f"entries {(first + j) << level}..{((first + j + 1) << level) - 1}"
            return Damage((first + j) << level, f"stored hash for {span} (level {level}) {what}")
    return None


def climb(store: Store, level: int, first: int, hashes: list[bytes]) -> tuple[Damage | None, list[PerfectNode]]:
    """Hash `hashes` (nodes of `level` from index `first`) upward, checking each stored node.

    Returns the perfect subtrees the run decomposes into (one when its length is a power of two).
    """
    rest: list[PerfectNode] = []
    while True:
        damage = _compare(store, level, first, hashes)
        if damage:
            return damage, rest
        if len(hashes) % 2:
            rest.append((level, first + len(hashes) - 1, hashes[-1]))
        if len(hashes) < 2:
            return None, rest
        hashes = parent_level(hashes)
        level, first = level + 1, first >> 1


def check_chunk(store: Store, start: int, end: int) -> ChunkResult:
    data = store.entry_data(start, end)
    if len(data) != end - start:  # indices are unique integers, so a full count means no gap
        have = {idx for idx, _ in store.entry_rows(start, end)}
        missing = next(i for i in range(start, end) if i not in have)
        return ChunkResult(Damage(missing, f"entry {missing} is missing"), None, [])
    damage, rest = climb(store, 0, start, leaf_hashes(data))
    if damage or end - start < CHUNK:
        return ChunkResult(damage, None, rest)
    return ChunkResult(None, rest[-1], rest[:-1])


def _worker(url: str, start: int, end: int) -> ChunkResult:
    store = open_store(url)
    try:
        return check_chunk(store, start, end)
    finally:
        store.close()


def full_root(store: Store, size: int, workers: int = 1) -> tuple[Damage | None, bytes]:
    """Recompute the tree of `size` entries; return the first damage found and the root."""
    bounds = [(s, min(size, s + CHUNK)) for s in range(0, size, CHUNK)]
    if workers > 1 and len(bounds) > 1:
        ctx = multiprocessing.get_context("fork")  # workers open their own store connection
        with ProcessPoolExecutor(min(workers, len(bounds)), mp_context=ctx) as pool:
            results = list(pool.map(_worker, [store.url] * len(bounds), *zip(*bounds)))
    else:
        results = [check_chunk(store, s, e) for s, e in bounds]
    perfect: list[PerfectNode] = []
    tops: list[bytes] = []
    for result in results:
        if result.damage:
            return result.damage, b""
        if result.top:
            tops.append(result.top[2])
        perfect.extend(result.rest)
    if tops:
        damage, upper = climb(store, CHUNK_LEVEL, 0, tops)
        if damage:
            return damage, b""
        perfect.extend(upper)
    perfect.sort(key=lambda node: -node[0])
    return None, fold_right([h for _, _, h in perfect])
