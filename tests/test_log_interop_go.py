"""The decision log as the Go team's reference code reads it: tests/interop/logcheck.go, built with
Debian's Go against Debian's golang.org/x/mod (`make golang`), opens the checkpoint with sumdb/note,
checks the tiles (full and partial, levels 0 and 1) and entry bundles with sumdb/tlog, proves
inclusion of entries and the consistency of an older checkpoint, and rejects a tampered log; with a
witness, it checks the witness's cosignature/v1 line from the C2SP text (x/mod has no helper for it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from gateway_harness import BODIES, Running, start
from sanctuary import config
from sanctuary.audit.keys import generate, load_signer
from sanctuary.audit.verifier import leaf_hash
from witness_process import keygen, serve

LOGCHECK = Path(__file__).resolve().parent / "interop" / "logcheck.go"
GOPATH = Path("/usr/share/gocode")  # where Debian's golang-golang-x-mod-dev puts the source


@pytest.fixture(scope="module")
def logcheck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    go = shutil.which("go")
    if go is None or not (GOPATH / "src" / "golang.org" / "x" / "mod" / "sumdb" / "tlog").is_dir():
        pytest.skip("Debian's golang-go and golang-golang-x-mod-dev are not installed (`make golang`)")
    out = tmp_path_factory.mktemp("go")
    env = {**os.environ, "GO111MODULE": "off", "GOPATH": str(GOPATH), "GOCACHE": str(out / "cache"), "GOFLAGS": ""}
    subprocess.run([go, "build", "-o", str(out / "logcheck"), str(LOGCHECK)], env=env, check=True, timeout=120)
    return out / "logcheck"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    home = tmp_path_factory.mktemp("interop")
    patch = pytest.MonkeyPatch()
    patch.setenv("SANCTUARY_HOME", str(home))
    running = start(home, str(home / "records.db"), str(home / "log.db"))
    yield running
    running.stop()
    patch.undo()


def post(gateway: Running, count: int, tag: str) -> None:
    key = gateway.key("FBI")
    with httpx.Client(headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:

        def one(i: int) -> None:
            response = client.post(f"{gateway.url}/v1/requests", json={**BODIES["warrant"], "id": f"{tag}-{i}"})
            assert "log_index" in response.json(), response.text

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(one, range(count)))
    time.sleep(1.1)  # the gateway signs a new checkpoint at most once a second


def run(logcheck: Path, base: str, *args: str) -> subprocess.CompletedProcess[str]:
    vkey = (config.keys_dir() / "log.vkey").read_text().strip()
    return subprocess.run([str(logcheck), "-vkey", vkey, *args, base], capture_output=True, text=True, timeout=60)


class Tamper:
    """A proxy in front of the gateway that changes the bytes of the answers whose path ends as asked."""

    def __init__(self, upstream: str) -> None:
        self.rules: dict[str, Callable[[bytes], bytes]] = {}
        tamper = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                got = httpx.get(upstream + self.path, headers={"Accept-Encoding": "identity"}, timeout=30)
                body = got.content
                for suffix, change in tamper.rules.items():
                    if self.path.endswith(suffix):
                        body = change(body)
                self.send_response(got.status_code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


def flip(at: int) -> Callable[[bytes], bytes]:
    return lambda data: data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


def reverse_proof(body: bytes) -> bytes:
    """The log's inclusion proof with its hashes in the reverse order: valid base64, the wrong path."""
    proof = json.loads(body)
    return json.dumps({**proof, "proof": proof["proof"][::-1]}).encode()


def rewrite_entry(gateway: Running, index: int) -> dict[str, Callable[[bytes], bytes]]:
    """Entry `index` of the first bundle changed, and its leaf hash in the first tile to match."""
    bundle = httpx.get(f"{gateway.url}/v1/audit/tiles/tile/entries/000", headers={"Accept-Encoding": "identity"}, timeout=30).content
    at = 0
    for _ in range(index):
        at += 2 + int.from_bytes(bundle[at : at + 2], "big")
    length = int.from_bytes(bundle[at : at + 2], "big")
    bundle = flip(at + 2 + length // 2)(bundle)
    leaf = leaf_hash(bundle[at + 2 : at + 2 + length])
    return {
        "/tiles/tile/entries/000": lambda _: bundle,
        "/tiles/tile/0/000": lambda tile: tile[: 32 * index] + leaf + tile[32 * (index + 1) :],
    }


def test_the_reference_go_client_verifies_the_log_and_rejects_tampering(logcheck: Path, gateway: Running, tmp_path: Path) -> None:
    base = f"{gateway.url}/v1/audit"
    post(gateway, 5, "go-a")
    first = run(logcheck, base, "-save", str(tmp_path / "first"))
    assert first.returncode == 0, first.stderr
    assert "inclusion: entry 0 proved" in first.stdout and first.stdout.endswith("ok\n")
    size = int((tmp_path / "first").read_text().split("\n")[1])
    assert size >= 5

    post(gateway, 270 - size, "go-b")  # past 256 entries: a full level-0 tile, a partial one, a level-1 partial
    second = run(logcheck, base, "-old", str(tmp_path / "first"), "-save", str(tmp_path / "second"))
    assert second.returncode == 0, second.stderr
    grown = int((tmp_path / "second").read_text().split("\n")[1])
    assert grown >= 270 and f"consistency: tree {grown} extends tree {size}" in second.stdout, second.stdout

    proxy = Tamper(gateway.url)
    assert run(logcheck, f"{proxy.url}/v1/audit", "-old", str(tmp_path / "first")).returncode == 0  # the proxy alone changes nothing
    forked = tmp_path / "forked"  # an old checkpoint signed with the log's own key, of another tree of that size
    lines = (tmp_path / "first").read_text().split("\n")
    forked.write_text(load_signer().sign_note(f"{lines[0]}\n{lines[1]}\n{'A' * 43}=\n"))
    cases: list[tuple[dict[str, Callable[[bytes], bytes]], list[str], str]] = [
        ({"/tiles/checkpoint": lambda note: note.replace(f"\n{grown}\n".encode(), f"\n{grown - 1}\n".encode(), 1)}, [], "note.Open"),
        ({"/tiles/tile/0/000": flip(32 * 7)}, [], "entry 7 does not hash to leaf 7 of the tiles"),
        ({f"/tiles/tile/0/001.p/{grown - 256}": flip(0)}, [], "tiles: downloaded inconsistent tile"),
        ({"/tiles/tile/1/000.p/1": flip(31)}, [], "tiles: downloaded inconsistent tile"),
        ({"/tiles/tile/entries/000": flip(40)}, [], f"entry bundles: the tree of the {grown} entries has root"),
        (rewrite_entry(gateway, 7), [], f"entry bundles: the tree of the {grown} entries has root"),
        ({f"/entries/{grown // 2}": flip(10)}, [], f"entry {grown // 2}: /entries/{grown // 2} differs"),
        ({f"/proof/{grown - 1}?size={grown}": reverse_proof}, [], f"entry {grown - 1}: CheckRecord of /proof/{grown - 1}"),
        ({}, ["-old", str(forked)], "consistency: CheckTree"),
    ]
    for rules, args, error in cases:
        proxy.rules = rules
        tampered = run(logcheck, f"{proxy.url}/v1/audit", *args)
        assert tampered.returncode != 0 and error in tampered.stderr, (rules, tampered.stdout, tampered.stderr)
    proxy.server.shutdown()


def witness_lines(change: Callable[[list[str]], list[str]]) -> Callable[[bytes], bytes]:
    """The checkpoint note with its signature lines (the log's first, then the witness's) changed."""

    def apply(note: bytes) -> bytes:
        body, _, signatures = note.decode().partition("\n\n")
        return (body + "\n\n" + "".join(line + "\n" for line in change(signatures.splitlines()))).encode()

    return apply


def test_the_reference_go_client_verifies_the_witness_cosignature_of_an_idle_log(
    logcheck: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sanctuary.gateway import signing

    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    monkeypatch.setattr(signing, "CHECKPOINT_SECONDS", 0.0)  # sign, and ask the witness, on every fetch
    generate("test.example/decisions", tmp_path / "keys")
    keygen(tmp_path / "witness", "w1.example/witness")
    witness = serve(tmp_path / "witness", [(tmp_path / "keys" / "log.vkey").read_text().strip()])
    keygen(tmp_path / "other", "w2.example/witness")
    other = (tmp_path / "other" / "witness.vkey").read_text().strip()
    listed = tmp_path / "witnesses.toml"
    listed.write_text(f'[[witness]]\nurl = "{witness.url}"\nvkey = "{witness.vkey}"\n')
    gateway = start(tmp_path, str(tmp_path / "records.db"), str(tmp_path / "log.db"), witnesses=listed, quorum=1)
    try:
        post(gateway, 5, "go-w")
        polled = {gateway.get("/v1/audit/checkpoint").text for _ in range(100)}  # an idle log, polled
        assert len(polled) == 1
        base = f"{gateway.url}/v1/audit"
        checked = run(logcheck, base, "-witness", witness.vkey)
        assert checked.returncode == 0, checked.stderr
        assert "cosignature: witness w1.example/witness, cosignature/v1 at" in checked.stdout and checked.stdout.endswith("ok\n")

        proxy = Tamper(gateway.url)
        cases: list[tuple[Callable[[list[str]], list[str]], list[str], str]] = [
            (lambda lines: lines, ["-witness", other], "cosignature: 0 line(s) by witness w2.example/witness"),
            (lambda lines: lines[:1], ["-witness", witness.vkey], "cosignature: 0 line(s) by witness w1.example/witness"),
            (lambda lines: [*lines, lines[1]], ["-witness", witness.vkey], "cosignature: 2 line(s) by witness w1.example/witness"),
            (
                lambda lines: [lines[0], lines[1][:-6] + ("A" if lines[1][-6] != "A" else "B") + lines[1][-5:]],
                ["-witness", witness.vkey],
                "note.Open: invalid signature",
            ),
            (lambda lines: lines[1:], ["-witness", witness.vkey], "no signature by the log's own key"),
        ]
        for change, args, error in cases:
            proxy.rules = {"/tiles/checkpoint": witness_lines(change)}
            tampered = run(logcheck, f"{proxy.url}/v1/audit", *args)
            assert tampered.returncode != 0 and error in tampered.stderr, (args, tampered.stdout, tampered.stderr)
        proxy.server.shutdown()
    finally:
        gateway.stop()
        witness.stop()
