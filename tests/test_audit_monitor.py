"""The monitor as a real process over HTTP: it follows a published log, re-verifies only what is
new, keeps its state between runs, and raises an alarm (exit 1, webhook) on a rollback, a fork, a
bad signature, a missing cosignature or an entry bundle that cannot be read."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from audit_fixtures import DRIVERS, child_env, keys, log, log_url  # noqa: F401 - pytest fixtures
from sanctuary.audit import DecisionLog, open_log
from sanctuary.audit.cosign import Cosigner, WitnessEndpoint
from sanctuary.audit.tiles import publish
from sanctuary.audit.verifier import COSIGNATURE_V1, parse_vkey
from witness_process import keygen, serve


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def static(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A plain web server over a folder, as a department would publish its tiles."""
    root = tmp_path / "www"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()


@pytest.fixture
def hook() -> Iterator[tuple[str, list[dict]]]:
    received: list[dict] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server name
            received.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/alarm", received
    server.shutdown()


def monitor(url: str, vkey: str, state: Path, *extra: str) -> tuple[int, dict]:
    done = subprocess.run(
        [sys.executable, "-m", "sanctuary", "monitor", url, "--vkey", vkey, "--state", str(state), "--json", *extra],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def grow(log: DecisionLog, tag: str, n: int) -> None:
    log.append_many([f"{tag} {i}".encode() for i in range(n)])


@pytest.mark.parametrize("log_url", DRIVERS, indirect=True)
def test_following_a_log_rollback_fork_bad_signature_and_tiles(
    log: DecisionLog, keys: Path, static: tuple[str, Path], hook: tuple[str, list[dict]], tmp_path: Path
) -> None:
    base, root = static
    vkey = (keys / "log.vkey").read_text().strip()
    state = tmp_path / "monitor.json"
    grow(log, "decision", 300)
    publish(log, root / "log")
    shutil.copytree(root / "log", tmp_path / "at-300")
    code, report = monitor(f"{base}/log", vkey, state)
    assert code == 0 and (report["old_size"], report["new_size"], report["verified"]) == (0, 300, 300)
    grow(log, "decision", 230)
    publish(log, root / "log")
    code, report = monitor(f"{base}/log", vkey, state)
    assert code == 0 and (report["old_size"], report["new_size"], report["verified"]) == (300, 530, 230), "only what is new"
    code, report = monitor(f"{base}/log", vkey, state)
    assert code == 0 and report["verified"] == 0

    url, received = hook
    shutil.rmtree(root / "log")
    shutil.copytree(tmp_path / "at-300", root / "log")  # the department serves an older copy
    code, report = monitor(f"{base}/log", vkey, state, "--webhook", url)
    assert code == 1 and report["alarm"] == "rollback" and received[-1]["alarm"] == "rollback"

    fork = open_log(str(tmp_path / "fork.db"), keys)  # the same key, another history
    grow(fork, "rewritten", 600)
    shutil.rmtree(root / "log")
    publish(fork, root / "log")
    code, report = monitor(f"{base}/log", vkey, state)
    assert code == 1 and report["alarm"] == "fork"
    fork.close()

    shutil.rmtree(root / "log")
    grow(log, "decision", 1)
    publish(log, root / "log")
    checkpoint = (root / "log" / "checkpoint").read_text().split("\n")
    good = "\n".join(checkpoint)
    checkpoint[1] = "999"
    (root / "log" / "checkpoint").write_text("\n".join(checkpoint))
    code, report = monitor(f"{base}/log", vkey, state)
    assert code == 1 and report["alarm"] == "signature"
    (root / "log" / "checkpoint").write_text(good)
    bundle = root / "log" / "tile" / "entries" / "002.p" / "19"
    bundle.write_bytes(bundle.read_bytes()[:-3])  # the last entry cut short
    code, report = monitor(f"{base}/log", vkey, state)
    assert code == 1 and report["alarm"] == "tile"
    assert json.loads(state.read_text())["size"] == 530, "the state only advances when all is well"


@pytest.mark.parametrize("log_url", ["sqlite"], indirect=True)
def test_a_missing_cosignature_is_an_alarm(log: DecisionLog, keys: Path, static: tuple[str, Path], tmp_path: Path) -> None:
    base, root = static
    vkey = (keys / "log.vkey").read_text().strip()
    keygen(tmp_path / "w", "w.example/witness")
    witness = serve(tmp_path / "w", [vkey])
    try:
        grow(log, "decision", 40)
        cosigner = Cosigner([WitnessEndpoint(witness.url, parse_vkey(witness.vkey, COSIGNATURE_V1))], quorum=1)
        publish(log, root / "log", lambda note: cosigner.cosign(log, note))
        cosigner.close()
        state = tmp_path / "monitor.json"
        code, report = monitor(f"{base}/log", vkey, state, "--witness", witness.vkey)
        assert code == 0 and report["verified"] == 40
        grow(log, "decision", 2)
        publish(log, root / "log")  # published without asking the witness
        code, report = monitor(f"{base}/log", vkey, state, "--witness", witness.vkey)
        assert code == 1 and report["alarm"] == "cosignature"
    finally:
        witness.stop()


@pytest.mark.parametrize("log_url", DRIVERS, indirect=True)
def test_following_the_gateway(log_url: str, keys: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gateway_harness import BODIES, start
    from sanctuary.gateway import signing

    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    monkeypatch.setattr(signing, "CHECKPOINT_SECONDS", 0.0)
    gateway = start(tmp_path, str(tmp_path / "records.db"), log_url)
    try:
        for i in range(5):
            assert gateway.post("FBI", {**BODIES["warrant"], "id": f"t-{i}"}).status_code == 200
        vkey = (keys / "log.vkey").read_text().strip()
        state = tmp_path / "monitor.json"
        code, report = monitor(f"{gateway.url}/v1/audit/tiles", vkey, state)
        assert code == 0 and report["new_size"] == 5
        gateway.post("FBI", {**BODIES["warrant"], "id": "t-5"})
        code, report = monitor(f"{gateway.url}/v1/audit/tiles", vkey, state)
        assert code == 0 and (report["old_size"], report["verified"]) == (5, 1)
    finally:
        gateway.stop()


def _absurd(log: DecisionLog, root: Path, size: int) -> None:
    """The log's real tiles, under a checkpoint the log's own key signed for `size` entries."""
    publish(log, root)
    signer = log.signer()
    text = (root / "checkpoint").read_text().split("\n")
    (root / "checkpoint").write_text(signer.sign_note(f"{signer.name}\n{size}\n{text[2]}\n"))


def _bounded_monitor(url: str, vkey: str, state: Path) -> subprocess.CompletedProcess[str]:
    """The monitor with at most 1 GiB of address space and a minute: a run that schedules every tile
    fetch at once fails here instead of taking the machine."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    command = [sys.executable, "-m", "sanctuary", "monitor", url, "--vkey", vkey, "--state", str(state), "--json"]
    return subprocess.run(command, capture_output=True, text=True, env=child_env(), timeout=60, preexec_fn=limit)


@pytest.mark.parametrize("log_url", ["sqlite"], indirect=True)
def test_a_signed_checkpoint_of_absurd_size_neither_hangs_nor_exhausts_memory(log: DecisionLog, keys: Path, tmp_path: Path) -> None:
    vkey = (keys / "log.vkey").read_text().strip()
    grow(log, "decision", 300)
    _absurd(log, tmp_path / "log", 2**62)
    done = _bounded_monitor(str(tmp_path / "log"), vkey, tmp_path / "monitor.json")
    assert done.returncode == 2, done.stderr  # it fetched what the log has, then could not read the next bundle
    assert "tile/entries/001" in done.stderr and not (tmp_path / "monitor.json").exists()


@pytest.mark.parametrize("log_url", ["sqlite"], indirect=True)
def test_a_size_of_2_63_or_more_is_an_alarm_not_work(log: DecisionLog, keys: Path, tmp_path: Path) -> None:
    vkey = (keys / "log.vkey").read_text().strip()
    grow(log, "decision", 3)
    for size in (2**63, 2**64 - 1):
        _absurd(log, tmp_path / "log", size)
        done = _bounded_monitor(str(tmp_path / "log"), vkey, tmp_path / "monitor.json")
        assert done.returncode == 1, done.stderr
        report = json.loads(done.stdout)
        assert report["alarm"] == "size" and report["verified"] == 0 and str(size) in report["message"]
