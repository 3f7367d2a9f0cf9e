"""RFC 9162 tree shape over persisted perfect-subtree nodes.

A node is `(level, index)`: the perfect subtree over leaves `[index << level, (index + 1) << level)`;
level-0 nodes are leaf hashes. Stores keep every node once it is complete (about 2n rows). Keeping
the leaf hashes lets a full verification name the exact entry that no longer matches. Any RFC 9162 subtree hash is a right fold of O(log n) such nodes, so a
root or a proof costs O(log n) reads and opening a log never recomputes the tree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sanctuary.audit.verifier import fold_right, leaf_hash, node_hash

Node = tuple[int, int]
Range = tuple[int, int]


def split_point(n: int) -> int:
    """Largest power of two strictly below n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def perfect_nodes(start: int, end: int) -> list[Node]:
    """The perfect subtrees that make up leaves [start, end), largest first."""
    out = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start & ((1 << level) - 1):
            level -= 1
        out.append((level, start >> level))
        start += 1 << level
    return out


def frontier(size: int) -> list[Node]:
    """The perfect subtrees whose right fold is the root of a tree of `size` leaves."""
    return perfect_nodes(0, size)


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """Leaf ranges whose subtree hashes form the RFC 9162 audit path, leaf to root."""
    path: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start += k
    return path[::-1]


def consistency_ranges(m: int, n: int) -> list[Range]:
    """Leaf ranges whose subtree hashes form the RFC 9162 consistency proof from m to n."""
    if m == 0 or m == n:
        return []
    path: list[Range] = []
    start, end, whole = 0, n, True
    while True:
        size = end - start
        if m == size:
            if not whole:
                path.append((start, end))
            break
        k = split_point(size)
        if m <= k:
            path.append((start + k, end))
            end = start + k
        else:
            path.append((start, start + k))
            start, m, whole = start + k, m - k, False
    return path[::-1]


def range_hash(start: int, end: int, lookup: Callable[[Node], bytes]) -> bytes:
    return fold_right([lookup(node) for node in perfect_nodes(start, end)])


def nodes_for(ranges: Iterable[Range]) -> set[Node]:
    return {node for r in ranges for node in perfect_nodes(*r)}


def extend(size: int, edge: dict[int, bytes], entries: Iterable[bytes]) -> list[tuple[int, int, bytes]]:
    """Append entries to a tree of `size` leaves whose frontier is `edge` (level -> hash).

    Updates `edge` in place and returns the new nodes as (level, index, hash), leaves included.
    """
    new: list[tuple[int, int, bytes]] = []
    for entry in entries:
        h, level, index = leaf_hash(entry), 0, size
        new.append((0, index, h))
        while index & 1:
            h = node_hash(edge.pop(level), h)
            level += 1
            index >>= 1
            new.append((level, index, h))
        edge[level] = h
        size += 1
    return new
