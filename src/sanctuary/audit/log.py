"""The decision log: append, checkpoint, prove, verify. Storage is a driver behind one protocol."""

from __future__ import annotations

import base64
import hmac
import json
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sanctuary import config
from sanctuary.audit import fsck, merkle
from sanctuary.audit.entry import keyed_view, seal
from sanctuary.audit.errors import AuditError, ForkRefused, KeyMissing
from sanctuary.audit.keys import VERIFIER_FILE, Signer, hmac_key, load_signer
from sanctuary.audit.storage import MAX_ENTRY, Store, open_store
from sanctuary.audit.verifier import VerifierKey, VerifyError, check_quorum, open_checkpoint, parse_vkey
from sanctuary.wakeups import settling

if TYPE_CHECKING:
    from sanctuary.audit.lease import Fence


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass(frozen=True)
class InclusionProof:
    index: int
    tree_size: int
    leaf_hash: bytes
    proof: list[bytes]
    root: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "tree_size": self.tree_size,
            "leaf_hash": b64(self.leaf_hash),
            "proof": [b64(p) for p in self.proof],
            "root": b64(self.root),
        }


@dataclass(frozen=True)
class ConsistencyProof:
    size1: int
    size2: int
    root1: bytes
    root2: bytes
    proof: list[bytes]

    def to_json(self) -> dict[str, Any]:
        return {
            "size1": self.size1,
            "size2": self.size2,
            "root1": b64(self.root1),
            "root2": b64(self.root2),
            "proof": [b64(p) for p in self.proof],
        }


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    first_bad_index: int | None
    message: str
    size: int = 0
    unverified: bool = False  # not checked (the verifier key is missing): no finding either way

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "first_bad_index": self.first_bad_index,
            "message": self.message,
            "size": self.size,
            "unverified": self.unverified,
        }


# Entries that follow another in the same commit, built once its index is known (a decision's duties).
Followers = Callable[[int], list[bytes]]
# An entry built with the log's HMAC key: its bytes and its protected record (the `clear` table).
Make = Callable[[bytes], tuple[bytes, dict[str, Any]]]


class _Pending:
    """Entries queued for one commit: given (`entries`), or built by the committer (`make`), and
    those that follow them (`then`, given the index of the first). `done` holds the index of the
    first once all of them are durable, or the error."""

    __slots__ = ("entries", "clears", "make", "then", "done")

    def __init__(
        self,
        entries: list[bytes] | None = None,
        clears: list[dict[str, Any] | None] | None = None,
        make: Callable[[], tuple[bytes, dict[str, Any]]] | None = None,
        then: Followers | None = None,
    ) -> None:
        self.entries, self.clears, self.make, self.then = entries or [], clears or [], make, then
        self.done: Future[int] = Future()


def _contiguous(rows: list[tuple[int, bytes]], start: int, end: int, what: str) -> list[bytes]:
    """The values of rows that must hold every index of [start, end), in order."""
    for expected, (idx, _) in enumerate(rows, start):
        if idx != expected:
            raise AuditError("log", f"{what} {expected} is missing; run `sanctuary audit verify --full`")
    if len(rows) != end - start:
        raise AuditError("log", f"{what} {start + len(rows)} is missing; run `sanctuary audit verify --full`")
    return [value for _, value in rows]


def _built(batch: list[_Pending]) -> list[_Pending]:
    """The batch with its entries built (`make`); one that cannot be built fails alone, and is left out."""
    ready: list[_Pending] = []
    for pending in batch:
        if pending.make is not None:
            try:
                data, protected = pending.make()
            except Exception as exc:  # noqa: BLE001 - handed to its caller
                pending.done.set_exception(exc)
                continue
            pending.entries, pending.clears = [data], [protected]
        ready.append(pending)
    return ready


@contextmanager
def _store_errors(action: str) -> Iterator[None]:
    """Driver errors (disk, database, network) become AuditError, so callers can fail closed."""
    try:
        yield
    except AuditError:
        raise
    except Exception as exc:  # noqa: BLE001 - any driver failure means the log cannot be trusted now
        raise AuditError("log", f"{action} failed: {type(exc).__name__}: {exc}") from exc


class DecisionLog:
    """A tamper-evident log of decisions. Thread-safe; concurrent appends share one commit."""

    def __init__(self, store: Store, keys_dir: Path | None = None) -> None:
        self._store = store
        self._keys_dir = keys_dir
        self._queue: list[_Pending] = []
        self._queued = threading.Condition(threading.Lock())  # guards _queue, _committer, _closing
        self._committer: threading.Thread | None = None
        self._closing = False
        self._checkpoint_lock = threading.Lock()
        self._hmac_key: bytes | None = None

    @property
    def url(self) -> str:
        return self._store.url

    # --- writing ----------------------------------------------------------------------------
    # Every append goes through one committer thread per log, which writes everything queued while
    # the previous commit ran in one transaction (group commit: one fsync for all of them). A caller
    # either waits for its entries (`append`, `append_built`: durable on return) or takes the future
    # and waits where it can do so without holding a thread (`append_built_later`: the gateway's
    # event loop).
    def append(self, entry: bytes, clear: dict[str, Any] | None = None) -> int:
        """Append one entry; when this returns the entry is committed durably. Returns its index."""
        return self.append_many([entry], [clear])

    def append_many(self, entries: list[bytes], clears: list[dict[str, Any] | None] | None = None) -> int:
        """Append entries atomically, at consecutive indices; durable on return. Returns the first index."""
        if clears is not None and len(clears) != len(entries):
            raise AuditError("clears", "must have one item per entry")
        for i, data in enumerate(entries):
            if not isinstance(data, bytes) or len(data) > MAX_ENTRY:
                raise AuditError("entry", f"item {i} must be bytes of at most {MAX_ENTRY} bytes")
        if not entries:
            raise AuditError("entries", "nothing to append")
        return self._queue_up(_Pending(list(entries), list(clears or [None] * len(entries)))).result()

    def append_built(self, make: Make, then: Followers | None = None) -> int:
        """`append_built_later`, durable when it returns. Returns the entry's index."""
        return self.append_built_later(make, then).result()

    def append_built_later(self, make: Make, then: Followers | None = None) -> Future[int]:
        """Queue one entry for the committer, which builds it with the log's HMAC key (`make(key)`:
        the entry's bytes and its protected record, e.g. `sanctuary.recording.build`) and commits
        it with the others queued; the future holds its index once it is durable, or the error
        (AuditError; one that `make` raises fails this entry alone). Nothing the entry permits may
        be released before then. `then(index)`: entries committed in the same transaction (this
        entry and these, or none), built once its index is known."""
        key = self.hmac_key()  # a missing key fails here, in the caller
        return self._queue_up(_Pending(make=lambda: make(key), then=then))

    def _queue_up(self, pending: _Pending) -> Future[int]:
        with self._queued:
            self._queue.append(pending)
            if self._committer is None or not self._committer.is_alive():
                self._closing = False
                self._committer = threading.Thread(target=self._commit_queued, name="log-committer", daemon=True)
                self._committer.start()
            else:
                self._queued.notify()
        return pending.done

    def _commit_queued(self) -> None:
        """The committer: commit whatever is queued, in order, until the log is closed."""
        while True:
            with self._queued:
                while not self._queue and not self._closing:
                    self._queued.wait()
                if not self._queue:
                    return
                batch, self._queue = self._queue, []
            with settling():  # an event loop waiting on several of the batch is woken once
                self._commit(batch)

    def _commit(self, batch: list[_Pending]) -> None:
        """Build what is to be built, append the batch in one transaction, settle every future. An
        entry that cannot be built fails alone; an append that fails, fails every caller in it.
        Whatever was queued while the committer waited for the log's write lock (on PostgreSQL,
        while another process committed) joins the batch once the lock is held, so that processes
        sharing one log batch their commits as one process does."""
        ready = _built(batch)
        if not ready:
            return

        def gather() -> tuple[list[bytes], list[dict[str, Any] | None]]:
            with self._queued:
                more, self._queue = self._queue, []
            joined = _built(more)
            ready.extend(joined)
            return [e for p in joined for e in p.entries], [c for p in joined for c in p.clears]

        def follow(first: int) -> tuple[list[bytes], list[dict[str, Any] | None]]:
            """What follows the batch's own entries (at `first` on), once their indices are known."""
            after: list[bytes] = []
            for pending in ready:
                if pending.then is not None:
                    after += pending.then(first)
                first += len(pending.entries)
            return after, [None] * len(after)

        try:
            entries, clears = [e for p in ready for e in p.entries], [c for p in ready for c in p.clears]
            first = self._store.append(entries, clears, follow, gather)
        except Exception as exc:  # noqa: BLE001 - handed to every caller in the batch
            failed = AuditError("log", f"append failed, nothing recorded: {exc}")
            failed.__cause__ = exc
            for pending in ready:
                pending.done.set_exception(failed)
            return
        for pending in ready:
            pending.done.set_result(first)
            first += len(pending.entries)

    def hmac_key(self) -> bytes:
        if self._hmac_key is None:
            self._hmac_key = hmac_key(self._keys_dir)
        return self._hmac_key

    def probe(self) -> None:
        """Raise AuditError unless the log can be read and appended to now; changes nothing in it."""
        with _store_errors("probing the log"):
            self._store.probe()

    # --- reading ----------------------------------------------------------------------------
    def size(self) -> int:
        with _store_errors("reading the size"):
            return self._store.size()

    def entry(self, index: int) -> bytes:
        with _store_errors("reading an entry"):
            data = self._store.entry(index)
        if data is None:
            raise AuditError("index", f"no entry {index} (log size {self.size()})")
        return data

    def entries(self, start: int, end: int) -> list[bytes]:
        """Entries [start, end) in order; a gap is an error naming the missing index."""
        with _store_errors("reading entries"):
            rows = self._store.entry_rows(start, end)
        return _contiguous(rows, start, end, "entry")

    def level_hashes(self, level: int, start: int, end: int) -> list[bytes]:
        """Stored hashes of the complete subtrees of `level`, indices [start, end)."""
        with _store_errors("reading tree nodes"):
            rows = self._store.level_rows(level, start, end)
        return _contiguous(rows, start, end, f"tree level {level} node")

    def reveal(self, index: int) -> dict[str, Any]:
        """The protected record behind entry `index`: clear text by field path (admin path only)."""
        self.entry(index)
        with _store_errors("reading identifiers"):
            return self._store.clear(index) or {}

    def keyed(self, index: int) -> dict[str, str]:
        """The linkable pseudonyms of entry `index`, without the clear text (oversight holding the key)."""
        return keyed_view(self.reveal(index), self.hmac_key())

    def verify_sealed(self, chunk: int = 1000) -> VerifyResult:
        """Check every protected record against the seal in its signed entry (needs the HMAC key):
        an insider who edits the clear table (what was handed out, the clear text) is caught here.
        Entries without a seal (format 1, raw appends) are skipped and counted."""
        n, checked, unsealed = self.size(), 0, 0
        key = self.hmac_key()
        for start in range(0, n, chunk):
            end = min(n, start + chunk)
            with _store_errors("reading protected records"):
                protected = self._store.clear_rows(start, end)
            for index, data in enumerate(self.entries(start, end), start):
                try:
                    sealed = json.loads(data).get("sealed")
                except (ValueError, AttributeError):
                    sealed = None
                if sealed is None:
                    unsealed += 1
                    continue
                if index not in protected or not hmac.compare_digest(sealed, seal(protected[index], key)):
                    return VerifyResult(False, index, f"the protected record of entry {index} is not the one its entry seals", n)
                checked += 1
        return VerifyResult(True, None, f"{checked} protected records match their seals; {unsealed} entries carry no seal", n)

    def sealed_ok(self, index: int) -> bool:
        """Whether the protected record of entry `index` is the one its signed public entry seals."""
        try:
            sealed = json.loads(self.entry(index)).get("sealed")
        except (ValueError, AttributeError):
            return False
        return sealed is not None and hmac.compare_digest(sealed, seal(self.reveal(index), self.hmac_key()))

    def _hashes(self, keys: set[merkle.Node]) -> dict[merkle.Node, bytes]:
        with _store_errors("reading tree nodes"):
            found = self._store.nodes(keys)
        missing = sorted(keys - found.keys())
        if missing:
            level, idx = missing[0]
            raise AuditError("log", f"tree node level {level} index {idx} is missing; run `sanctuary audit verify --full`")
        return found

    def _size_arg(self, size: int | None, field: str = "size") -> int:
        current = self.size()
        if size is None:
            return current
        if size < 0 or size > current:
            raise AuditError(field, f"{size} is outside 0..{current}")
        return size

    def root(self, size: int | None = None) -> bytes:
        n = self._size_arg(size)
        found = self._hashes(set(merkle.frontier(n)))
        return merkle.range_hash(0, n, found.__getitem__)

    def prove(self, index: int, size: int | None = None) -> InclusionProof:
        n = self._size_arg(size)
        if not 0 <= index < n:
            raise AuditError("index", f"{index} is not an entry of a tree of size {n}")
        ranges = merkle.inclusion_ranges(index, n)
        found = self._hashes(merkle.nodes_for(ranges) | set(merkle.frontier(n)) | {(0, index)})
        proof = [merkle.range_hash(a, b, found.__getitem__) for a, b in ranges]
        return InclusionProof(index, n, found[(0, index)], proof, merkle.range_hash(0, n, found.__getitem__))

    def consistency(self, m: int, n: int) -> ConsistencyProof:
        n = self._size_arg(n, "size2")
        if not 0 <= m <= n:
            raise AuditError("size1", f"{m} must be between 0 and size2 {n}")
        ranges = merkle.consistency_ranges(m, n)
        found = self._hashes(merkle.nodes_for(ranges) | set(merkle.frontier(m)) | set(merkle.frontier(n)))
        look = found.__getitem__
        return ConsistencyProof(
            m, n, merkle.range_hash(0, m, look), merkle.range_hash(0, n, look), [merkle.range_hash(a, b, look) for a, b in ranges]
        )

    # --- checkpoints ------------------------------------------------------------------------
    def signer(self) -> Signer:
        return load_signer(self._keys_dir)

    def vkey(self) -> VerifierKey:
        path = (self._keys_dir or config.keys_dir()) / VERIFIER_FILE
        try:
            return parse_vkey(path.read_text())
        except OSError:
            raise KeyMissing("key", f"no verifier key at {path}: run `sanctuary audit keygen NAME`") from None
        except VerifyError as exc:
            raise AuditError("key", f"{path}: {exc.reason}") from None

    def checkpoint(self, fence: Fence | None = None) -> str:
        """Sign the current tree as a C2SP checkpoint, refusing anything inconsistent with the past;
        with `fence`, stored only while it holds the signer lease (AuditError "signer" otherwise)."""
        signer = self.signer()
        with self._checkpoint_lock:
            n = self.size()
            with _store_errors("reading checkpoints"):
                previous = self._store.checkpoints()
            if previous:
                size, root, _ = previous[-1]
                if size > n:
                    raise ForkRefused("checkpoint", f"the log shrank: size {size} was signed, only {n} entries remain")
                if self.root(size) != root:
                    raise ForkRefused("checkpoint", f"the tree no longer matches the checkpoint signed at size {size}")
            root = self.root(n)
            note = signer.sign_note(f"{signer.name}\n{n}\n{b64(root)}\n")
            with _store_errors("storing the checkpoint"):
                return self._store.save_checkpoint(n, root, note, fence)

    def save_cosigned(self, size: int, note: str) -> None:
        """Store `note` (the checkpoint signed at `size`, with witnesses' cosignature lines added) in its place."""
        cp = open_checkpoint(note, self.vkey())
        if cp.size != size:
            raise AuditError("checkpoint", f"the cosigned note is for size {cp.size}, not {size}")
        with _store_errors("storing the cosigned checkpoint"):
            self._store.replace_note(size, cp.root, note)

    def latest_cosigned(self, witnesses: list[VerifierKey], quorum: int) -> str | None:
        """The newest stored checkpoint that carries `quorum` valid cosignatures of `witnesses`."""
        for note in reversed(self.checkpoints()):
            try:
                check_quorum(note, witnesses, quorum)
            except VerifyError:
                continue
            return note
        return None

    def latest_checkpoint(self) -> str | None:
        """The note of the newest stored checkpoint, or None before the first."""
        with _store_errors("reading checkpoints"):
            return self._store.latest_note()

    def signed_sizes(self) -> list[int]:
        """The tree sizes of every stored checkpoint, smallest first."""
        with _store_errors("reading checkpoints"):
            return [size for size, _, _ in self._store.checkpoints()]

    def checkpoints(self) -> list[str]:
        """Every signed checkpoint note stored, smallest tree first (open each with the verifier key)."""
        with _store_errors("reading checkpoints"):
            return [note for _, _, note in self._store.checkpoints()]

    # --- verification -----------------------------------------------------------------------
    def verify(self, full: bool = False, workers: int | None = None) -> VerifyResult:
        """Check the signed checkpoints against the tree; with `full`, recompute every leaf and node.

        On damage, `first_bad_index` names the first entry that is missing or no longer matches
        (for a checkpoint that disagrees with a consistent tree, the first index it may cover).
        """
        try:
            return self._verify(full, workers or os.cpu_count() or 1)
        except KeyMissing as exc:
            return VerifyResult(False, None, f"not verified: {exc}", unverified=True)
        except AuditError as exc:
            return VerifyResult(False, None, str(exc))

    def _verify(self, full: bool, workers: int) -> VerifyResult:
        n = self.size()
        if full:
            with _store_errors("recomputing the tree"):
                damage, _ = fsck.full_root(self._store, n, workers)
            if damage:
                return VerifyResult(False, damage.index, damage.message, n)
        with _store_errors("reading checkpoints"):
            checkpoints = self._store.checkpoints()
        if not checkpoints:
            what = "every leaf and node recomputed" if full else "nothing to check without a checkpoint"
            return VerifyResult(True, None, f"{n} entries, no signed checkpoint yet; {what}", n)
        vkey = self.vkey()
        covered = 0
        for size, root, note in checkpoints:
            try:
                cp = open_checkpoint(note, vkey)
            except VerifyError as exc:
                return VerifyResult(False, covered, f"checkpoint at size {size}: {exc.reason}", n)
            if (cp.size, cp.root) != (size, root):
                return VerifyResult(False, covered, f"stored checkpoint row for size {size} disagrees with its signed note", n)
            if size > n:
                return VerifyResult(False, n, f"log truncated: checkpoint signed {size} entries, only {n} remain", n)
            if self.root(size) != root:
                hint = "" if full else "; run with --full to locate it"
                return VerifyResult(
                    False,
                    covered if full else None,
                    f"tree at size {size} does not match its signed checkpoint (fork or rewrite "
                    f"after index {covered - 1 if covered else 'none'}){hint}",
                    n,
                )
            covered = size
        scope = "every leaf and node recomputed, " if full else ""
        return VerifyResult(True, None, f"{n} entries; {scope}{len(checkpoints)} checkpoint(s) verified, latest at size {covered}", n)

    def close(self) -> None:
        """Commit what is queued, stop the committer, close the store."""
        with self._queued:
            committer, self._closing = self._committer, True
            self._queued.notify()
        if committer is not None and committer is not threading.current_thread():
            committer.join()
        with _store_errors("closing"):
            self._store.close()


def open_log(url: str | None = None, keys_dir: Path | None = None, must_exist: bool = False) -> DecisionLog:
    """Open the log at `url` (None -> `sanctuary.config.log_url()`): a SQLite path or a postgresql:// URL.

    A new SQLite log is created unless `must_exist` (for commands that only inspect a log).
    """
    return DecisionLog(open_store(url or config.log_url(), must_exist), keys_dir)
