"""The README on a fresh clone: every command block of README.md and docs/web.md, in order, as a new
user would type them, in one shell, in a temporary home.

The clone is the repository's files (tracked and new, not ignored) copied to a temporary folder; its
`.venv` is this checkout's (installing the lock again is what bench/first_run.py measures), with the
clone's `src` first on the path. Commands run in one bash session fed block by block, so a tour that
exports a variable or leaves a job running shows. What a new user's shell cannot do here is done the
nearest way, and only that:

- `make run` is started in the background by the test (on a free port; every `8000` in the commands
  follows it), stopped at the end with Ctrl-C (SIGINT), which must stop it; a second `make run` is the
  one already running;
- an interactive command is fed its input (`web user-add` asks for the password twice);
- `--open` is left off (no browser here), the witness's port `7380` is a free one;
- `make test` and the `pytest` lines are the suite itself: not run from inside it.

Afterwards: the shell is as it was (no variable changed, no job left, the same folder); the demo
gateway's log holds only decisions under the `chicago` jurisdiction, and `audit verify` named the log
it checked; the tour wrote into `var/tour`, never into the gateway's log or keys.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from sanctuary.audit import open_log
from sanctuary.policy.jurisdictions import jurisdictions

ROOT = Path(__file__).resolve().parent.parent
DOCS = (ROOT / "README.md", ROOT / "docs" / "web.md")
FENCE = re.compile(r"^```(\S*)\n(.*?)^```$", re.S | re.M)
LABELS = {"sh", "text", "json", "toml", "cedar", "nginx", "yaml", "python"}
PASSWORD = "tour-password-1"  # fed to `web user-add`, twice
BLOCK_SECONDS = 240


def blocks(path: Path) -> list[tuple[str, str]]:
    """(info string, text) of every fenced block of a Markdown file, in order."""
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(path.read_text(encoding="utf-8"))]


def test_every_block_says_what_it_is() -> None:
    """A block is commands (`sh`, run by the test below) or something else said (`text`, ...): none
    escapes the test by having no label."""
    for path in DOCS:
        unlabelled = [text.splitlines()[0] for info, text in blocks(path) if info not in LABELS]
        assert unlabelled == [], f"{path.name}: label each block (sh for commands, text for output): {unlabelled}"
        assert any(info == "sh" for info, _ in blocks(path))


def test_the_readme_publishes_the_verifier_hash() -> None:
    import hashlib

    digest = hashlib.sha256((ROOT / "tools" / "verify_log.py").read_bytes()).hexdigest()
    line = f"{digest}  tools/verify_log.py"
    for where in (ROOT / "README.md", ROOT / "docs" / "release-notes.md"):
        assert line in where.read_text(encoding="utf-8"), f"{where.name}: publish `{line}` (the verifier changed)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def logical_lines(text: str) -> list[str]:
    """A block's lines, a line ending in a backslash joined with the next (as the shell reads them)."""
    out: list[str] = []
    for line in text.splitlines():
        if out and out[-1].endswith("\\"):
            out[-1] = out[-1] + "\n" + line
        else:
            out.append(line)
    return out


def clone(into: Path) -> Path:
    """The repository's files as a fresh clone has them (tracked and new, not ignored), links kept."""
    listed = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, check=True)
    for name in filter(None, listed.stdout.decode().split("\0")):
        source, target = ROOT / name, into / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree, not yet committed
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, target)
    (into / ".venv").symlink_to(ROOT / ".venv")
    return into


class Shell:
    """One bash session fed block by block; each block's output and exit status."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # no terminal: a password prompt reads the input it is fed
        )
        self.lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.count = 0

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in iter(self.proc.stdout.readline, b""):
            self.lines.put(line)
        self.lines.put(b"")

    def run(self, script: str, seconds: float = BLOCK_SECONDS) -> tuple[int, str]:
        self.count += 1
        marker = f"::done {self.count}::"
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{script}\nprintf '\\n{marker} %d\\n' \"$?\"\n".encode())
        self.proc.stdin.flush()
        out: list[str] = []
        deadline = time.monotonic() + seconds
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic())).decode(errors="replace")
            except queue.Empty:
                raise AssertionError(f"no end after {seconds} s:\n{script}\n{''.join(out)[-3000:]}") from None
            if not line:
                raise AssertionError(f"the shell ended:\n{script}\n{''.join(out)[-3000:]}")
            if line.startswith(marker):
                return int(line.split()[-1]), "".join(out)
            out.append(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


class Server:
    """`make run` in the background, as a user's second terminal would hold it."""

    def __init__(self, cwd: Path, env: dict[str, str], port: int, out: Path) -> None:
        self.out = out
        with out.open("wb") as sink:
            self.proc = subprocess.Popen(
                ["make", "run", f"PORT={port}"], cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 240
        while "listening on http://127.0.0.1:" not in out.read_text(errors="replace"):
            assert self.proc.poll() is None and time.monotonic() < deadline, f"make run did not start:\n{self.text()[-3000:]}"
            time.sleep(0.2)

    def text(self) -> str:
        return self.out.read_text(errors="replace")

    def stop(self) -> int:
        """Ctrl-C, as the README says; the exit status (killed, and the test fails, if it does not stop)."""
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
            raise AssertionError(f"Ctrl-C did not stop make run:\n{self.text()[-2000:]}") from None


def test_the_readme_and_docs_web_run_in_order_on_a_fresh_clone(tmp_path: Path) -> None:
    repo = clone(tmp_path / "clone")
    home = tmp_path / "home"
    home.mkdir()
    for stamp in (".runtime-stamp",):
        assert (ROOT / ".venv" / stamp).exists(), "bootstrap this checkout first (make .venv/.installed-stamp)"
    # The clone shares this checkout's venv: were its stamp older than the lock or pyproject.toml (a merge
    # since the bootstrap), the clone's `make run` would install the clone's src into it, editable, and
    # leave this checkout importing a folder that is about to be deleted. Bring the venv up to date here.
    subprocess.run(["make", "--no-print-directory", ".venv/.runtime-stamp"], cwd=ROOT, check=True, capture_output=True)
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",  # not the venv: every command names .venv/bin/ as a new user types it
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TERM": "dumb",
        "COLUMNS": "200",
        "PYTHONPATH": str(repo / "src"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    port, witness = free_port(), free_port()
    shell = Shell(repo, env)
    server: Server | None = None
    outputs: list[tuple[str, str]] = []
    try:
        _, before = shell.run("env | sort; pwd")
        for path in DOCS:
            for info, text in blocks(path):
                if info != "sh":
                    continue
                kept: list[str] = []
                for line in logical_lines(text):
                    words = line.split()
                    if words[:2] == ["make", "run"]:
                        if server is None:  # a second `make run` is the one already running
                            server = Server(repo, env, port, tmp_path / "make-run.out")
                        continue
                    if words[:2] == ["make", "test"] or "-m pytest" in line:
                        continue  # the suite itself
                    if "web user-add" in line:
                        line = f"printf '{PASSWORD}\\n{PASSWORD}\\n' | {line}"
                    line = line.replace(" --open", "").replace("127.0.0.1:8000", f"127.0.0.1:{port}")
                    kept.append(line.replace("7380", str(witness)))
                if not kept:
                    continue
                script = "\n".join(kept)
                status, said = shell.run(script)
                assert status == 0, f"{path.name}: a block failed ({status}):\n{script}\n---\n{said[-4000:]}"
                outputs.append((script, said))
        _, after = shell.run("env | sort; pwd")
        _, jobs = shell.run("sleep 0.5; jobs -rp")
    finally:
        shell.close()
        stopped = server.stop() if server is not None else None
    assert server is not None, "neither page starts the server with `make run`"
    assert stopped is not None and "Ctrl-C stops it" in server.text()

    changed = set(before.splitlines()) ^ set(after.splitlines())
    assert sorted(line for line in changed if not line.startswith(("_=", "OLDPWD="))) == [], "the tour changed the shell"
    assert jobs.strip() == "", f"a job was left running: {jobs}"

    verified = [said for script, said in outputs if "audit verify" in script and "--log var/log.db" in script]
    assert verified, "the README verifies the demo gateway's log"
    gateway_log = open_log(str(repo / "var" / "log.db"), keys_dir=repo / "var" / "keys", must_exist=True)
    size = gateway_log.size()
    assert f"log var/log.db ({size} entries): OK" in verified[-1]
    chicago = set(jurisdictions().by_name["chicago"].profiles)
    other_law = [i for i in range(size) if not set(json.loads(gateway_log.entry(i)).get("profiles") or []) <= chicago]
    assert other_law == [], f"entries of the demo gateway's log decided under another law: {other_law[:10]}"
    tour = repo / "var" / "tour"
    assert (tour / "log.db").exists() and (tour / "new-york.db").exists() and (tour / "keys" / "log.vkey").exists()
    # `decide -p chicago-2021` records one decision for each example request (none owes a duty there).
    examples = len((repo / "examples" / "requests.jsonl").read_text(encoding="utf-8").splitlines())
    assert f"log var/tour/log.db ({examples} entries): OK" in "".join(said for _, said in outputs)
    gateway_log.close()
