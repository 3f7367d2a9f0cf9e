"""Publish the log as a static C2SP tlog-tiles tree that any web server can serve as-is.

    DIR/checkpoint                     the signed checkpoint (written last)
    DIR/tile/<L>/<N>[.p/<W>]           hashes of tree level 8*L, 256 per full tile (8,192 bytes)
    DIR/tile/entries/<N>[.p/<W>]       entries, each prefixed by its big-endian uint16 length

Tiles and bundles are immutable: a file that already exists is never rewritten, so a copy an
oversight body fetched earlier stays comparable with later ones.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from sanctuary.audit.errors import AuditError
from sanctuary.audit.log import DecisionLog
from sanctuary.audit.verifier import TILE_HEIGHT, TILE_WIDTH, tile_path, tiles_at


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def publish(log: DecisionLog, directory: Path, cosign: Callable[[str], str | None] | None = None) -> tuple[int, int]:
    """Sign a checkpoint and write everything it needs; return (tree size, files written).

    With `cosign`, the checkpoint file gets the cosigned note it returns; when it returns None (the
    witnesses did not reach their quorum) the previous checkpoint file stays: the published
    checkpoint lags, and its tiles are all still there (tiles are never removed or rewritten)."""
    note = log.checkpoint()
    size = int(note.split("\n")[1])
    written = 0
    try:
        for n, width in tiles_at(size):
            path = directory / tile_path("entries", n, width)
            if not path.exists():
                entries = log.entries(n * TILE_WIDTH, n * TILE_WIDTH + width)
                _write(path, b"".join(len(e).to_bytes(2, "big") + e for e in entries))
                written += 1
        level = 0
        while size >> (TILE_HEIGHT * level):
            for n, width in tiles_at(size >> (TILE_HEIGHT * level)):
                path = directory / tile_path(level, n, width)
                if not path.exists():
                    hashes = log.level_hashes(TILE_HEIGHT * level, n * TILE_WIDTH, n * TILE_WIDTH + width)
                    _write(path, b"".join(hashes))
                    written += 1
            level += 1
        final = cosign(note) if cosign is not None else note
        if final is None:
            return size, written
        _write(directory / "checkpoint", final.encode())
    except OSError as exc:
        raise AuditError("directory", f"cannot write {directory}: {exc}") from None
    return size, written + 1
