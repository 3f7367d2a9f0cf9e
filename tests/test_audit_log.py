"""Conformance suite run against every storage driver (SQLite and PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from audit_fixtures import DRIVERS, child_env, execute, keys, log, log_url  # noqa: F401 - pytest fixtures
from sanctuary.audit import AuditError, DecisionLog, ForkRefused, open_log
from sanctuary.audit.verifier import VerifyError, leaf_hash, open_checkpoint, parse_vkey, verify_consistency, verify_inclusion
from test_audit_merkle import mth, path, subproof

pytestmark = pytest.mark.parametrize("log_url", DRIVERS, indirect=True)

DATA = [b"entry %d" % i for i in range(70)]


def fill(log: DecisionLog, entries: list[bytes]) -> None:
    for e in entries:
        log.append(e)


def test_indices_and_exact_bytes(log: DecisionLog) -> None:
    assert log.size() == 0
    assert log.root() == mth([])
    assert [log.append(e) for e in DATA[:5]] == [0, 1, 2, 3, 4]
    assert log.size() == 5
    assert log.entry(3) == DATA[3]
    with pytest.raises(AuditError) as err:
        log.entry(5)
    assert err.value.field == "index"


def test_roots_and_every_proof_up_to_70(log: DecisionLog) -> None:
    for i, e in enumerate(DATA):
        log.append(e)
        assert log.root() == mth(DATA[: i + 1])
    for size in range(0, 71):
        root = log.root(size)
        assert root == mth(DATA[:size])
        for i in range(size):
            p = log.prove(i, size)
            assert (p.index, p.tree_size, p.leaf_hash, p.root) == (i, size, leaf_hash(DATA[i]), root)
            assert p.proof == path(i, DATA[:size])
            verify_inclusion(p.leaf_hash, i, size, p.proof, p.root)
        for m in range(0, size + 1):
            c = log.consistency(m, size)
            assert (c.root1, c.root2) == (mth(DATA[:m]), root)
            assert c.proof == ([] if m in (0, size) else subproof(m, DATA[:size], True))
            verify_consistency(m, size, c.proof, c.root1, c.root2)


def test_reopen_reads_persisted_nodes(log_url: str, keys: Path) -> None:
    first = open_log(log_url, keys)
    fill(first, DATA[:37])
    first.close()
    again = open_log(log_url, keys)
    assert again.root() == mth(DATA[:37])
    assert again.append(b"more") == 37
    assert again.root() == mth(DATA[:37] + [b"more"])
    assert again.verify(full=True).ok
    again.close()


def test_bad_arguments_name_the_field(log: DecisionLog) -> None:
    fill(log, DATA[:4])
    cases = [
        (lambda: log.append("text"), "entry"),
        (lambda: log.append(b"x" * 70000), "entry"),
        (lambda: log.prove(4), "index"),
        (lambda: log.prove(0, 9), "size"),
        (lambda: log.consistency(3, 9), "size2"),
        (lambda: log.consistency(4, 2), "size1"),
        (lambda: log.root(-1), "size"),
    ]
    for call, field in cases:
        with pytest.raises(AuditError) as err:
            call()
        assert err.value.field == field
    assert log.size() == 4


def test_concurrent_threads_get_distinct_contiguous_indices(log: DecisionLog) -> None:
    got: list[int] = []
    lock = threading.Lock()

    def work(t: int) -> None:
        for n in range(40):
            index = log.append(b"t%d n%d" % (t, n))
            with lock:
                got.append(index)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(480))
    assert log.verify(full=True).ok


def test_processes_append_without_gaps_or_duplicates(log_url: str, keys: Path) -> None:
    open_log(log_url, keys).close()  # create the tables once, before the race
    cmd = [sys.executable, "-m", "sanctuary.audit.hammer", "--log", log_url, "--threads", "4", "--count", "25"]
    procs = [subprocess.Popen(cmd + ["--tag", f"p{k}"], stdout=subprocess.PIPE, text=True, env=child_env()) for k in range(3)]
    lines = [line for p in procs for line in p.communicate(timeout=60)[0].splitlines()]
    assert all(p.returncode == 0 for p in procs)
    acked = {int(line.split()[0]): line.split(" ", 1)[1] for line in lines}
    assert sorted(acked) == list(range(300)) and len(lines) == 300
    log = open_log(log_url, keys)
    for index, what in acked.items():
        tag, t, n = what.split()
        assert log.entry(index).startswith(f"hammer {tag} {t} {n} ".encode())
    assert log.verify(full=True).ok
    log.close()


def test_clear_identifiers_stay_out_of_the_entry(log: DecisionLog) -> None:
    index = log.append(b'{"subject":"hmac"}', {"subject.name": "Jane Roe"})
    assert log.reveal(index) == {"subject.name": "Jane Roe"}
    assert b"Jane" not in log.entry(index)
    assert log.reveal(log.append(b"plain")) == {}


def test_checkpoint_is_a_signed_c2sp_note(log: DecisionLog) -> None:
    fill(log, DATA[:10])
    note = log.checkpoint()
    cp = open_checkpoint(note, log.vkey())
    assert (cp.origin, cp.size, cp.root) == ("sanctuary.test/decisions", 10, mth(DATA[:10]))
    assert log.checkpoint() == note  # same size: the same note, never a second root
    assert str(log.vkey()) == str(parse_vkey(str(log.vkey())))


def test_checkpoint_without_key_fails_closed(log_url: str, tmp_path: Path) -> None:
    log = open_log(log_url, tmp_path / "no-keys")
    log.append(b"x")
    with pytest.raises(AuditError) as err:
        log.checkpoint()
    assert err.value.field == "key"
    log.close()


# --- tampering: each is found, with the index ----------------------------------------------


def signed_log(log: DecisionLog, n: int = 40) -> None:
    fill(log, DATA[:n])
    log.checkpoint()


def test_untouched_log_verifies(log: DecisionLog) -> None:
    signed_log(log)
    for full in (False, True):
        result = log.verify(full=full)
        assert result.ok and result.first_bad_index is None and result.size == 40


def test_edited_byte_is_found(log: DecisionLog, log_url: str) -> None:
    signed_log(log)
    execute(log_url, "UPDATE entry SET data = ? WHERE idx = 17", (b"entrY 17",))
    result = log.verify(full=True)
    assert not result.ok and result.first_bad_index == 17


def test_deleted_entry_is_found(log: DecisionLog, log_url: str) -> None:
    signed_log(log)
    execute(log_url, "DELETE FROM entry WHERE idx = 23")
    result = log.verify(full=True)
    assert not result.ok and result.first_bad_index == 23 and "missing" in result.message


def test_swapped_entries_are_found(log: DecisionLog, log_url: str) -> None:
    signed_log(log)
    execute(log_url, "UPDATE entry SET data = ? WHERE idx = 8", (DATA[30],))
    execute(log_url, "UPDATE entry SET data = ? WHERE idx = 30", (DATA[8],))
    result = log.verify(full=True)
    assert not result.ok and result.first_bad_index == 8


def test_tampered_node_is_found(log: DecisionLog, log_url: str) -> None:
    signed_log(log)
    signed_root = log.root()
    execute(log_url, "UPDATE node SET hash = ? WHERE level = 3 AND idx = 2", (b"\x00" * 32,))
    p = log.prove(25)  # a damaged inner node gives proofs no verifier accepts
    with pytest.raises(VerifyError):
        verify_inclusion(leaf_hash(DATA[25]), 25, 40, p.proof, signed_root)
    result = log.verify(full=True)
    assert not result.ok and result.first_bad_index == 16 and "level 3" in result.message
    execute(log_url, "UPDATE node SET hash = ? WHERE level = 5 AND idx = 0", (b"\x00" * 32,))
    assert not log.verify().ok  # a damaged node on the right edge changes the root itself
    with pytest.raises(ForkRefused):
        log.checkpoint()


def test_an_append_to_a_log_whose_edge_lost_a_node_is_refused(log: DecisionLog, log_url: str, keys: Path) -> None:
    """The tree's edge is read inside the append (a process that opens the log, or a replica after
    another appended): a missing node of it refuses the append, and nothing is recorded."""
    fill(log, DATA[:13])  # 13 = 8 + 4 + 1: the edge is the nodes (3, 0), (2, 2) and (0, 12)
    execute(log_url, "DELETE FROM node WHERE level = 2 AND idx = 2")
    fresh = open_log(log_url, keys)
    try:
        with pytest.raises(AuditError) as err:
            fresh.append(b"more")
        assert "tree node level 2 index 2 is missing; refusing to append" in err.value.reason
        assert fresh.size() == 13
    finally:
        fresh.close()


def test_truncation_is_found(log: DecisionLog, log_url: str) -> None:
    signed_log(log)
    execute(log_url, "DELETE FROM entry WHERE idx >= 33")
    execute(log_url, "DELETE FROM node WHERE (idx + 1) * (1 << level) > 33")
    for full in (False, True):
        result = log.verify(full=full)
        assert not result.ok and result.first_bad_index == 33 and "truncated" in result.message
    with pytest.raises(ForkRefused):
        log.checkpoint()


def test_rewritten_history_is_a_fork(log: DecisionLog, log_url: str, keys: Path) -> None:
    """An insider rewrites entry 12 and rebuilds a consistent tree: the signed past exposes it."""
    fill(log, DATA[:10])
    log.checkpoint()
    fill(log, DATA[10:40])
    old_note = log.checkpoint()
    execute(log_url, "DELETE FROM entry")
    execute(log_url, "DELETE FROM node")
    forged = DATA[:12] + [b"rewritten"] + DATA[13:40]
    fresh = open_log(log_url, keys)
    fill(fresh, forged)
    result = fresh.verify(full=True)
    assert not result.ok and result.first_bad_index == 10  # first index not covered by a matching checkpoint
    with pytest.raises(ForkRefused):
        fresh.checkpoint()
    with pytest.raises(ForkRefused):  # even signing the forged root directly is refused for a signed size
        fresh._store.save_checkpoint(40, fresh.root(), fresh.signer().sign_note("x\n"))
    assert open_checkpoint(old_note, fresh.vkey()).root != fresh.root()
    fresh.close()


def test_unreachable_store_fails_closed(log_url: str) -> None:
    bad = "postgresql://postgres@127.0.0.1:1/none" if log_url.startswith("postgresql") else "/proc/no/such/dir/log.db"
    with pytest.raises(AuditError) as err:
        open_log(bad)
    assert err.value.field == "log"


def test_append_many_is_contiguous_and_checked(log: DecisionLog) -> None:
    log.append(b"first")
    assert log.append_many([b"a", b"b", b"c"], [None, {"subject.name": "X"}, None]) == 1
    assert log.entries(0, 4) == [b"first", b"a", b"b", b"c"] and log.reveal(2) == {"subject.name": "X"}
    for bad, field in [(([],), "entries"), (([b"a", 5],), "entry"), (([b"a"], [None, None]), "clears")]:
        with pytest.raises(AuditError) as err:
            log.append_many(*bad)
        assert err.value.field == field
    assert log.size() == 4


@pytest.mark.parametrize("workers", [1, 2])
def test_full_verify_across_chunks_and_workers(log: DecisionLog, log_url: str, workers: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from sanctuary.audit import fsck

    monkeypatch.setattr(fsck, "CHUNK_LEVEL", 3)  # chunks of 8 entries: the parent climbs from level 3
    monkeypatch.setattr(fsck, "CHUNK", 8)
    log.append_many([b"entry %d" % i for i in range(101)])
    log.checkpoint()
    assert log.verify(full=True, workers=workers).ok
    execute(log_url, "UPDATE node SET hash = ? WHERE level = 5 AND idx = 1", (b"\x01" * 32,))
    result = log.verify(full=True, workers=workers)
    assert not result.ok and result.first_bad_index == 32 and "level 5" in result.message
    execute(log_url, "UPDATE entry SET data = ? WHERE idx = 77", (b"entry 78",))
    result = log.verify(full=True, workers=workers)
    assert not result.ok and result.first_bad_index == 77  # damaged entries come before damaged upper nodes
