"""`sanctuary audit ...` and `sanctuary decide --log` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanctuary.audit.verifier import leaf_hash, open_checkpoint, parse_vkey, verify_consistency, verify_inclusion
from sanctuary.cli import app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "requests.jsonl"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SANCTUARY_HOME", str(tmp_path))
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args))

    return invoke


def test_decide_records_and_audit_commands_check_it(run, tmp_path: Path) -> None:
    keygen = run("audit", "keygen", "cpd.example/decisions")
    assert keygen.exit_code == 0
    vkey = parse_vkey(keygen.stdout.strip())
    lines = [line for line in EXAMPLES.read_text().splitlines() if line.strip()]
    decided = run("decide", "--log", str(tmp_path / "log.db"), str(EXAMPLES))
    indices = [json.loads(line)["log_index"] for line in decided.stdout.splitlines()]
    assert indices == list(range(len(lines)))
    note = run("audit", "checkpoint").stdout  # the default log is $SANCTUARY_HOME/log.db
    cp = open_checkpoint(note, vkey)
    assert cp.size == len(lines)
    proof = json.loads(run("audit", "prove", "3", "--json").stdout)
    entry = run("audit", "entry", "3").stdout_bytes
    assert proof["leaf_hash"] == __import__("base64").b64encode(leaf_hash(entry)).decode()
    b64 = __import__("base64").b64decode
    verify_inclusion(leaf_hash(entry), 3, cp.size, [b64(p) for p in proof["proof"]], cp.root)
    cons = json.loads(run("audit", "consistency", "2", str(cp.size), "--json").stdout)
    verify_consistency(2, cp.size, [b64(p) for p in cons["proof"]], b64(cons["root1"]), cp.root)
    verified = run("audit", "verify", "--full", "--json")
    assert verified.exit_code == 0 and json.loads(verified.stdout)["ok"] is True
    published = run("audit", "publish", str(tmp_path / "pub"))
    assert published.exit_code == 0 and (tmp_path / "pub" / "checkpoint").read_text() == note
    assert "Agent K. Doe" not in entry.decode() and "Agent K. Doe" in run("audit", "reveal", "0").stdout


def test_damage_exits_non_zero_with_the_index(run, tmp_path: Path) -> None:
    import sqlite3

    run("audit", "keygen", "cpd.example/decisions")
    run("decide", "--log", str(tmp_path / "log.db"), str(EXAMPLES))
    run("audit", "checkpoint")
    conn = sqlite3.connect(tmp_path / "log.db")
    with conn:
        conn.execute("UPDATE entry SET data = CAST(REPLACE(CAST(data AS TEXT), 'deny', 'perm') AS BLOB) WHERE idx = 4")
    conn.close()
    result = run("audit", "verify", "--full", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["first_bad_index"] == 4


def test_errors_name_the_field(run, tmp_path: Path) -> None:
    nothing = run("audit", "verify")
    assert nothing.exit_code == 2 and "no log at" in nothing.stderr and not (tmp_path / "log.db").exists()
    run("decide", "--log", str(tmp_path / "log.db"), str(EXAMPLES))
    result = run("audit", "checkpoint")
    assert result.exit_code == 2 and "key" in result.stderr
    run("audit", "keygen", "cpd.example/decisions")
    again = run("audit", "keygen", "other")
    assert again.exit_code == 2 and "already exists" in again.stderr
    missing = run("audit", "entry", "999")
    assert missing.exit_code == 2 and "index" in missing.stderr
    bad_log = run("audit", "verify", "--log", "postgresql://postgres@127.0.0.1:1/none")
    assert bad_log.exit_code == 2 and "log" in bad_log.stderr


def test_decide_log_records_refused_lines_without_their_content(tmp_path, monkeypatch):
    """A line that cannot be read is denied and still recorded: only its hash and the error."""
    import json

    from typer.testing import CliRunner

    from sanctuary.audit import open_log
    from sanctuary.audit.entry import mac
    from sanctuary.cli import app

    monkeypatch.setenv("SANCTUARY_KEYS", str(tmp_path / "keys"))
    log = tmp_path / "log.db"
    bad = '{"id":"bad-1","kind":"database_query","requester":{"agency":"FBI"},"secret":"Maria Lopez"}'
    good = '{"id":"ok-1","kind":"database_query","requester":{"agency":"FBI"},"purpose":{"text":"robbery"}}'
    result = CliRunner().invoke(app, ["decide", "--log", str(log), "-"], input=f"{bad}\n{good}\n")
    assert result.exit_code == 1
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert [d["log_index"] for d in out] == [0, 1]
    opened = open_log(str(log), tmp_path / "keys")
    entry = json.loads(opened.entry(0))
    assert entry["kind"] == "refused" and entry["decision"] == "deny" and entry["failure"] == "input"
    assert "secret" in opened.reveal(0)["error"]
    assert entry["request_hmac"] == mac(opened.hmac_key(), "request", bad.encode())
    assert b"Maria" not in opened.entry(0) and "bad-1" not in opened.entry(0).decode()
    assert opened.verify(full=True).ok
    opened.close()


def test_every_command_that_reads_a_log_says_which(run, tmp_path: Path) -> None:
    """Two logs (the demo gateway's, a tour's): each command names the one it read, so "OK" is
    never taken for a verification of the other."""
    run("audit", "keygen", "cpd.example/decisions")
    tour = tmp_path / "tour.db"
    run("decide", "--log", str(tour), str(EXAMPLES))
    run("decide", "--log", str(tmp_path / "log.db"), "--profile", "chicago-2021", str(EXAMPLES))
    checkpoint = run("audit", "checkpoint", "--log", str(tour))
    assert f"log {tour}: checkpoint of size" in checkpoint.stderr and f"log {tour}" not in checkpoint.stdout
    run("audit", "checkpoint")
    verified = run("audit", "verify", "--full")
    assert verified.exit_code == 0 and verified.stdout.startswith(f"log {tmp_path / 'log.db'} (39 entries): OK")
    as_json = json.loads(run("audit", "verify", "--log", str(tour), "--json").stdout)
    assert as_json["log"] == str(tour) and as_json["ok"] is True
    assert f"log {tour}: entry 3 in tree of size 39" in run("audit", "prove", "3", "--log", str(tour)).stdout
    assert json.loads(run("audit", "prove", "3", "--json").stdout)["log"] == str(tmp_path / "log.db")
    assert f"log {tour}: published size 39" in run("audit", "publish", str(tmp_path / "pub"), "--log", str(tour)).stdout
    assert run("duties", "due", "--log", str(tour)).stdout.startswith(f"log {tour}: 0 duties owed")
    from sanctuary.audit.storage import shown

    assert shown("postgresql://clerk:s3cret@db.example:5432/decisions") == "postgresql://clerk@db.example:5432/decisions"
