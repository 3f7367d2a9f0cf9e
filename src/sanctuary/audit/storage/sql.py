"""What the SQLite and PostgreSQL drivers share: the tables, the append transaction, the reads.

Tables: `entry(idx, data)` the exact entry bytes; `node(level, idx, hash)` every complete
perfect subtree, leaf hashes included; `clear(idx, fields)` the protected record of each entry, read
only by the admin path; `checkpoint(size, root, note)` every checkpoint the log signed;
`heartbeat(id, at)` one row the readiness probe writes (never part of the tree).
A driver supplies the connection, the placeholder style and the write lock (the sequencer).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import orjson

from sanctuary.audit import merkle
from sanctuary.audit.errors import AuditError, ForkRefused
from sanctuary.audit.storage.protocol import MAX_ENTRY, Follow, Gather

if TYPE_CHECKING:
    from sanctuary.audit.lease import Fence

Node = merkle.Node
HEARTBEAT = "INSERT INTO heartbeat (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at"


class SqlStore:
    """One connection, serialised by a lock; the driver's `_lock_for_append` is the sequencer."""

    url: str
    placeholder = "?"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._edge_size = -1
        self._edge: dict[int, bytes] = {}

    # --- driver hooks -----------------------------------------------------------------------
    def _connection(self) -> Any:
        raise NotImplementedError

    def _lock_for_append(self, cur: Any) -> int:
        """Take the write lock inside the open transaction and return the current size."""
        raise NotImplementedError

    def _lazy_commit(self, cur: Any, on: bool) -> None:
        """Let the next commit return before it is flushed to disk (`on`), or stop doing so."""
        raise NotImplementedError

    def _write_failed(self, exc: Exception) -> None:
        """A write failed with `exc` (rolled back, the lock held): a driver whose connection cannot
        recover from it arranges for the next use to open a new one."""

    def _roll_back(self, conn: Any, exc: Exception) -> None:
        """After a failed write: roll back (a dropped connection cannot, and says so again: the write's
        own error is the one raised), then let the driver recover (`_write_failed`)."""
        try:
            conn.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone; exc says why
            pass
        self._write_failed(exc)

    def _begin_append(self, cur: Any) -> tuple[int, dict[int, bytes]]:
        """Take the write lock in a new transaction; the size, and a copy of the tree's edge at it
        (the hashes of `merkle.frontier(size)` by level), read again only when another writer moved it."""
        size = self._lock_for_append(cur)
        if size != self._edge_size:
            self._edge = self._read_edge(cur, size)
        return size, dict(self._edge)

    def _write(
        self, cur: Any, entries: list[tuple[int, bytes]], nodes: list[tuple[int, int, bytes]], clears: list[tuple[int, str]]
    ) -> None:
        """Insert one append's rows: entries (idx, data), tree nodes (level, idx, hash), protected records (idx, fields)."""
        self._insert_entries(cur, entries)
        cur.executemany(self._sql("INSERT INTO node (level, idx, hash) VALUES (?, ?, ?)"), nodes)
        if clears:
            cur.executemany(self._sql("INSERT INTO clear (idx, fields) VALUES (?, ?)"), clears)

    def _locked_size(self, cur: Any) -> int:
        cur.execute("SELECT COALESCE(MAX(idx) + 1, 0) FROM entry")
        return int(cur.fetchone()[0])

    def _insert_entries(self, cur: Any, rows: list[tuple[int, bytes]]) -> None:
        cur.executemany(self._sql("INSERT INTO entry (idx, data) VALUES (?, ?)"), rows)

    # --- shared ---------------------------------------------------------------------------
    def _sql(self, text: str) -> str:
        return text if self.placeholder == "?" else text.replace("?", self.placeholder)

    def _query(self, text: str, params: Iterable[Any] = ()) -> list[tuple]:
        with self._lock:
            conn = self._connection()
            try:
                cur = conn.cursor()
                cur.execute(self._sql(text), tuple(params))
                rows = cur.fetchall()
                conn.commit()
                return rows
            except Exception:
                conn.rollback()
                raise

    def size(self) -> int:
        ((value,),) = self._query("SELECT COALESCE(MAX(idx) + 1, 0) FROM entry")
        return int(value)

    def append(
        self, entries: list[bytes], clears: list[dict[str, Any] | None], follow: Follow | None = None, gather: Gather | None = None
    ) -> int:
        """Append atomically and durably; return the index of the first entry. Once the write lock
        is held, `gather()` gives entries that join them, and `follow(size)` builds entries appended
        after them all in the same transaction."""
        with self._lock:
            conn = self._connection()
            try:
                cur = conn.cursor()
                size, edge = self._begin_append(cur)
                if gather is not None:
                    more, more_clears = gather()
                    entries, clears = [*entries, *more], [*clears, *more_clears]
                if follow is not None:
                    more, more_clears = follow(size)
                    entries, clears = [*entries, *more], [*clears, *more_clears]
                    if any(len(e) > MAX_ENTRY for e in more):
                        raise AuditError("entry", f"an entry that follows is longer than {MAX_ENTRY} bytes")
                nodes = merkle.extend(size, edge, entries)
                clear_rows = [(size + i, orjson.dumps(c, option=orjson.OPT_SORT_KEYS).decode()) for i, c in enumerate(clears) if c]
                self._write(cur, [(size + i, e) for i, e in enumerate(entries)], nodes, clear_rows)
                conn.commit()
            except Exception as exc:
                self._edge_size = -1
                self._roll_back(conn, exc)
                raise
            self._edge, self._edge_size = edge, size + len(entries)
            return size

    def probe(self) -> None:
        """Raise what an append would raise now, and leave the log as it was: a dry run of an append
        (the write lock, the tree's edge, an entry row of the largest size) rolled back, then one small
        committed write to `heartbeat` (disk full, read-only, locked, unreachable, damaged tree)."""
        with self._lock:
            conn = self._connection()
            try:
                try:
                    cur = conn.cursor()
                    size = self._lock_for_append(cur)
                    self._read_edge(cur, size)
                    self._insert_entries(cur, [(size, bytes(MAX_ENTRY))])
                finally:
                    conn.rollback()
                conn.cursor().execute(self._sql(HEARTBEAT), (int(time.time()),))
                conn.commit()
            except Exception as exc:
                self._roll_back(conn, exc)
                raise

    def _read_edge(self, cur: Any, size: int) -> dict[int, bytes]:
        return edge_of(size, self._fetch_nodes(cur, set(merkle.frontier(size))))

    def nodes(self, keys: set[Node]) -> dict[Node, bytes]:
        """Hashes of the given nodes; missing nodes are absent from the result."""
        with self._lock:
            conn = self._connection()
            try:
                found = self._fetch_nodes(conn.cursor(), keys)
                conn.commit()
                return found
            except Exception:
                conn.rollback()
                raise

    def _fetch_nodes(self, cur: Any, keys: set[Node]) -> dict[Node, bytes]:
        if not keys:
            return {}
        ordered = sorted(keys)
        where = " OR ".join(["(level = ? AND idx = ?)"] * len(ordered))
        cur.execute(self._sql(f"SELECT level, idx, hash FROM node WHERE {where}"), [v for k in ordered for v in k])
        return {(level, idx): bytes(h) for level, idx, h in cur.fetchall()}

    def entry(self, index: int) -> bytes | None:
        rows = self._query("SELECT data FROM entry WHERE idx = ?", (index,))
        return bytes(rows[0][0]) if rows else None

    def entry_rows(self, start: int, end: int) -> list[tuple[int, bytes]]:
        rows = self._query("SELECT idx, data FROM entry WHERE idx >= ? AND idx < ? ORDER BY idx", (start, end))
        return [(idx, bytes(data)) for idx, data in rows]

    def entry_data(self, start: int, end: int) -> list[bytes]:
        """Entry bytes of [start, end) in order, without their indices (the fast path of fsck)."""
        rows = self._query("SELECT data FROM entry WHERE idx >= ? AND idx < ? ORDER BY idx", (start, end))
        return [row[0] for row in rows]  # both drivers return BLOB / BYTEA as bytes

    def level_concat(self, level: int, start: int, end: int) -> bytes:
        """Stored hashes of one level, [start, end), concatenated in index order."""
        rows = self._query(self._concat_sql, (level, start, end))
        return bytes(rows[0][0] or b"")

    _concat_sql = "SELECT string_agg(hash, '' ORDER BY idx) FROM node WHERE level = ? AND idx >= ? AND idx < ?"

    def level_rows(self, level: int, start: int, end: int) -> list[tuple[int, bytes]]:
        rows = self._query("SELECT idx, hash FROM node WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx", (level, start, end))
        return [(idx, bytes(h)) for idx, h in rows]

    def clear_rows(self, start: int, end: int) -> dict[int, dict[str, Any]]:
        """The protected records of entries [start, end) that have one, by index."""
        rows = self._query("SELECT idx, fields FROM clear WHERE idx >= ? AND idx < ?", (start, end))
        return {int(idx): json.loads(fields) for idx, fields in rows}

    def clear(self, index: int) -> dict[str, Any] | None:
        rows = self._query("SELECT fields FROM clear WHERE idx = ?", (index,))
        return json.loads(rows[0][0]) if rows else None

    def checkpoints(self) -> list[tuple[int, bytes, str]]:
        rows = self._query("SELECT size, root, note FROM checkpoint ORDER BY size")
        return [(size, bytes(root), note) for size, root, note in rows]

    def _fence(self, cur: Any, size: int, fence: Fence) -> None:
        """Inside the transaction storing the checkpoint of `size`: refuse unless `fence` still holds
        the signer lease (AuditError "signer"), and record who signed it."""
        raise AuditError("signer", "only a PostgreSQL log has a signer lease")

    def latest_note(self) -> str | None:
        rows = self._query("SELECT note FROM checkpoint ORDER BY size DESC LIMIT 1")
        return str(rows[0][0]) if rows else None

    def save_checkpoint(self, size: int, root: bytes, note: str, fence: Fence | None = None) -> str:
        """Store a signed checkpoint; return the note already stored for this size and root. With
        `fence`, only while that holder and epoch still hold the signer lease."""
        with self._lock:
            conn = self._connection()
            try:
                cur = conn.cursor()
                if fence is not None:
                    self._fence(cur, size, fence)
                cur.execute(self._sql("SELECT root, note FROM checkpoint WHERE size = ?"), (size,))
                row = cur.fetchone()
                if row is None:
                    cur.execute(self._sql("INSERT INTO checkpoint (size, root, note) VALUES (?, ?, ?)"), (size, root, note))
                conn.commit()
            except Exception:
                conn.rollback()
                raise
        if row is None:
            return note
        if bytes(row[0]) != root:
            raise ForkRefused("checkpoint", f"size {size} was already signed with a different root")
        return str(row[1])

    def replace_note(self, size: int, root: bytes, note: str) -> None:
        """Replace the note of the checkpoint at `size` (same root) by one with more signatures.

        Committed without waiting for its own fsync (`_lazy_commit`): the witnesses' cosignatures
        can always be asked for again, so losing the last one to a power cut costs nothing, while an
        fsync here would sit on every cosigned checkpoint's path. The next durable commit (any
        append) makes it durable too."""
        with self._lock:
            conn = self._connection()
            cur = conn.cursor()
            try:
                self._lazy_commit(cur, True)
                cur.execute(self._sql("UPDATE checkpoint SET note = ? WHERE size = ? AND root = ?"), (note, size, root))
                changed = cur.rowcount
                conn.commit()
            except Exception:
                conn.rollback()
                raise
            finally:
                self._lazy_commit(cur, False)
        if changed != 1:
            raise ForkRefused("checkpoint", f"the log signed no checkpoint of size {size} with this root")

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        raise NotImplementedError


def schema(blob: str, bigint: str, node_options: str = "") -> list[str]:
    return [
        f"CREATE TABLE IF NOT EXISTS entry (idx {bigint} PRIMARY KEY, data {blob} NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS node (level INTEGER NOT NULL, idx {bigint} NOT NULL, "
        f"hash {blob} NOT NULL, PRIMARY KEY (level, idx)){node_options}",
        f"CREATE TABLE IF NOT EXISTS clear (idx {bigint} PRIMARY KEY, fields TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS checkpoint (size {bigint} PRIMARY KEY, root {blob} NOT NULL, note TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS heartbeat (id INTEGER PRIMARY KEY CHECK (id = 1), at {bigint} NOT NULL)",
    ]


def edge_of(size: int, found: dict[Node, bytes]) -> dict[int, bytes]:
    """The tree's edge at `size` (hash by level) from the frontier nodes `found`; AuditError when one is missing."""
    wanted = set(merkle.frontier(size))
    if found.keys() != wanted:
        level, idx = min(wanted - found.keys())
        raise AuditError("log", f"tree node level {level} index {idx} is missing; refusing to append to a damaged log")
    return {level: h for (level, _), h in found.items()}


def refuse(url: str, exc: Exception) -> AuditError:
    return AuditError("log", f"cannot open {url}: {exc}")
