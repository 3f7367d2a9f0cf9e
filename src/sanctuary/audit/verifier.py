#!/usr/bin/env python3
"""Stand-alone verifier for the sanctuary decision log, for oversight staff.

This file imports nothing from sanctuary: only the Python standard library and `cryptography`
(for Ed25519). Copy it anywhere and run it with `python3 verify_log.py --help`.
`tools/verify_log.py` in the repository is this file.

What it checks, in the formats the Certificate Transparency and Sigstore ecosystems use:
- a checkpoint (C2SP tlog-checkpoint) signed as a C2SP signed note with Ed25519, against a
  verifier key `name+hexid+base64`;
- an inclusion proof (RFC 9162 §2.1.3.2) of one entry in a checkpoint;
- a consistency proof (RFC 9162 §2.1.4.2) between two checkpoints (nothing removed or rewritten);
- a published C2SP tlog-tiles directory end to end (every entry, every tile hash, the root), and
  optionally that an older published copy is a prefix of it (names the first rewritten entry);
- with `--witness VKEY --quorum N`, that each checkpoint carries valid C2SP tlog-cosignature
  (`cosignature/v1`, Ed25519, timestamped) cosignatures from at least N of the given witnesses.

The sanctuary log uses these same functions, so the log and its verifier cannot drift apart.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

HASH_SIZE = 32
TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
ED25519 = 0x01
COSIGNATURE_V1 = 0x04  # signature type of Ed25519 witness cosignatures (C2SP tlog-cosignature)
EM_DASH = "\u2014"


class VerifyError(Exception):
    """A check failed. `index` is the first bad entry index when one can be named."""

    def __init__(self, reason: str, index: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.index = index


# --- RFC 9162 §2.1.1 hashing -------------------------------------------------------------------

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def leaf_hashes(entries: Iterable[bytes]) -> list[bytes]:
    """`leaf_hash` of each entry (inlined: whole-log checks spend most of their time here)."""
    sha = hashlib.sha256
    return [sha(b"\x00" + e).digest() for e in entries]


def parent_level(hashes: Sequence[bytes]) -> list[bytes]:
    """The level above: `node_hash` of each pair (an odd last hash is left out)."""
    sha = hashlib.sha256
    return [sha(b"\x01" + a + b).digest() for a, b in zip(hashes[0::2], hashes[1::2])]


def reduce_perfect(hashes: Sequence[bytes]) -> bytes:
    """Hash of a perfect subtree whose leaves (or lower nodes) are `hashes` (length a power of 2)."""
    level = list(hashes)
    while len(level) > 1:
        level = parent_level(level)
    return level[0]


def fold_right(perfect: Sequence[bytes]) -> bytes:
    """Combine perfect subtree hashes, largest first, into an RFC 9162 root (empty -> EMPTY_ROOT)."""
    if not perfect:
        return EMPTY_ROOT
    root = perfect[-1]
    for h in reversed(perfect[:-1]):
        root = node_hash(h, root)
    return root


def decompose(hashes: Sequence[bytes]) -> list[bytes]:
    """Split a run of same-level hashes into its perfect subtrees, largest first, and hash each."""
    out, start, n = [], 0, len(hashes)
    for bit in reversed(range(n.bit_length())):
        if n >> bit & 1:
            out.append(reduce_perfect(hashes[start : start + (1 << bit)]))
            start += 1 << bit
    return out


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """RFC 9162 Merkle tree hash of a whole list of leaf hashes."""
    return fold_right(decompose(leaf_hashes))


# --- RFC 9162 §2.1.3.2 and §2.1.4.2 verification ---------------------------------------------


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Raise VerifyError unless `proof` shows leaf hash `leaf` at `index` in the tree of `size`."""
    if index < 0 or index >= size:
        raise VerifyError(f"index {index} is outside a tree of size {size}", index)
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if len(p) != HASH_SIZE:
            raise VerifyError("proof holds a hash that is not 32 bytes", index)
        if sn == 0:
            raise VerifyError("proof is longer than the tree is deep", index)
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerifyError("proof is shorter than the tree is deep", index)
    if r != root:
        raise VerifyError(f"inclusion proof for index {index} does not lead to the root", index)


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """Raise VerifyError unless the tree of `size2` extends the tree of `size1` unchanged."""
    if size1 < 0 or size2 < size1:
        raise VerifyError(f"size1 {size1} must be between 0 and size2 {size2}")
    if size1 == size2:
        if proof:
            raise VerifyError("a proof between equal sizes must be empty")
        if root1 != root2:
            raise VerifyError(f"two different roots for size {size1}: the log forked")
        return
    if size1 == 0:
        if proof:
            raise VerifyError("a proof from the empty tree must be empty")
        return
    if not proof:
        raise VerifyError("consistency proof is empty")
    if any(len(p) != HASH_SIZE for p in proof):
        raise VerifyError("proof holds a hash that is not 32 bytes")
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerifyError("proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerifyError("proof is shorter than the tree is deep")
    if fr != root1:
        raise VerifyError(f"the first {size1} entries were changed: old root does not match")
    if sr != root2:
        raise VerifyError("consistency proof does not lead to the new root")


# --- C2SP signed notes and checkpoints -------------------------------------------------------


def key_id(name: str, public_key: bytes, sig_type: int = ED25519) -> bytes:
    """C2SP signed-note key ID: first 4 bytes of SHA-256(name || 0x0A || type || public key)."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public_key).digest()[:4]


@dataclass(frozen=True)
class VerifierKey:
    name: str
    key_id: bytes
    public_key: bytes
    sig_type: int = ED25519  # 0x01 a log's signing key, 0x04 a witness's cosigning key

    def __str__(self) -> str:
        data = base64.b64encode(bytes([self.sig_type]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{data}"


def parse_vkey(text: str, sig_type: int = ED25519) -> VerifierKey:
    """Parse `name+hexid+base64(type || 32-byte Ed25519 public key)`; `sig_type` 0x01 for a log's
    key, 0x04 (COSIGNATURE_V1) for a witness's."""
    parts = text.strip().split("+", 2)  # names hold no '+'; base64 may
    if len(parts) != 3 or not parts[0] or len(parts[1]) != 8:
        raise VerifyError("vkey must look like name+hexid+base64")
    name, hexid, data = parts
    try:
        raw = base64.b64decode(data, validate=True)
        kid = bytes.fromhex(hexid)
    except ValueError as exc:
        raise VerifyError(f"vkey is not valid hex/base64: {exc}") from None
    if len(raw) != 33 or raw[0] != sig_type:
        what = "a witness's Ed25519 cosignature key (type 0x04" if sig_type == COSIGNATURE_V1 else "an Ed25519 log key (type 0x01"
        raise VerifyError(f"vkey is not {what}, 32 bytes)")
    if key_id(name, raw[1:], sig_type) != kid:
        raise VerifyError("vkey key ID does not match its name and public key")
    return VerifierKey(name, kid, raw[1:], sig_type)


def sign_line(name: str, kid: bytes, signature: bytes) -> str:
    return f"{EM_DASH} {name} {base64.b64encode(kid + signature).decode()}\n"


def split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """The text of a signed note (with its final newline) and its signatures as (name, key ID || signature)."""
    text, sep, sigs = note.rpartition("\n\n")
    if not sep or not sigs.endswith("\n"):
        raise VerifyError("not a signed note: missing blank line or final newline")
    lines = sigs[:-1].split("\n")
    if len(lines) > 100:
        raise VerifyError("signed note has too many signatures")
    out = []
    for line in lines:
        prefix, _, rest = line.partition(" ")
        name, _, data = rest.rpartition(" ")
        if prefix != EM_DASH or not name:
            raise VerifyError(f"malformed signature line {line!r}")
        try:
            out.append((name, base64.b64decode(data, validate=True)))
        except ValueError:
            raise VerifyError(f"signature line is not base64: {line!r}") from None
    return text + "\n", out


def open_note(note: str, vkey: VerifierKey) -> str:
    """Return the text of a signed note if `vkey` signed it; unknown signers are ignored."""
    text, signatures = split_note(note)
    public = Ed25519PublicKey.from_public_bytes(vkey.public_key)
    for name, raw in signatures:
        if name != vkey.name or raw[:4] != vkey.key_id:
            continue
        try:
            public.verify(raw[4:], text.encode())
        except InvalidSignature:
            raise VerifyError(f"signature by {name} does not verify: the note was altered") from None
        return text
    raise VerifyError(f"no signature by {vkey.name}+{vkey.key_id.hex()} on this note")


def cosigned_message(text: str, timestamp: int) -> bytes:
    """What a `cosignature/v1` signs: the header line, the time line, then the checkpoint text."""
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def open_cosignature(note: str, wkey: VerifierKey) -> int:
    """The timestamp of the witness `wkey`'s valid cosignature on the note's checkpoint."""
    text, signatures = split_note(note)
    public = Ed25519PublicKey.from_public_bytes(wkey.public_key)
    for name, raw in signatures:
        if name != wkey.name or raw[:4] != wkey.key_id:
            continue
        if len(raw) != 4 + 8 + 64:
            raise VerifyError(f"cosignature by {name} is not a timestamped Ed25519 signature")
        timestamp = int.from_bytes(raw[4:12], "big")
        if timestamp >= 1 << 63:
            raise VerifyError(f"cosignature by {name} has a timestamp beyond 2^63 - 1")
        try:
            public.verify(raw[12:], cosigned_message(text, timestamp))
        except InvalidSignature:
            raise VerifyError(f"cosignature by {name} does not verify: the checkpoint was altered") from None
        return timestamp
    raise VerifyError(f"no cosignature by witness {wkey.name}+{wkey.key_id.hex()}")


def check_quorum(note: str, witnesses: Sequence[VerifierKey], quorum: int) -> list[str]:
    """Names of the witnesses that validly cosigned; VerifyError unless there are at least `quorum`."""
    cosigned, problems = [], []
    for wkey in witnesses:
        try:
            open_cosignature(note, wkey)
            cosigned.append(wkey.name)
        except VerifyError as exc:
            problems.append(exc.reason)
    if len(cosigned) < quorum:
        raise VerifyError(f"{len(cosigned)} of the required {quorum} witness cosignatures: " + "; ".join(problems))
    return cosigned


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes


def parse_uint64(text: str, what: str) -> int:
    """A tree size as C2SP writes it: ASCII decimal digits without leading zeros, below 2^64
    (`str.isdigit` alone would take Arabic-Indic or superscript digits)."""
    if not (text.isascii() and text.isdigit()) or (text != "0" and text.startswith("0")):
        raise VerifyError(f"{what} {text[:30]!r} is not a decimal without leading zeros")
    if len(text) > 20 or int(text) >= 2**64:
        raise VerifyError(f"{what} {text[:30]!r} is 2^64 or more: a size is a 64-bit unsigned integer")
    return int(text)


def parse_checkpoint_text(text: str) -> Checkpoint:
    """Parse the body of a C2SP tlog-checkpoint: origin, decimal size, base64 root."""
    lines = text.split("\n")
    if len(lines) < 4 or not lines[0]:
        raise VerifyError("checkpoint needs an origin, a size and a root line")
    size = parse_uint64(lines[1], "checkpoint size")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except ValueError:
        raise VerifyError("checkpoint root is not base64") from None
    if len(root) != HASH_SIZE:
        raise VerifyError("checkpoint root is not 32 bytes")
    return Checkpoint(lines[0], size, root)


def open_checkpoint(note: str, vkey: VerifierKey) -> Checkpoint:
    """Verify the signature on a checkpoint and parse it; the origin must be the key's name."""
    cp = parse_checkpoint_text(open_note(note, vkey))
    if cp.origin != vkey.name:
        raise VerifyError(f"checkpoint origin {cp.origin!r} is not the key's log {vkey.name!r}")
    return cp


# --- C2SP tlog-tiles -----------------------------------------------------------------------


def tile_index_path(n: int) -> str:
    """`1234067` -> `x001/x234/067` (C2SP tlog-tiles path encoding)."""
    part = f"{n % 1000:03d}"
    while n >= 1000:
        n //= 1000
        part = f"x{n % 1000:03d}/{part}"
    return part


def tile_path(level: int | str, n: int, width: int) -> str:
    suffix = "" if width == TILE_WIDTH else f".p/{width}"
    return f"tile/{level}/{tile_index_path(n)}{suffix}"


def tiles_at(count: int) -> Iterator[tuple[int, int]]:
    """(tile index, width) of the tiles holding `count` hashes (or entries) of one level."""
    for n in range((count + TILE_WIDTH - 1) // TILE_WIDTH):
        yield n, min(TILE_WIDTH, count - n * TILE_WIDTH)


def parse_bundle(data: bytes, width: int, first: int) -> list[bytes]:
    out: list[bytes] = []
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise VerifyError("entry bundle ends inside a length prefix", first + len(out))
        length = int.from_bytes(data[pos : pos + 2], "big")
        out.append(data[pos + 2 : pos + 2 + length])
        pos += 2 + length
        if pos > len(data):
            raise VerifyError("entry bundle ends inside an entry", first + len(out) - 1)
    if len(out) != width:
        raise VerifyError(f"entry bundle holds {len(out)} entries, expected {width}", first + min(len(out), width))
    return out


def _read(base: Path, rel: str, index: int | None) -> bytes:
    try:
        return (base / rel).read_bytes()
    except OSError:
        raise VerifyError(f"missing file {rel}", index) from None


def tile_leaf_hashes(base: Path, size: int) -> Iterator[tuple[int, list[bytes], list[bytes]]]:
    """Yield (first index, entries, leaf hashes from the level-0 tile) bundle by bundle."""
    for n, width in tiles_at(size):
        first = n * TILE_WIDTH
        entries = parse_bundle(_read(base, tile_path("entries", n, width), first), width, first)
        tile = _read(base, tile_path(0, n, width), first)
        if len(tile) != width * HASH_SIZE:
            raise VerifyError(f"tile {tile_path(0, n, width)} has the wrong length", first)
        yield first, entries, [tile[i : i + HASH_SIZE] for i in range(0, len(tile), HASH_SIZE)]


def verify_tiles(base: Path, vkey: VerifierKey) -> tuple[Checkpoint, list[bytes]]:
    """Check a published tiles directory end to end; return its checkpoint and leaf hashes."""
    cp = open_checkpoint(_read(base, "checkpoint", None).decode(), vkey)
    leaves: list[bytes] = []
    for first, entries, stored in tile_leaf_hashes(base, cp.size):
        computed = leaf_hashes(entries)
        if computed != stored:
            bad = next(i for i, (a, b) in enumerate(zip(computed, stored)) if a != b)
            raise VerifyError(f"entry {first + bad} does not match its leaf hash in tile 0", first + bad)
        leaves.extend(computed)
    level_hashes, level = leaves, 0
    while len(level_hashes) >= TILE_WIDTH:
        level_hashes = [reduce_perfect(level_hashes[i : i + TILE_WIDTH]) for i in range(0, len(level_hashes) - TILE_WIDTH + 1, TILE_WIDTH)]
        level += 1
        for n, width in tiles_at(len(level_hashes)):
            want = b"".join(level_hashes[n * TILE_WIDTH : n * TILE_WIDTH + width])
            if _read(base, tile_path(level, n, width), None) != want:
                first = n * TILE_WIDTH << (TILE_HEIGHT * level)
                raise VerifyError(f"tile {tile_path(level, n, width)} does not match the entries", first)
    if root_of(leaves) != cp.root:
        raise VerifyError(f"entries do not produce the checkpoint root for size {cp.size}")
    return cp, leaves


def compare_prefix(old: Sequence[bytes], new: Sequence[bytes]) -> None:
    """Raise VerifyError naming the first entry of `old` that `new` lost or rewrote."""
    for i, h in enumerate(old):
        if i >= len(new):
            raise VerifyError(f"the log shrank: entry {i} is gone", i)
        if new[i] != h:
            raise VerifyError(f"entry {i} was rewritten since the older copy", i)


# --- command line --------------------------------------------------------------------------


def _b64list(values: Iterable[str]) -> list[bytes]:
    return [base64.b64decode(v, validate=True) for v in values]


def _load_json(path: str) -> dict[str, Any]:
    return json.loads(Path(path).read_text())


def _witnessed(args: argparse.Namespace, note: str, vkey: VerifierKey) -> Checkpoint:
    """Open a checkpoint with the log's key and, with --witness, require the quorum of cosignatures."""
    cp = open_checkpoint(note, vkey)
    if args.witness:
        check_quorum(note, [parse_vkey(w, COSIGNATURE_V1) for w in args.witness], args.quorum)
    return cp


def _cosigned_by(args: argparse.Namespace) -> str:
    return f", cosigned by at least {args.quorum} of {len(args.witness)} witnesses" if args.witness else ""


def _cmd_checkpoint(args: argparse.Namespace, vkey: VerifierKey) -> str:
    cp = _witnessed(args, Path(args.checkpoint).read_text(), vkey)
    return f"checkpoint OK: {cp.origin} size {cp.size} root {base64.b64encode(cp.root).decode()}{_cosigned_by(args)}"


def _cmd_inclusion(args: argparse.Namespace, vkey: VerifierKey) -> str:
    cp = _witnessed(args, Path(args.checkpoint).read_text(), vkey)
    proof = _load_json(args.proof)
    leaf = leaf_hash(Path(args.entry).read_bytes())
    if base64.b64decode(proof["leaf_hash"]) != leaf:
        raise VerifyError("the entry file does not hash to the proof's leaf_hash", proof["index"])
    if proof["tree_size"] != cp.size:
        raise VerifyError(f"proof is for size {proof['tree_size']}, checkpoint is size {cp.size}")
    verify_inclusion(leaf, proof["index"], cp.size, _b64list(proof["proof"]), cp.root)
    return f"inclusion OK: entry {proof['index']} is in {cp.origin} at size {cp.size}"


def _cmd_consistency(args: argparse.Namespace, vkey: VerifierKey) -> str:
    old = _witnessed(args, Path(args.old).read_text(), vkey)
    new = _witnessed(args, Path(args.new).read_text(), vkey)
    proof: dict[str, Any] = _load_json(args.proof) if args.proof else {"size1": old.size, "size2": new.size, "proof": []}
    if (proof["size1"], proof["size2"]) != (old.size, new.size):
        raise VerifyError(f"proof is for sizes {proof['size1']}->{proof['size2']}, checkpoints are {old.size}->{new.size}")
    hashes = proof["proof"]
    if not isinstance(hashes, list):
        raise VerifyError("proof: must be a list of base64 hashes")
    verify_consistency(old.size, new.size, _b64list(hashes), old.root, new.root)
    return f"consistency OK: {old.origin} size {old.size} is a prefix of size {new.size}"


def _cmd_tiles(args: argparse.Namespace, vkey: VerifierKey) -> str:
    cp, leaves = verify_tiles(Path(args.directory), vkey)
    _witnessed(args, (Path(args.directory) / "checkpoint").read_text(), vkey)
    if args.previous:
        old_cp, old_leaves = verify_tiles(Path(args.previous), vkey)
        compare_prefix(old_leaves, leaves)
        if root_of(leaves[: old_cp.size]) != old_cp.root:
            raise VerifyError(f"the older checkpoint (size {old_cp.size}) is not a prefix of this log")
    return f"tiles OK: {cp.origin} size {cp.size}, every entry and tile hash checked{_cosigned_by(args)}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="verify_log.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--vkey", required=True, help="the log's verifier key, name+hexid+base64")
    parser.add_argument("--witness", action="append", default=[], help="a witness's verifier key (type 0x04); repeatable")
    parser.add_argument("--quorum", type=int, default=None, help="cosignatures required (default: every --witness)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("checkpoint", help="verify a signed checkpoint")
    p.add_argument("checkpoint")
    p = sub.add_parser("inclusion", help="verify that an entry is in a checkpoint")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--entry", required=True, help="file with the exact entry bytes")
    p.add_argument("--proof", required=True, help="JSON from `sanctuary audit prove --json`")
    p = sub.add_parser("consistency", help="verify that a newer checkpoint extends an older one")
    p.add_argument("--old", required=True)
    p.add_argument("--new", required=True)
    p.add_argument("--proof", help="JSON from `sanctuary audit consistency --json` (omit for equal sizes)")
    p = sub.add_parser("tiles", help="verify a published tiles directory end to end")
    p.add_argument("directory")
    p.add_argument("--previous", help="an older published copy that must be a prefix of this one")
    args = parser.parse_args(argv)
    if args.quorum is None:
        args.quorum = len(args.witness)
    if args.quorum > len(args.witness) or args.quorum < 0:
        parser.error(f"--quorum {args.quorum} needs at least that many --witness keys")
    commands = {"checkpoint": _cmd_checkpoint, "inclusion": _cmd_inclusion, "consistency": _cmd_consistency, "tiles": _cmd_tiles}
    try:
        print(commands[args.command](args, parse_vkey(args.vkey)))
    except VerifyError as exc:
        where = f" (first bad index {exc.index})" if exc.index is not None else ""
        print(f"FAILED: {exc.reason}{where}", file=sys.stderr)
        return 1
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"FAILED: could not read input: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
