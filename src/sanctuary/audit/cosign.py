"""Asking witnesses to cosign the log's checkpoints (the client side of C2SP tlog-witness).

The witnesses are listed in a TOML file, one `[[witness]]` table each with its `url` (the
submission prefix; `/add-checkpoint` is appended) and its `vkey` (the witness's verifier key,
signature type 0x04). A checkpoint counts as cosigned when at least `quorum` of them answered
with a valid `cosignature/v1`; their lines are appended to the note and stored with it.

A witness that is down or refuses never stops decisions being recorded: only the cosigned
checkpoint lags behind (`Cosigner.lagging_since`).
"""

from __future__ import annotations

import base64
import threading
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import urllib3

from sanctuary.audit.errors import AuditError
from sanctuary.audit.log import DecisionLog
from sanctuary.audit.verifier import (
    COSIGNATURE_V1,
    VerifierKey,
    VerifyError,
    open_cosignature,
    parse_checkpoint_text,
    parse_vkey,
    sign_line,
    split_note,
)

TIMEOUT = 2.0  # seconds per witness request


@dataclass(frozen=True)
class WitnessEndpoint:
    url: str
    vkey: VerifierKey


def read_witnesses(path: Path) -> list[WitnessEndpoint]:
    """The `[[witness]]` tables of a TOML file; AuditError naming the entry on anything wrong."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise AuditError("witnesses", f"{path}: {exc}") from None
    out = []
    for i, item in enumerate(doc.get("witness", [])):
        url, vkey = item.get("url"), item.get("vkey")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise AuditError(f"witness.{i}.url", "must be an http:// or https:// URL")
        try:
            key = parse_vkey(str(vkey), COSIGNATURE_V1)
        except VerifyError as exc:
            raise AuditError(f"witness.{i}.vkey", exc.reason) from None
        out.append(WitnessEndpoint(url.rstrip("/"), key))
    if not out:
        raise AuditError("witnesses", f"{path} lists no [[witness]]")
    return out


def _held(text: str, signatures: list[tuple[str, bytes]], wkey: VerifierKey) -> str:
    """The newest valid cosignature line of `wkey` among a note's signatures, or ""."""
    newest, best = -1, ""
    for name, raw in signatures:
        if (name, raw[:4]) != (wkey.name, wkey.key_id):
            continue
        line = sign_line(name, raw[:4], raw[4:])
        try:
            at = open_cosignature(text + "\n" + line, wkey)
        except VerifyError:
            continue
        if at > newest:
            newest, best = at, line
    return best


class Cosigner:
    """Cosigns checkpoints of one log with a set of witnesses; keeps each witness's last known size."""

    def __init__(self, witnesses: list[WitnessEndpoint], quorum: int, timeout: float = TIMEOUT) -> None:
        if not 0 < quorum <= len(witnesses):
            raise AuditError("quorum", f"{quorum} must be between 1 and the {len(witnesses)} witnesses listed")
        self.witnesses = witnesses
        self.quorum = quorum
        self.client = urllib3.PoolManager(maxsize=len(witnesses), retries=False, timeout=urllib3.Timeout(total=timeout))
        self._pool = ThreadPoolExecutor(len(witnesses), thread_name_prefix="cosign")
        self._sizes: dict[str, int] = {}
        self._lock = threading.Lock()
        self.lagging_since: float | None = None  # wall-clock time of the first failure since the last success
        self.last_error = ""

    def cosign(self, log: DecisionLog, note: str) -> str:
        """`note` with one cosignature line per witness, stored in the log; AuditError short of quorum.

        A witness whose valid cosignature the note already carries is not asked again: the log
        polled while idle hands back its stored checkpoint, which keeps one line per witness key
        (the newest) instead of piling up another on every fetch."""
        text, signatures = split_note(note)
        size = parse_checkpoint_text(text).size
        held = [_held(text, signatures, w.vkey) for w in self.witnesses]
        ours = {(w.vkey.name, w.vkey.key_id) for w in self.witnesses}
        others = dict.fromkeys(sign_line(name, raw[:4], raw[4:]) for name, raw in signatures if (name, raw[:4]) not in ours)
        bare = text + "\n" + "".join(others)  # the log's signature, without any witness's line
        proofs: dict[int, list[bytes]] = {}  # by old size: witnesses that agree share one proof
        missing = [w for w, line in zip(self.witnesses, held) if not line]
        answers = iter(self._pool.map(lambda w: self._ask(log, w, bare, size, proofs), missing))
        results = [(line, "") if line else next(answers) for line in held]
        lines = [line for line, _ in results if line]
        if len(lines) < self.quorum:
            problems = "; ".join(f"{w.vkey.name}: {why}" for w, (line, why) in zip(self.witnesses, results) if not line)
            with self._lock:
                self.lagging_since = self.lagging_since or time.time()
                self.last_error = problems
            raise AuditError("witnesses", f"{len(lines)} of the required {self.quorum} cosignatures: {problems}")
        cosigned = bare + "".join(lines)
        if cosigned != note:
            log.save_cosigned(size, cosigned)
        with self._lock:
            self.lagging_since, self.last_error = None, ""
        return cosigned

    def _ask(self, log: DecisionLog, witness: WitnessEndpoint, note: str, size: int, proofs: dict[int, list[bytes]]) -> tuple[str, str]:
        """(the witness's valid cosignature line or "", why not)."""
        old = self._sizes.get(witness.vkey.name, 0)
        for _ in range(2):  # a 409 tells the witness's size: ask again once with a proof from it
            if old > size:
                return "", f"the witness has seen size {old}, larger than this checkpoint's {size}: rollback or fork"
            if old not in proofs:
                proofs[old] = log.consistency(old, size).proof if old else []
            proof = proofs[old]
            body = f"old {old}\n" + "".join(base64.b64encode(p).decode() + "\n" for p in proof) + "\n" + note
            try:
                response = self.client.request("POST", f"{witness.url}/add-checkpoint", body=body.encode())
            except urllib3.exceptions.HTTPError as exc:
                return "", f"unreachable ({type(exc).__name__})"
            text = response.data.decode("utf-8", "replace")
            if response.status == 409 and response.headers.get("content-type", "").startswith("text/x.tlog.size"):
                try:
                    old = int(text.strip())
                except ValueError:
                    return "", "409 without a size"
                self._sizes[witness.vkey.name] = old
                continue
            if response.status != 200:
                return "", f"HTTP {response.status}: {text.strip()[:200]}"
            for line in text.splitlines(keepends=True):
                try:
                    open_cosignature(note + line, witness.vkey)
                except VerifyError:
                    continue  # another key's line, or not a valid cosignature: ignored
                self._sizes[witness.vkey.name] = size
                return line, ""
            return "", "no valid cosignature in the answer"
        return "", "the witness's size kept changing"

    def status(self) -> dict[str, Any]:
        """For /readyz and the pages: "ok", or since when (ISO-8601 UTC) cosigned checkpoints lag, and why."""
        with self._lock:
            since, reason = self.lagging_since, self.last_error
        if since is None:
            return {"ok": True, "quorum": self.quorum, "witnesses": len(self.witnesses)}
        at = datetime.fromtimestamp(since, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        return {"ok": False, "lagging_since": at, "reason": reason, "quorum": self.quorum, "witnesses": len(self.witnesses)}

    def close(self) -> None:
        self._pool.shutdown(wait=False)
        self.client.clear()
