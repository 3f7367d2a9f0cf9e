"""A monitor: follows a published log (C2SP tlog-checkpoint + tlog-tiles) from outside the
department, and raises an alarm on anything a log must never do.

Each run fetches the checkpoint, checks the log's signature (and, with witnesses, the quorum of
cosignatures), then fetches only the entries added since the last checkpoint it accepted and
re-hashes them. It keeps the *compact range* of the tree it last accepted (one hash per set bit
of its size), so appending the new leaves to it must give the new checkpoint's root: that one
comparison proves both that the new entries are the ones published and that the log kept every
earlier entry unchanged (consistency), without trusting a proof the log serves. It needs no
hash tiles (the root is recomputed from the entries); `verify_log.py tiles` checks those.

Alarms (exit status 1, optional webhook): the log shrank (rollback), the same size with another
root or a new tree that does not extend the old one (fork or rewrite), a bad signature, a missing
cosignature, an entry bundle that cannot be read as published, a size of 2^63 or more (no log holds
that many entries: it is not fetched). Entry bundles are fetched a bounded batch at a time, so a
signed checkpoint claiming an absurd size costs the bundles the log really serves, then an error. The state only advances on a run
without alarm, so an alarm repeats until someone looks.
"""

from __future__ import annotations

import base64
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import urllib3

from sanctuary.audit.errors import AuditError
from sanctuary.audit.verifier import (
    COSIGNATURE_V1,
    TILE_WIDTH,
    Checkpoint,
    VerifierKey,
    VerifyError,
    check_quorum,
    fold_right,
    leaf_hashes,
    node_hash,
    open_checkpoint,
    parse_bundle,
    parse_vkey,
    reduce_perfect,
    tile_path,
)

FETCHERS = 8  # entry bundles fetched in parallel
BATCH = 4 * FETCHERS  # entry bundles asked for at once: the rest wait until these are folded in
MAX_SIZE = 2**63  # a checkpoint this large is a log gone wrong (or lying), not work: an alarm


class MonitorError(AuditError):
    """The monitor could not do its job (unreachable log, unreadable state): not an alarm about the log."""


@dataclass
class Report:
    ok: bool
    message: str
    alarm: str | None = None  # rollback, fork, signature, cosignature, tile, size
    old_size: int = 0
    new_size: int = 0
    verified: int = 0  # new entries re-hashed this run

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "alarm": self.alarm,
            "message": self.message,
            "old_size": self.old_size,
            "new_size": self.new_size,
            "verified": self.verified,
        }


@dataclass
class State:
    """What the monitor accepted last: the checkpoint and the compact range of its tree."""

    size: int = 0
    root: bytes = b""
    frontier: list[bytes] = field(default_factory=list)  # perfect subtree hashes, largest first
    checkpoint: str = ""

    @classmethod
    def load(cls, path: Path) -> State:
        if not path.exists():
            return cls()
        try:
            doc = json.loads(path.read_text())
            state = cls(doc["size"], base64.b64decode(doc["root"]), [base64.b64decode(h) for h in doc["frontier"]], doc["checkpoint"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise MonitorError("state", f"{path} is not a monitor state file: {exc}") from None
        if len(state.frontier) != state.size.bit_count() or fold_right(state.frontier) != state.root:
            raise MonitorError("state", f"{path} is damaged: its compact range does not give its root")
        return state

    def save(self, path: Path) -> None:
        doc = {
            "size": self.size,
            "root": base64.b64encode(self.root).decode(),
            "frontier": [base64.b64encode(h).decode() for h in self.frontier],
            "checkpoint": self.checkpoint,
        }
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(doc, indent=1))
        os.replace(tmp, path)


def extend(size: int, frontier: list[bytes], leaves: list[bytes]) -> list[bytes]:
    """The compact range of the tree of `size` + len(leaves) leaves, from that of `size` and the new leaves."""
    stack = list(frontier)  # heights are the set bits of `size`, largest first
    heights = [bit for bit in reversed(range(size.bit_length())) if size >> bit & 1]
    i = 0
    while i < len(leaves):
        if size % TILE_WIDTH == 0 and len(leaves) - i >= TILE_WIDTH:  # a whole aligned tile at once
            stack.append(reduce_perfect(leaves[i : i + TILE_WIDTH]))
            heights.append(8)
            step = TILE_WIDTH
        else:
            stack.append(leaves[i])
            heights.append(0)
            step = 1
        while len(heights) > 1 and heights[-1] == heights[-2]:
            right, left = stack.pop(), stack.pop()
            stack.append(node_hash(left, right))
            heights.pop()
            heights[-1] += 1
        size += step
        i += step
    return stack


class Source:
    """A published log: an http(s) base URL or a local folder holding `checkpoint` and `tile/...`."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        web = base.startswith(("http://", "https://"))
        self.client = urllib3.PoolManager(maxsize=FETCHERS, retries=False, timeout=urllib3.Timeout(total=30)) if web else None

    def get(self, relative: str) -> bytes:
        if self.client is None:
            try:
                return (Path(self.base) / relative).read_bytes()
            except OSError as exc:
                raise MonitorError("url", f"cannot read {relative}: {exc}") from None
        try:
            response = self.client.request("GET", f"{self.base}/{relative}")
        except urllib3.exceptions.HTTPError as exc:
            raise MonitorError("url", f"cannot fetch {self.base}/{relative}: {type(exc).__name__}: {exc}") from None
        if response.status != 200:
            raise MonitorError("url", f"{self.base}/{relative} answered HTTP {response.status}")
        return bytes(response.data)

    def close(self) -> None:
        if self.client is not None:
            self.client.clear()


def extend_from(source: Source, old: int, new: int, frontier: list[bytes]) -> tuple[list[bytes], int, str | None]:
    """The compact range after appending entries [old, new), each re-hashed from its entry bundle
    (fetched in parallel, folded in order as they arrive); the count re-hashed; the first problem."""
    first_tile, last_tile = old // TILE_WIDTH, (new - 1) // TILE_WIDTH

    def fetch(n: int) -> tuple[list[bytes], str | None]:
        width = min(TILE_WIDTH, new - n * TILE_WIDTH)
        path = tile_path("entries", n, width)
        try:
            entries = parse_bundle(source.get(path), width, n * TILE_WIDTH)
        except VerifyError as exc:
            return [], f"entry bundle {path}: {exc.reason}"
        return leaf_hashes(entries[max(old - n * TILE_WIDTH, 0) :]), None

    size, count = old, 0
    with ThreadPoolExecutor(FETCHERS) as pool:
        # in batches: a checkpoint claiming 2^62 entries costs the tiles it really has, not a schedule of 2^54 fetches
        for start in range(first_tile, last_tile + 1, BATCH):
            for hashes, problem in pool.map(fetch, range(start, min(start + BATCH, last_tile + 1))):
                if problem:
                    return frontier, count, problem
                frontier = extend(size, frontier, hashes)
                size += len(hashes)
                count += len(hashes)
    return frontier, count, None


def check(source: Source, vkey: VerifierKey, witnesses: list[VerifierKey], quorum: int, state: State) -> tuple[Report, State]:
    """One monitoring step: the report, and the state to keep (unchanged on an alarm)."""
    note = source.get("checkpoint").decode("utf-8", "replace")
    try:
        cp: Checkpoint = open_checkpoint(note, vkey)
    except VerifyError as exc:
        return Report(False, f"bad signature on the checkpoint: {exc.reason}", "signature", state.size), state
    if witnesses:
        try:
            check_quorum(note, witnesses, quorum)
        except VerifyError as exc:
            return Report(False, f"missing cosignature: {exc.reason}", "cosignature", state.size, cp.size), state
    if cp.size >= MAX_SIZE:
        return Report(False, f"absurd size: the checkpoint claims {cp.size} entries (2^63 or more)", "size", state.size, cp.size), state
    if cp.size < state.size:
        return Report(
            False, f"rollback: the log shows size {cp.size}, it showed {state.size} before", "rollback", state.size, cp.size
        ), state
    if cp.size == state.size:
        if state.size and cp.root != state.root:
            return Report(False, f"fork: a second root for size {cp.size}", "fork", state.size, cp.size), state
        return Report(True, f"{cp.origin} size {cp.size}: no new entries, same root", None, state.size, cp.size), state
    frontier, verified, problem = extend_from(source, state.size, cp.size, state.frontier)
    if problem:
        return Report(False, f"published entries unreadable: {problem}", "tile", state.size, cp.size, verified), state
    if fold_right(frontier) != cp.root:
        return Report(
            False,
            f"fork or rewrite: entries {state.size}..{cp.size - 1} appended to the tree seen at size {state.size} "
            "do not give the checkpoint's root",
            "fork",
            state.size,
            cp.size,
            verified,
        ), state
    cosigned = f", cosigned by at least {quorum} witnesses" if witnesses else ""
    report = Report(
        True,
        f"{cp.origin} size {state.size} -> {cp.size}: {verified} new entries re-verified, consistent with the last checkpoint{cosigned}",
        None,
        state.size,
        cp.size,
        verified,
    )
    return report, State(cp.size, cp.root, frontier, note)


def run(
    url: str,
    vkey_text: str,
    witness_texts: list[str],
    quorum: int | None,
    state_path: Path,
    webhook: str | None = None,
) -> Report:
    """Check the log at `url` once against the state in `state_path`; keep the new state if all is well."""
    try:
        vkey = parse_vkey(vkey_text)
        witnesses = [parse_vkey(w, COSIGNATURE_V1) for w in witness_texts]
    except VerifyError as exc:
        raise MonitorError("vkey", exc.reason) from None
    need = len(witnesses) if quorum is None else quorum
    if not 0 <= need <= len(witnesses):
        raise MonitorError("quorum", f"{need} needs at least that many --witness keys")
    state = State.load(state_path)
    source = Source(url)
    try:
        report, new_state = check(source, vkey, witnesses, need, state)
    finally:
        source.close()
    if report.ok:
        new_state.save(state_path)
    elif webhook:
        alarm = json.dumps({"log": vkey.name, "url": url, **report.to_json()}).encode()
        try:
            answered = urllib3.request("POST", webhook, body=alarm, headers={"Content-Type": "application/json"}, timeout=10, retries=False)
            failed = f"HTTP {answered.status}" if answered.status >= 300 else ""
        except urllib3.exceptions.HTTPError as exc:
            failed = type(exc).__name__
        if failed:  # the alarm stands; say the webhook did not take it
            report.message += f" (webhook {webhook} failed: {failed})"
    return report
