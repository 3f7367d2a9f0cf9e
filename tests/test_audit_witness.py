"""Witnesses as real processes over HTTP (C2SP tlog-witness): they cosign consistent checkpoints,
refuse forks, rollbacks, bad proofs, bad signatures and unknown logs with the specification's
status codes, and keep their state across restarts. Cosignatures are checked here by a verifier
written from the text of C2SP tlog-cosignature, not by our signer's code."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from audit_fixtures import DRIVERS, child_env, keys, log, log_url  # noqa: F401 - pytest fixtures
from sanctuary.audit import DecisionLog, open_log
from sanctuary.audit.cosign import Cosigner, WitnessEndpoint
from sanctuary.audit.errors import AuditError
from sanctuary.audit.verifier import COSIGNATURE_V1, parse_vkey
from test_audit_verifier import run_tool
from witness_process import WitnessProcess, keygen, sanctuary, serve

pytestmark = pytest.mark.parametrize("log_url", DRIVERS, indirect=True)


# --- a cosignature verifier from the specification's text (c2sp.org/tlog-cosignature) ----------
def spec_cosignature_time(note: str, witness_vkey: str) -> int:
    """The timestamp of the witness's cosignature on `note`, checked step by step as the spec says."""
    name, hexid, data = witness_vkey.split("+", 2)
    raw_key = base64.b64decode(data)
    assert raw_key[0] == 0x04 and len(raw_key) == 33, "vkey with signature type 0x04 and a 32-byte Ed25519 key"
    public = raw_key[1:]
    # key ID = SHA-256(<name> || "\n" || 0x04 || 32-byte Ed25519 cosigner public key)[:4]
    key_id = hashlib.sha256(name.encode() + b"\n" + b"\x04" + public).digest()[:4]
    assert key_id.hex() == hexid
    body, _, signatures = note.partition("\n\n")
    body += "\n"  # the whole note body, including the final newline
    for line in signatures.splitlines():
        dash, line_name, b64 = line.split(" ")
        sig = base64.b64decode(b64)
        if dash != "\u2014" or line_name != name or sig[:4] != key_id:
            continue
        # timestamped_signature: u64 big-endian timestamp || 64-byte Ed25519 signature
        assert len(sig) == 4 + 8 + 64
        timestamp = int.from_bytes(sig[4:12], "big")
        message = b"cosignature/v1\n" + b"time " + str(timestamp).encode() + b"\n" + body.encode()
        Ed25519PublicKey.from_public_bytes(public).verify(sig[12:], message)  # raises InvalidSignature
        return timestamp
    raise AssertionError(f"no cosignature line by {name}")


# --- fixtures ----------------------------------------------------------------------------------
@pytest.fixture
def witnesses(tmp_path: Path, keys: Path) -> Iterator[list[WitnessProcess]]:
    log_vkey = (keys / "log.vkey").read_text().strip()
    running = []
    for n in (1, 2):
        folder = tmp_path / f"witness{n}"
        keygen(folder, f"w{n}.example/witness")
        running.append(serve(folder, [log_vkey]))
    yield running
    for w in running:
        w.stop()


def endpoints(witnesses: list[WitnessProcess]) -> list[WitnessEndpoint]:
    return [WitnessEndpoint(w.url, parse_vkey(w.vkey, COSIGNATURE_V1)) for w in witnesses]


def add(witness: WitnessProcess, old: int, proof: list[bytes], note: str) -> httpx.Response:
    body = f"old {old}\n" + "".join(base64.b64encode(p).decode() + "\n" for p in proof) + "\n" + note
    return httpx.post(f"{witness.url}/add-checkpoint", content=body.encode(), timeout=10)


def fill(log: DecisionLog, tag: str, n: int) -> None:
    log.append_many([f"{tag} {i}".encode() for i in range(n)])


# --- tests -------------------------------------------------------------------------------------
def witness_config(witnesses: list[WitnessProcess], tmp_path: Path) -> Path:
    """A witnesses.toml naming every witness (url and vkey)."""
    config = tmp_path / "witnesses.toml"
    config.write_text("".join(f'[[witness]]\nurl = "{w.url}"\nvkey = "{w.vkey}"\n' for w in witnesses))
    return config


def gateway_with(witnesses: list[WitnessProcess], log_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A gateway on `log_url` whose checkpoints every witness must cosign (quorum: all two), signed on
    every fetch, with the `keys` fixture's key (SANCTUARY_HOME)."""
    from gateway_harness import start
    from sanctuary.gateway import signing

    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    monkeypatch.setattr(signing, "CHECKPOINT_SECONDS", 0.0)
    return start(tmp_path, str(tmp_path / "records.db"), log_url, witnesses=witness_config(witnesses, tmp_path), quorum=2)


def test_two_witnesses_cosign_and_a_spec_verifier_accepts(log: DecisionLog, witnesses: list[WitnessProcess]) -> None:
    fill(log, "decision", 10)
    cosigner = Cosigner(endpoints(witnesses), quorum=2)
    before = int(time.time())
    note = cosigner.cosign(log, log.checkpoint())
    for w in witnesses:
        assert before - 1 <= spec_cosignature_time(note, w.vkey) <= time.time() + 1
    fill(log, "decision", 7)
    later = cosigner.cosign(log, log.checkpoint())  # old size 10, consistency proof 10 -> 17
    assert all(spec_cosignature_time(later, w.vkey) for w in witnesses)
    assert log.latest_cosigned([parse_vkey(w.vkey, COSIGNATURE_V1) for w in witnesses], 2) == later
    assert log.verify(full=True).ok  # the stored checkpoint, with cosignatures, still opens
    cosigner.close()


def test_a_forked_log_is_refused(log: DecisionLog, witnesses: list[WitnessProcess], log_url: str, keys: Path, tmp_path: Path) -> None:
    fill(log, "decision", 10)
    cosigner = Cosigner(endpoints(witnesses), quorum=2)
    cosigner.cosign(log, log.checkpoint())
    root10 = log.root(10)
    # the department runs a second log under the same key: same origin, other entries (a split view)
    other = open_log(str(tmp_path / "fork.db"), keys)
    fill(other, "rewritten", 10)
    same_size = add(witnesses[0], 10, [], other.checkpoint())
    assert same_size.status_code == 409, same_size.text  # same size, another root
    fill(other, "rewritten", 5)
    bigger = other.checkpoint()
    proof = other.consistency(10, 15).proof  # a proof from the fork's own size-10 tree
    forked = add(witnesses[0], 10, proof, bigger)
    assert forked.status_code == 422, forked.text
    with pytest.raises(AuditError) as err:
        Cosigner(endpoints(witnesses), quorum=1).cosign(other, bigger)
    assert err.value.field == "witnesses"
    # and the witness still holds the honest log's root
    honest = add(witnesses[0], 10, [], log.checkpoint())
    assert honest.status_code == 200 and log.root(10) == root10
    other.close()
    cosigner.close()


def test_rollbacks_bad_proofs_bad_signatures_and_unknown_logs(log: DecisionLog, witnesses: list[WitnessProcess], tmp_path: Path) -> None:
    w = witnesses[0]
    fill(log, "decision", 5)
    small = log.checkpoint()
    fill(log, "decision", 5)
    Cosigner(endpoints([w]), quorum=1).cosign(log, log.checkpoint())  # the witness is at size 10
    stale = add(w, 0, [], small)
    assert stale.status_code == 409 and stale.text == "10\n" and stale.headers["content-type"].startswith("text/x.tlog.size")
    assert add(w, 10, [], small).status_code == 400  # a rollback: old size above the checkpoint's
    fill(log, "decision", 3)
    good = log.checkpoint()
    proof = log.consistency(10, 13).proof
    assert add(w, 10, [bytes(32)] + proof[1:], good).status_code == 422  # a proof that does not verify
    lines = good.split("\n")
    lines[2] = base64.b64encode(bytes(32)).decode()  # the root changed under the log's signature
    assert add(w, 10, proof, "\n".join(lines)).status_code == 403
    stranger = tmp_path / "stranger"
    from sanctuary.audit.keys import generate

    generate("stranger.example/log", stranger)
    foreign = open_log(str(tmp_path / "stranger.db"), stranger)
    fill(foreign, "x", 2)
    assert add(w, 0, [], foreign.checkpoint()).status_code == 404
    assert httpx.post(f"{w.url}/add-checkpoint", content=b"nonsense", timeout=10).status_code == 400
    assert add(w, 10, proof, good).status_code == 200
    foreign.close()


def test_state_survives_a_restart(log: DecisionLog, witnesses: list[WitnessProcess], keys: Path) -> None:
    w = witnesses[0]
    fill(log, "decision", 12)
    Cosigner(endpoints([w]), quorum=1).cosign(log, log.checkpoint())
    w.stop()
    again = serve(w.directory, [(keys / "log.vkey").read_text().strip()])
    try:
        asked = add(again, 0, [], log.checkpoint())
        assert asked.status_code == 409 and asked.text == "12\n"
    finally:
        again.stop()


def test_short_of_quorum_fails_and_the_stand_alone_verifier_requires_it(
    log: DecisionLog, witnesses: list[WitnessProcess], log_url: str, keys: Path, tmp_path: Path
) -> None:
    fill(log, "decision", 9)
    config = witness_config(witnesses, tmp_path)
    env = child_env(SANCTUARY_KEYS=str(keys))
    both = sanctuary("audit", "checkpoint", "--log", log_url, "--witnesses", str(config), "--quorum", "2", env=env)
    assert both.returncode == 0, both.stderr
    (tmp_path / "both.txt").write_text(both.stdout)
    witnesses[1].stop()
    fill(log, "decision", 2)
    short = sanctuary("audit", "checkpoint", "--log", log_url, "--witnesses", str(config), "--quorum", "2", env=env)
    assert short.returncode == 1 and "1 of the required 2" in short.stderr
    one = sanctuary("audit", "checkpoint", "--log", log_url, "--witnesses", str(config), "--quorum", "1", env=env)
    assert one.returncode == 0, one.stderr
    (tmp_path / "one.txt").write_text(one.stdout)
    vkey = (keys / "log.vkey").read_text().strip()
    witness_args = [a for w in witnesses for a in ("--witness", w.vkey)]
    ok = run_tool("--vkey", vkey, *witness_args, "--quorum", "2", "checkpoint", str(tmp_path / "both.txt"))
    assert ok.returncode == 0 and "cosigned by at least 2" in ok.stdout, ok.stderr
    missing = run_tool("--vkey", vkey, *witness_args, "--quorum", "2", "checkpoint", str(tmp_path / "one.txt"))
    assert missing.returncode == 1 and "1 of the required 2" in missing.stderr
    assert run_tool("--vkey", vkey, *witness_args, "--quorum", "1", "checkpoint", str(tmp_path / "one.txt")).returncode == 0
    tampered = both.stdout.replace("\u2014 w2.example", "\u2014 w9.example")
    (tmp_path / "tampered.txt").write_text(tampered)
    assert run_tool("--vkey", vkey, *witness_args, "--quorum", "2", "checkpoint", str(tmp_path / "tampered.txt")).returncode == 1


def test_the_gateway_serves_cosigned_checkpoints_and_a_witness_down_only_makes_them_lag(
    log_url: str, keys: Path, witnesses: list[WitnessProcess], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gateway_harness import BODIES

    gateway = gateway_with(witnesses, log_url, tmp_path, monkeypatch)
    try:
        assert gateway.post("FBI", BODIES["warrant"]).status_code == 200
        first = gateway.get("/v1/audit/checkpoint").text
        assert all(spec_cosignature_time(first, w.vkey) for w in witnesses)
        assert gateway.get("/readyz").json()["cosigning"]["ok"] is True
        witnesses[1].stop()
        answer = gateway.post("FBI", {**BODIES["warrant"], "id": "t-after"})
        assert answer.status_code == 200 and answer.json()["log_index"] is not None, "decisions are still recorded"
        assert gateway.get("/v1/audit/checkpoint").text == first, "the cosigned checkpoint lags"
        assert gateway.get("/v1/audit/tiles/checkpoint").text == first
        ready = gateway.get("/readyz")
        assert ready.status_code == 200 and ready.json()["cosigning"]["lagging_since"].endswith("Z")
        assert ready.json()["status"] == "ok"
        assert "w2.example/witness" in ready.json()["cosigning"]["reason"]
    finally:
        gateway.stop()


def test_the_audit_page_says_since_when_cosigned_checkpoints_lag(
    log_url: str, witnesses: list[WitnessProcess], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from web_app import Site

    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))  # the site signs with the `keys` fixture's key
    site = Site(tmp_path, ["chicago-2021"], log_url)
    gw = site.app.state.gateway
    try:
        gw.cosigner = Cosigner(endpoints(witnesses), quorum=2)
        decision_log = gw.log.get()
        fill(decision_log, "decision", 3)
        gw.cosigner.cosign(decision_log, decision_log.checkpoint())
        page = site.client("oversight").get("/audit")
        assert page.status_code == 200 and "cosigned by at least 2 of 2 witnesses" in page.text
        witnesses[0].stop()
        fill(decision_log, "decision", 1)
        with pytest.raises(AuditError):
            gw.cosigner.cosign(decision_log, decision_log.checkpoint())
        lagging = site.client("oversight").get("/audit").text
        assert "Published checkpoints lag" in lagging and gw.cosigner.status()["lagging_since"] in lagging
    finally:
        gw.cosigner.close()
        gw.close()


def test_an_idle_log_polled_100_times_keeps_one_cosignature_line_per_witness(
    log_url: str, keys: Path, witnesses: list[WitnessProcess], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checkpoint of an idle log is fetched again and again: the witnesses are not asked to
    cosign a size they cosigned already, and the note keeps one line per witness key."""
    from gateway_harness import BODIES

    gateway = gateway_with(witnesses, log_url, tmp_path, monkeypatch)
    try:
        assert gateway.post("FBI", BODIES["warrant"]).status_code == 200
        first = gateway.get("/v1/audit/checkpoint").text
        times = [spec_cosignature_time(first, w.vkey) for w in witnesses]
        time.sleep(1.1)  # a second cosignature would carry a later timestamp
        polled = [gateway.get("/v1/audit/checkpoint").text for _ in range(100)]
        assert set(polled) == {first}
        assert len(first.partition("\n\n")[2].splitlines()) == 1 + len(witnesses)
        assert [spec_cosignature_time(polled[-1], w.vkey) for w in witnesses] == times
        assert gateway.get("/readyz").json()["cosigning"]["ok"] is True
        stored = gateway.gateway.log.get().checkpoints()[-1]
        assert stored == first
    finally:
        gateway.stop()
    env = child_env(SANCTUARY_KEYS=str(tmp_path / "keys"))
    again = [
        sanctuary("audit", "checkpoint", "--log", log_url, "--witnesses", str(witness_config(witnesses, tmp_path)), env=env)
        for _ in range(2)
    ]
    assert [a.returncode for a in again] == [0, 0], again[0].stderr
    assert again[0].stdout == again[1].stdout == first, "the CLI neither asks again nor adds lines to a cosigned size"


def test_a_size_is_ascii_digits_below_2_64_else_400(log: DecisionLog, witnesses: list[WitnessProcess]) -> None:
    w = witnesses[0]
    fill(log, "decision", 10)
    Cosigner(endpoints([w]), quorum=1).cosign(log, log.checkpoint())  # the witness is at size 10
    fill(log, "decision", 3)
    good = log.checkpoint()
    proof = log.consistency(10, 13).proof
    signer = log.signer()
    origin, _, root = good.split("\n")[:3]

    def signed(size: str) -> str:  # the log's own key signs whatever size it is given
        return signer.sign_note(f"{origin}\n{size}\n{root}\n")

    arabic = add(w, 10, proof, signed("\u0661\u0663"))  # "13" in Arabic-Indic digits
    assert arabic.status_code == 400 and "checkpoint size" in arabic.text
    huge = add(w, 10, [], signed(str(2**64)))
    assert huge.status_code == 400 and "2^64" in huge.text
    body = "old \u0661\u0660\n" + "".join(base64.b64encode(p).decode() + "\n" for p in proof) + "\n" + good
    assert httpx.post(f"{w.url}/add-checkpoint", content=body.encode(), timeout=10).status_code == 400
    assert add(w, 2**64, [], good).status_code == 400
    assert add(w, 10, proof, good).status_code == 200  # none of those moved it
