"""RFC 9162 conformance: our persisted-node tree against a straightforward recursive computation."""

from __future__ import annotations

import hashlib
import random

import pytest

from sanctuary.audit import merkle
from sanctuary.audit.verifier import (
    VerifyError,
    leaf_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

MAX = 70


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def mth(d: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1, written the way the RFC states it."""
    n = len(d)
    if n == 0:
        return sha(b"")
    if n == 1:
        return sha(b"\x00" + d[0])
    k = 1 << ((n - 1).bit_length() - 1)
    return sha(b"\x01" + mth(d[:k]) + mth(d[k:]))


def path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


def sides(m: int, n: int) -> str:
    """Which side each audit-path sibling sits on, leaf to root (the shape a size implies)."""
    if n == 1:
        return ""
    k = 1 << ((n - 1).bit_length() - 1)
    return sides(m, k) + "R" if m < k else sides(m - k, n - k) + "L"


DATA = [b"entry %d" % i for i in range(MAX)]


class Tree:
    """Our merkle module over an in-memory node table, built only through `extend`."""

    def __init__(self, entries: list[bytes]) -> None:
        self.entries = entries
        self.nodes: dict[tuple[int, int], bytes] = {}
        edge: dict[int, bytes] = {}
        for i, e in enumerate(entries):
            for level, idx, h in merkle.extend(i, edge, [e]):
                self.nodes[(level, idx)] = h

    def lookup(self, node: tuple[int, int]) -> bytes:
        return self.nodes[node]

    def root(self, size: int) -> bytes:
        return merkle.range_hash(0, size, self.lookup)

    def prove(self, index: int, size: int) -> list[bytes]:
        return [merkle.range_hash(a, b, self.lookup) for a, b in merkle.inclusion_ranges(index, size)]

    def consistency(self, m: int, n: int) -> list[bytes]:
        return [merkle.range_hash(a, b, self.lookup) for a, b in merkle.consistency_ranges(m, n)]


TREE = Tree(DATA)


def test_rfc_8_leaf_vector() -> None:
    leaves = [
        bytes.fromhex(x) for x in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
    ]
    expected = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    assert mth(leaves).hex() == expected
    assert Tree(leaves).root(8).hex() == expected


@pytest.mark.parametrize("size", range(MAX + 1))
def test_root_matches_recursive(size: int) -> None:
    assert TREE.root(size) == mth(DATA[:size])
    assert root_of([leaf_hash(e) for e in DATA[:size]]) == mth(DATA[:size])


def test_every_complete_subtree_is_stored_once() -> None:
    tree = Tree(DATA[:70])
    assert len(tree.nodes) == 2 * 70 - bin(70).count("1")
    assert tree.nodes[(0, 69)] == leaf_hash(DATA[69])
    assert tree.nodes[(6, 0)] == mth(DATA[:64])


@pytest.mark.parametrize("size", range(1, MAX + 1))
def test_every_inclusion_proof(size: int) -> None:
    root = mth(DATA[:size])
    for i in range(size):
        proof = TREE.prove(i, size)
        assert proof == path(i, DATA[:size])
        verify_inclusion(leaf_hash(DATA[i]), i, size, proof, root)


@pytest.mark.parametrize("size", range(1, MAX + 1))
def test_every_consistency_proof(size: int) -> None:
    root2 = mth(DATA[:size])
    for m in range(0, size + 1):
        proof = TREE.consistency(m, size)
        assert proof == ([] if m in (0, size) else subproof(m, DATA[:size], True))
        verify_consistency(m, size, proof, mth(DATA[:m]), root2)


def flips(proof: list[bytes]):
    for j, h in enumerate(proof):
        for bit in (0, 7, 255):
            bad = bytearray(h)
            bad[bit // 8] ^= 1 << (bit % 8)
            yield proof[:j] + [bytes(bad)] + proof[j + 1 :]


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 31, 32, 33, 64, 70])
def test_broken_inclusion_proofs_fail(size: int) -> None:
    root = mth(DATA[:size])
    wrong_size_failures = 0
    for i in range(size):
        proof = TREE.prove(i, size)
        leaf = leaf_hash(DATA[i])
        bad_cases = list(flips(proof))
        bad_cases += [proof[:-1]] if proof else []
        bad_cases += [proof + [proof[0]] if proof else [b"\x00" * 32]]
        for bad in bad_cases:
            with pytest.raises(VerifyError):
                verify_inclusion(leaf, i, size, bad, root)
        for wrong_size in {size - 1, size + 1, 2 * size} - {0}:
            # A size is only bound through the proof's shape: it must fail whenever the shape differs.
            if i >= wrong_size or sides(i, wrong_size) != sides(i, size):
                wrong_size_failures += 1
                with pytest.raises(VerifyError):
                    verify_inclusion(leaf, i, wrong_size, proof, root)
        with pytest.raises(VerifyError):
            verify_inclusion(leaf_hash(b"other"), i, size, proof, root)
        with pytest.raises(VerifyError):
            verify_inclusion(leaf, size, size, proof, root)
    assert wrong_size_failures >= size


@pytest.mark.parametrize("size", [2, 3, 5, 8, 13, 31, 32, 33, 64, 70])
def test_broken_consistency_proofs_fail(size: int) -> None:
    root2 = mth(DATA[:size])
    wrong_size_failures = 0
    for m in range(1, size):
        proof = TREE.consistency(m, size)
        root1 = mth(DATA[:m])
        for bad in list(flips(proof)) + [proof[:-1], proof + [proof[0]], proof[1:]]:
            with pytest.raises(VerifyError):
                verify_consistency(m, size, bad, root1, root2)
        with pytest.raises(VerifyError):
            verify_consistency(m, size, proof, mth(DATA[1 : m + 1]), root2)
        with pytest.raises(VerifyError):
            verify_consistency(m, size, proof, root1, mth(DATA[: size - 1]))
        for m2, n2 in {(m + 1, size), (m, size + 1), (m - 1, size), (m, 2 * size)}:
            # Sizes are bound through the proof's shape; a proof of another length must fail.
            if 0 < m2 < n2 and len(subproof(m2, [b"%d" % i for i in range(n2)], True)) != len(proof):
                wrong_size_failures += 1
                with pytest.raises(VerifyError):
                    verify_consistency(m2, n2, proof, root1, root2)
    assert wrong_size_failures >= size - 1


def test_equal_sizes_with_different_roots_is_a_fork() -> None:
    with pytest.raises(VerifyError, match="forked"):
        verify_consistency(5, 5, [], mth(DATA[:5]), mth(DATA[1:6]))


BIG = [b"big %d" % i for i in range(3000)]
BIG_TREE = Tree(BIG)


@pytest.mark.parametrize("seed", range(20))
def test_random_large_sizes_prove_and_verify(seed: int) -> None:
    rng = random.Random(seed)
    size = rng.randrange(71, 3000)
    root = BIG_TREE.root(size)
    assert root == root_of([leaf_hash(e) for e in BIG[:size]])
    for _ in range(10):
        i = rng.randrange(size)
        verify_inclusion(leaf_hash(BIG[i]), i, size, BIG_TREE.prove(i, size), root)
        m = rng.randrange(1, size)
        verify_consistency(m, size, BIG_TREE.consistency(m, size), BIG_TREE.root(m), root)
