"""The log as a C2SP tlog-tiles tree: tiles read from the log (the gateway serves them from any
replica), and a static copy any web server can serve as-is (`sanctuary audit publish`).

    DIR/checkpoint                     the signed checkpoint (written last)
    DIR/tile/<L>/<N>[.p/<W>]           hashes of tree level 8*L, 256 per full tile (8,192 bytes)
    DIR/tile/entries/<N>[.p/<W>]       entries, each prefixed by its big-endian uint16 length

Tiles and bundles are immutable: the log only grows, so a tile's bytes never change, and a file
that already exists is never rewritten (a copy an oversight body fetched earlier stays comparable
with later ones). A log serves the partial tiles of every tree size it signed a checkpoint for, so a
client holding any of its checkpoints finds every tile it needs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from sanctuary.audit.errors import AuditError
from sanctuary.audit.log import DecisionLog
from sanctuary.audit.verifier import TILE_HEIGHT, TILE_WIDTH, tile_path, tiles_at

Tile = tuple[int | str, int, int]  # (level, or "entries" for a bundle; tile index; width)
_PATH = re.compile(r"tile/(entries|\d{1,2})/((?:x\d{3}/)*\d{3})(?:\.p/(\d{1,3}))?")
MAX_LEVEL = 7  # 8 levels of 8 bits cover every 64-bit index


def parse_tile(path: str) -> Tile:
    """`tile/1/x001/234.p/7` -> (1, 1234, 7); AuditError("path") for anything not in C2SP's form."""
    match = _PATH.fullmatch(path)
    if match is None:
        raise AuditError("path", f"{path[:200]!r} is not a tile path (tile/<L>/<N>[.p/<W>], tile/entries/...)")
    level: int | str = match[1] if match[1] == "entries" else int(match[1])
    n = int(match[2].replace("x", "").replace("/", ""))
    width = int(match[3]) if match[3] else TILE_WIDTH
    if (isinstance(level, int) and level > MAX_LEVEL) or not 0 < width <= TILE_WIDTH or tile_path(level, n, width) != path:
        raise AuditError("path", f"{path[:200]!r} is not a tile path in canonical form")
    return level, n, width


def read_tile(log: DecisionLog, tile: Tile, size: int) -> bytes:
    """The bytes of `tile` from the log of `size` entries; AuditError("path") if the tree has no such tile."""
    level, n, width = tile
    start, end = n * TILE_WIDTH, n * TILE_WIDTH + width
    count = size if level == "entries" else size >> (TILE_HEIGHT * int(level))
    if end > count:
        raise AuditError("path", f"{tile_path(level, n, width)} is beyond the tree of size {size}")
    if level == "entries":
        return b"".join(len(e).to_bytes(2, "big") + e for e in log.entries(start, end))
    return b"".join(log.level_hashes(TILE_HEIGHT * int(level), start, end))


def tiles_for(size: int) -> Iterator[Tile]:
    """Every tile and bundle a client of a checkpoint at `size` reads."""
    for n, width in tiles_at(size):
        yield "entries", n, width
    level = 0
    while size >> (TILE_HEIGHT * level):
        for n, width in tiles_at(size >> (TILE_HEIGHT * level)):
            yield level, n, width
        level += 1


def partial_tiles(size: int) -> Iterator[Tile]:
    """The partial tiles of a tree of `size` (the ones no larger tree has): one per level at most."""
    if size % TILE_WIDTH:
        yield "entries", size // TILE_WIDTH, size % TILE_WIDTH
    level = 0
    while count := size >> (TILE_HEIGHT * level):
        if count % TILE_WIDTH:
            yield level, count // TILE_WIDTH, count % TILE_WIDTH
        level += 1


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def publish(log: DecisionLog, directory: Path, cosign: Callable[[str], str | None] | None = None) -> tuple[int, int]:
    """Sign a checkpoint and write every tile it needs, and the partial tiles of every older
    checkpoint the log signed; return (tree size, files written).

    With `cosign`, the checkpoint file gets the cosigned note it returns; when it returns None (the
    witnesses did not reach their quorum) the previous checkpoint file stays: the published
    checkpoint lags, and its tiles are all still there (tiles are never removed or rewritten)."""
    note = log.checkpoint()
    size = int(note.split("\n")[1])
    older = [t for signed in log.signed_sizes() if signed < size for t in partial_tiles(signed)]
    written = 0
    try:
        for tile in [*older, *tiles_for(size)]:
            path = directory / tile_path(*tile)
            if not path.exists():
                _write(path, read_tile(log, tile, size))
                written += 1
        final = cosign(note) if cosign is not None else note
        if final is None:
            return size, written
        _write(directory / "checkpoint", final.encode())
    except OSError as exc:
        raise AuditError("directory", f"cannot write {directory}: {exc}") from None
    return size, written + 1
