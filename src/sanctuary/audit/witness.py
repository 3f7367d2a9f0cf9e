"""A witness: an independent party that cosigns a log's checkpoints only if each is consistent with
the last one it cosigned, so the department cannot show one log to oversight and another to the
public (a split view) without a witness refusing, or signing evidence of it.

It speaks C2SP tlog-witness (`POST /add-checkpoint`) and answers C2SP tlog-cosignature
`cosignature/v1` lines (Ed25519, key ID with signature type 0x04, timestamped). Its folder holds
`witness.key` / `witness.vkey` and `witness.db`: the latest cosigned checkpoint per log (checked
and updated in one transaction, durable before the answer) and the requests it refused that
were signed by a log it follows (`evidence`: proof of misbehaviour, or of a broken client).
"""

from __future__ import annotations

import base64
import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sanctuary.audit.errors import AuditError
from sanctuary.audit.keys import Signer, generate, load_signer
from sanctuary.audit.verifier import (
    COSIGNATURE_V1,
    HASH_SIZE,
    VerifierKey,
    VerifyError,
    open_note,
    parse_checkpoint_text,
    parse_uint64,
    verify_consistency,
)
from sanctuary.serving import uvicorn_config

KEY_FILE = "witness.key"
VKEY_FILE = "witness.vkey"
STATE_FILE = "witness.db"
MAX_BODY = 16 * 1024  # 63 proof lines and a checkpoint with a few signatures fit many times over
MAX_PROOF = 63
SIZE_TYPE = "text/x.tlog.size"


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


def keygen(name: str, directory: Path) -> Signer:
    """Create the witness's cosigning key in `directory`; its verifier key is what logs and clients trust."""
    return generate(name, directory, sig_type=COSIGNATURE_V1, files=(KEY_FILE, VKEY_FILE))


def _uint(text: str) -> int:
    try:
        return parse_uint64(text, "old size")
    except VerifyError as exc:
        raise ValueError(exc.reason) from None


def parse_request(body: bytes) -> tuple[int, list[bytes], str]:
    """(old size, consistency proof, checkpoint note) of an add-checkpoint body; ValueError if malformed."""
    text = body.decode("utf-8")
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise ValueError("no empty line between the old size and proof lines and the checkpoint")
    lines = head.split("\n")
    if not lines[0].startswith("old "):
        raise ValueError("the first line must be `old <size>`")
    old = _uint(lines[0][4:])
    if len(lines) - 1 > MAX_PROOF:
        raise ValueError(f"more than {MAX_PROOF} consistency proof lines")
    proof = [base64.b64decode(line, validate=True) for line in lines[1:]]
    if any(len(p) != HASH_SIZE for p in proof):
        raise ValueError("a consistency proof line is not a 32-byte hash")
    return old, proof, note


class Witness:
    """The witness's state and its one operation, `add_checkpoint`; thread-safe."""

    def __init__(self, directory: Path, log_keys: list[VerifierKey], clock: Callable[[], float] = time.time) -> None:
        self.signer = load_signer(directory, sig_type=COSIGNATURE_V1, file=KEY_FILE)
        self.logs: dict[str, list[VerifierKey]] = {}
        for key in log_keys:
            self.logs.setdefault(key.name, []).append(key)
        self.clock = clock
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(directory / STATE_FILE, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS latest (origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root BLOB NOT NULL, note TEXT NOT NULL)"
            )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS evidence (at INTEGER NOT NULL, origin TEXT NOT NULL, status INTEGER NOT NULL, reason TEXT NOT NULL, body BLOB NOT NULL)"
            )
        except sqlite3.Error as exc:
            raise AuditError("witness", f"cannot open {directory / STATE_FILE}: {exc}") from None

    def latest(self, origin: str) -> tuple[int, bytes] | None:
        row = self._db.execute("SELECT size, root FROM latest WHERE origin = ?", (origin,)).fetchone()
        return (int(row[0]), bytes(row[1])) if row else None

    def add_checkpoint(self, body: bytes) -> Answer:
        """Check a submitted checkpoint as C2SP tlog-witness says, in its order, and cosign it."""
        try:
            old, proof, note = parse_request(body)
            origin = note.split("\n", 1)[0]
        except (ValueError, UnicodeDecodeError) as exc:
            return Answer(400, f"malformed request: {exc}\n")
        keys = self.logs.get(origin)
        if not keys:
            return Answer(404, f"unknown log {origin[:100]!r}\n")
        text = None
        for key in keys:
            try:
                text = open_note(note, key)
                break
            except VerifyError:
                continue
        if text is None:
            return Answer(403, "no signature verifies against a key this witness trusts for the log\n")
        try:
            cp = parse_checkpoint_text(text)
        except VerifyError as exc:
            return Answer(400, f"malformed checkpoint: {exc.reason}\n")
        if old > cp.size:
            return Answer(400, f"old size {old} is larger than the checkpoint size {cp.size}\n")
        if old == 0 and proof:
            return Answer(400, "a proof from old size 0 must be empty\n")
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                answer = self._check_and_store(old, proof, note, text, cp.size, cp.root, origin, body)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return answer

    def _check_and_store(
        self, old: int, proof: list[bytes], note: str, text: str, size: int, root: bytes, origin: str, body: bytes
    ) -> Answer:
        known = self.latest(origin)
        known_size, known_root = known or (0, b"")
        if old != known_size:
            return Answer(409, f"{known_size}\n", SIZE_TYPE)
        if known is not None:
            try:
                verify_consistency(old, size, proof, known_root, root)
            except VerifyError as exc:
                status = 409 if old == size else 422  # same size, another root: a fork
                self._db.execute(
                    "INSERT INTO evidence (at, origin, status, reason, body) VALUES (?, ?, ?, ?, ?)",
                    (int(self.clock()), origin, status, exc.reason, body),
                )
                return Answer(status, f"{exc.reason}\n")
        self._db.execute(
            "INSERT INTO latest (origin, size, root, note) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root, note = excluded.note",
            (origin, size, root, note),
        )
        return Answer(200, self.signer.cosign(text, int(self.clock())))

    def close(self) -> None:
        self._db.close()


def create_app(witness: Witness) -> Starlette:
    """The HTTP face of a witness: `POST /add-checkpoint` (C2SP tlog-witness)."""

    async def add_checkpoint(request: Request) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and (not (declared.isascii() and declared.isdigit()) or int(declared) > MAX_BODY):
            return Response(f"body larger than {MAX_BODY} bytes\n", status_code=413)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return Response(f"body larger than {MAX_BODY} bytes\n", status_code=413)
        answer = await run_in_threadpool(witness.add_checkpoint, body)
        return Response(answer.body, status_code=answer.status, media_type=answer.content_type)

    return Starlette(routes=[Route("/add-checkpoint", add_checkpoint, methods=["POST"])])


def serve(directory: Path, log_keys: list[VerifierKey], host: str, port: int, announce: Callable[[str], None]) -> None:
    """Serve the witness until interrupted; `announce` gets the URL once the socket listens (port 0: any free port)."""
    witness = Witness(directory, log_keys)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)  # connections wait in the backlog from now on, before the server starts accepting
    bound = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(create_app(witness)))
    announce(f"http://{host}:{bound}")
    try:
        server.run(sockets=[sock])
    finally:
        witness.close()
