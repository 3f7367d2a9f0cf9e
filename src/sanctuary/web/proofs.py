"""Proofs checked the way an outsider would: against the signed checkpoint and the verifier key.

The pages do not trust the log's own say-so: an inclusion proof is recomputed with the stand-alone
verifier (`sanctuary.audit.verifier`) against a checkpoint whose signature is checked first, and
each pair of consecutive checkpoints is linked by a consistency proof checked the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sanctuary.audit import AuditError
from sanctuary.audit.log import b64
from sanctuary.audit.verifier import (
    Checkpoint,
    VerifyError,
    leaf_hash,
    open_checkpoint,
    verify_consistency,
    verify_inclusion,
)

HISTORY_LIMIT = 50


@dataclass(frozen=True)
class InclusionCheck:
    index: int
    ok: bool
    message: str
    checkpoint: str  # the signed note the proof was checked against
    tree_size: int = 0
    leaf: str = ""
    root: str = ""
    path: tuple[str, ...] = ()
    vkey: str = ""


def check_inclusion(decision_log: Any, index: int) -> InclusionCheck:
    """Sign (or reuse) the current checkpoint, verify its signature, and check entry `index` is in it."""
    note = ""
    try:
        note = decision_log.checkpoint()
        vkey = decision_log.vkey()
        cp = open_checkpoint(note, vkey)
        proof = decision_log.prove(index, cp.size)
        leaf = leaf_hash(decision_log.entry(index))
        verify_inclusion(leaf, index, cp.size, proof.proof, cp.root)
    except (AuditError, VerifyError) as exc:
        return InclusionCheck(index, False, str(exc), note)
    return InclusionCheck(
        index,
        True,
        f"entry {index} is in the signed tree of {cp.size} entries",
        note,
        cp.size,
        b64(leaf),
        b64(cp.root),
        tuple(b64(h) for h in proof.proof),
        str(vkey),
    )


@dataclass(frozen=True)
class CheckpointLink:
    size: int
    root: str
    note: str
    ok: bool
    message: str  # the signature check and the consistency proof from the previous checkpoint
    previous: int | None = None  # the size it was proved consistent with (pages say it in the reader's words)
    hashes: int = 0  # the consistency proof's length


def history(decision_log: Any) -> list[CheckpointLink]:
    """The latest HISTORY_LIMIT signed checkpoints, newest first, each linked to the one before."""
    vkey = decision_log.vkey()
    notes = decision_log.checkpoints()[-(HISTORY_LIMIT + 1) :]
    out: list[CheckpointLink] = []
    previous: Checkpoint | None = None
    for note in notes:
        try:
            cp = open_checkpoint(note, vkey)
        except VerifyError as exc:
            out.append(CheckpointLink(0, "", note, False, f"signature: {exc.reason}"))
            previous = None
            continue
        hashes = 0
        if previous is None:
            ok, message = True, "signature verified"
        else:
            try:
                proof = decision_log.consistency(previous.size, cp.size)
                verify_consistency(previous.size, cp.size, proof.proof, previous.root, cp.root)
                hashes = len(proof.proof)
                ok, message = True, f"signature verified; consistent with size {previous.size} ({hashes} hashes)"
            except (AuditError, VerifyError) as exc:
                ok, message = False, f"not consistent with size {previous.size}: {exc}"
        out.append(CheckpointLink(cp.size, b64(cp.root), note, ok, message, previous.size if previous else None, hashes))
        previous = cp
    return list(reversed(out[-HISTORY_LIMIT:]))
