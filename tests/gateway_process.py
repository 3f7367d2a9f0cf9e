"""`sanctuary serve` as a real process (port 0, its own SANCTUARY_HOME, this checkout's code): started
until it says where it listens, asked whether it is ready, stopped; for the crash, replica and
adversarial HTTP tests. A gateway inside the test process: tests/gateway_harness.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx

from audit_fixtures import child_env


class ServeProcess:
    """`sanctuary serve --demo` over `store` and `log`, under `profile` (None: the default
    jurisdiction), with `more` arguments; `url` is where it listens."""

    def __init__(self, home: Path, store: str, log: str, *more: str, profile: str | None = "chicago-2021") -> None:
        chosen = ["--profile", profile] if profile else []
        args = ["serve", "--demo", *chosen, "--quiet", "--rate", "0", "--port", "0", "--store", store, "--log", log, *more]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sanctuary", *args],
            env=child_env(SANCTUARY_HOME=str(home)),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if "listening on" in line:
                self.url = line.split("listening on ", 1)[1].split()[0]
                threading.Thread(target=self.process.stdout.read, daemon=True).start()  # keep the pipe drained
                return
        self.process.kill()
        self.process.wait()
        raise AssertionError("sanctuary serve did not start")

    def ready(self) -> dict[str, Any]:
        return httpx.get(f"{self.url}/readyz", timeout=5).json()

    def kill(self) -> None:
        """kill -9, and wait for it to be gone."""
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        """Stop it (woken first, if it was stopped with SIGSTOP); killed if it does not end in 10 s."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
