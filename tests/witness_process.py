"""A witness as a real process (`sanctuary witness serve --port 0`), for the witness and monitor tests."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from audit_fixtures import child_env


@dataclass
class WitnessProcess:
    directory: Path
    vkey: str
    url: str
    process: subprocess.Popen[str]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def sanctuary(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sanctuary", *args], capture_output=True, text=True, env=env or child_env(), timeout=120)


def keygen(directory: Path, name: str) -> str:
    made = sanctuary("witness", "keygen", name, "--dir", str(directory))
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


def serve(directory: Path, log_vkeys: list[str]) -> WitnessProcess:
    """Start the witness in `directory` (keys made already) and wait until it listens."""
    args = [sys.executable, "-m", "sanctuary", "witness", "serve", "--dir", str(directory), "--port", "0"]
    for vkey in log_vkeys:
        args += ["--log-vkey", vkey]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env())
    assert process.stdout is not None
    line = process.stdout.readline()  # blocks until the socket listens (or the process ends)
    if not line.startswith("witness listening on "):
        process.kill()
        raise AssertionError(f"witness did not start: {line!r} {process.stderr.read() if process.stderr else ''}")
    vkey = (directory / "witness.vkey").read_text().strip()
    return WitnessProcess(directory, vkey, line.split()[-1], process)
