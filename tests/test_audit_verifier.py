"""The stand-alone verifier: signed-note interop, tiles end to end, and that it needs nothing of ours."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from audit_fixtures import SRC, keys  # noqa: F401 - pytest fixture
from sanctuary.audit import open_log
from sanctuary.audit.keys import SIGNING_FILE, load_signer
from sanctuary.audit.tiles import publish
from sanctuary.audit.verifier import (
    VerifyError,
    open_checkpoint,
    open_note,
    parse_vkey,
    tile_index_path,
    tile_path,
    verify_tiles,
)

# The example key pair and note of the Go reference implementation (golang.org/x/mod/sumdb/note).
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_NOTE = GO_TEXT + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
TOOL = SRC.parent / "tools" / "verify_log.py"


def test_go_reference_note_verifies_and_we_sign_it_byte_for_byte(tmp_path: Path) -> None:
    vkey = parse_vkey(GO_VKEY)
    assert open_note(GO_NOTE, vkey) == GO_TEXT
    (tmp_path / SIGNING_FILE).write_text(GO_SKEY + "\n")
    signer = load_signer(tmp_path)
    assert str(signer.vkey) == GO_VKEY
    assert signer.sign_note(GO_TEXT) == GO_NOTE


def test_altered_or_foreign_notes_are_rejected() -> None:
    vkey = parse_vkey(GO_VKEY)
    for bad in [
        GO_NOTE.replace("cryptography", "cryptographY"),
        GO_NOTE.replace("x08go", "x08gO"),
        GO_NOTE.replace("PeterNeumann x", "Peter x"),
        GO_TEXT,
        GO_NOTE[:-1],
    ]:
        with pytest.raises(VerifyError):
            open_note(bad, vkey)
    with pytest.raises(VerifyError):  # a vkey whose id does not match its key
        parse_vkey(GO_VKEY.replace("c74f20a3", "c74f20a4"))


def test_tile_paths_follow_c2sp() -> None:
    assert tile_index_path(0) == "000"
    assert tile_index_path(1234067) == "x001/x234/067"
    assert tile_path(0, 1234067, 256) == "tile/0/x001/x234/067"
    assert tile_path("entries", 5, 17) == "tile/entries/005.p/17"


def published(tmp_path: Path, keys: Path, count: int, name: str = "pub", tweak: int | None = None) -> tuple[Path, str]:
    log = open_log(str(tmp_path / f"{name}.db"), keys)
    log.append_many([b"rewritten" if i == tweak else b"decision %d" % i for i in range(count)])
    out = tmp_path / name
    publish(log, out)
    log.close()
    return out, str(load_signer(keys).vkey)


@pytest.mark.parametrize("count", [1, 255, 256, 257, 70000])
def test_published_tiles_verify_end_to_end(tmp_path: Path, keys: Path, count: int) -> None:
    out, vkey = published(tmp_path, keys, count)
    cp, leaves = verify_tiles(out, parse_vkey(vkey))
    assert cp.size == count and len(leaves) == count
    if count >= 256:
        assert (out / "tile/0/000").stat().st_size == 8192
    if count == 70000:
        assert (out / "tile/1/001.p/17").exists()  # level-8 hashes: 273 complete, the last 17 in a partial tile


def test_damaged_publication_names_the_entry(tmp_path: Path, keys: Path) -> None:
    out, vkey = published(tmp_path, keys, 600)
    bundle = out / "tile/entries/001"
    data = bytearray(bundle.read_bytes())
    data[2 + len(b"decision 256") - 1] ^= 1  # last byte of entry 256
    bundle.write_bytes(bytes(data))
    with pytest.raises(VerifyError) as err:
        verify_tiles(out, parse_vkey(vkey))
    assert err.value.index == 256


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    """Run a copy of the verifier where `import sanctuary` is impossible."""
    code = (
        "import runpy, sys; sys.modules['sanctuary'] = None; sys.argv = ['verify_log.py'] + sys.argv[1:]; "
        f"runpy.run_path({str(TOOL)!r}, run_name='__main__')"
    )
    return subprocess.run([sys.executable, "-I", "-c", code, *args], capture_output=True, text=True, timeout=60)


def test_stand_alone_tool_checks_checkpoint_proofs_and_tiles(tmp_path: Path, keys: Path) -> None:
    assert TOOL.resolve().read_bytes() == (SRC / "sanctuary/audit/verifier.py").read_bytes()
    log = open_log(str(tmp_path / "log.db"), keys)
    log.append_many([b"decision %d" % i for i in range(300)])
    (tmp_path / "old.cp").write_text(log.checkpoint())
    log.append_many([b"decision %d" % i for i in range(300, 333)])
    (tmp_path / "new.cp").write_text(log.checkpoint())
    (tmp_path / "proof.json").write_text(json.dumps(log.prove(299).to_json()))
    (tmp_path / "entry").write_bytes(log.entry(299))
    (tmp_path / "cons.json").write_text(json.dumps(log.consistency(300, 333).to_json()))
    publish(log, tmp_path / "pub")
    vkey = str(log.vkey())
    log.close()
    ok = [
        ("checkpoint", str(tmp_path / "new.cp")),
        (
            "inclusion",
            "--checkpoint",
            str(tmp_path / "new.cp"),
            "--entry",
            str(tmp_path / "entry"),
            "--proof",
            str(tmp_path / "proof.json"),
        ),
        ("consistency", "--old", str(tmp_path / "old.cp"), "--new", str(tmp_path / "new.cp"), "--proof", str(tmp_path / "cons.json")),
        ("tiles", str(tmp_path / "pub")),
    ]
    for args in ok:
        result = run_tool("--vkey", vkey, *args)
        assert result.returncode == 0, result.stderr
        assert "OK" in result.stdout
    (tmp_path / "entry").write_bytes(b"decision 298")
    result = run_tool("--vkey", vkey, *ok[1])
    assert result.returncode == 1 and "FAILED" in result.stderr
    result = run_tool("--vkey", GO_VKEY, *ok[0])
    assert result.returncode == 1 and "no signature by PeterNeumann" in result.stderr


def test_rewritten_history_is_named_against_an_older_copy(tmp_path: Path, keys: Path) -> None:
    """A log operator rewrites entry 140 and republishes: comparing with the old copy names it."""
    old, vkey = published(tmp_path, keys, 300, "old")
    new, _ = published(tmp_path, keys, 320, "new", tweak=140)
    verify_tiles(new, parse_vkey(vkey))  # on its own the forged copy is self-consistent
    result = run_tool("--vkey", vkey, "tiles", str(new), "--previous", str(old))
    assert result.returncode == 1
    assert "entry 140 was rewritten" in result.stderr and "first bad index 140" in result.stderr
    old_cp = open_checkpoint((old / "checkpoint").read_text(), parse_vkey(vkey))
    assert old_cp.size == 300


def test_copied_out_tool_runs_alone(tmp_path: Path) -> None:
    copy = tmp_path / "verify_log.py"
    shutil.copyfile(TOOL, copy)
    result = subprocess.run([sys.executable, "-I", str(copy), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "tiles" in result.stdout


def test_publish_refuses_a_log_with_a_gap(tmp_path: Path, keys: Path) -> None:
    import sqlite3

    from sanctuary.audit import AuditError

    log = open_log(str(tmp_path / "gap.db"), keys)
    log.append_many([b"decision %d" % i for i in range(40)])
    conn = sqlite3.connect(tmp_path / "gap.db")
    with conn:
        conn.execute("DELETE FROM entry WHERE idx = 12")
    conn.close()
    with pytest.raises(AuditError, match="entry 12 is missing"):
        publish(log, tmp_path / "pub")
    assert not (tmp_path / "pub" / "checkpoint").exists()
    log.close()


def test_publish_writes_the_partial_tiles_of_every_older_checkpoint(tmp_path: Path, keys: Path) -> None:
    """C2SP tlog-tiles: a log serves the partial tiles of every size it signed a checkpoint for,
    so a client holding the older checkpoint finds its tiles in a folder published later."""
    log = open_log(str(tmp_path / "log.db"), keys)
    log.append_many([b"decision %d" % i for i in range(300)])
    older = log.checkpoint()  # signed, never published (as `sanctuary audit checkpoint` does)
    log.append_many([b"decision %d" % i for i in range(300, 600)])
    out = tmp_path / "pub"
    publish(log, out)
    log.close()
    for partial in ("tile/1/000.p/1", "tile/0/001.p/44", "tile/entries/001.p/44"):  # of size 300
        assert (out / partial).is_file(), partial
    as_then = tmp_path / "as-then"
    shutil.copytree(out, as_then)
    (as_then / "checkpoint").write_text(older)
    cp, leaves = verify_tiles(as_then, parse_vkey(str(load_signer(keys).vkey)))
    assert cp.size == 300 and leaves[299] == verify_tiles(out, parse_vkey(str(load_signer(keys).vkey)))[1][299]
