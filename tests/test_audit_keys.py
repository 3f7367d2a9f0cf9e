"""The log's keys when two processes start at once on a new home (a gateway and a proxy): each key is
made once, whole, and every process reads the same one; no traceback."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sanctuary.audit.errors import KeyExists
from sanctuary.audit.keys import SIGNING_FILE, generate, hmac_key, load_signer

STARTS = 8


def _at_once(work: Callable[[], Any]) -> list[Any]:
    """`work` in STARTS threads released together; what each returned or raised."""
    gate = threading.Barrier(STARTS)
    results: list[Any] = [None] * STARTS

    def run(i: int) -> None:
        gate.wait()
        try:
            results[i] = work()
        except Exception as exc:  # noqa: BLE001 - the test looks at what was raised
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(STARTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("attempt", range(10))
def test_signing_keys_made_at_once_keep_one_and_refuse_the_others_by_name(tmp_path: Path, attempt: int) -> None:
    results = _at_once(lambda: generate("cpd.example/decisions", tmp_path))
    made = [r for r in results if not isinstance(r, Exception)]
    assert len(made) == 1, results
    assert all(isinstance(r, KeyExists) and r.field == "key" for r in results if r not in made), results
    assert load_signer(tmp_path).vkey == made[0].vkey  # the file holds the one kept, whole
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


@pytest.mark.parametrize("attempt", range(10))
def test_the_hmac_key_made_at_once_is_one_key_read_whole_by_all(tmp_path: Path, attempt: int) -> None:
    results = _at_once(lambda: hmac_key(tmp_path))
    assert all(isinstance(r, bytes) and len(r) == 32 for r in results), results
    assert len(set(results)) == 1
    assert (tmp_path / "hmac.key").stat().st_mode & 0o777 == 0o600


def test_a_key_that_exists_is_refused_by_name_and_kept(tmp_path: Path) -> None:
    first = generate("cpd.example/decisions", tmp_path)
    with pytest.raises(KeyExists, match="already exists"):
        generate("other.example/decisions", tmp_path)
    assert load_signer(tmp_path).vkey == first.vkey
    assert (tmp_path / SIGNING_FILE).stat().st_mode & 0o777 == 0o600


def test_a_server_that_finds_its_demo_key_made_by_another_says_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Two demo servers on a new home: the one whose key another made a moment before carries on
    # with that key, without "no log signing key" (which says checkpoints are unavailable).
    from sanctuary import options
    from sanctuary.audit import keys

    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    monkeypatch.delenv("SANCTUARY_KEYS", raising=False)

    def made_by_another(name: str, keys_dir: Path | None = None, **_: Any) -> None:
        raise KeyExists("key", "already exists")

    monkeypatch.setattr(keys, "generate", made_by_another)
    options._demo_signing_key()
    assert capsys.readouterr().err == ""
