"""kill -9 in the middle of a load: every acknowledged entry survives and the log verifies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audit_fixtures import DRIVERS, child_env, keys, log_url  # noqa: F401 - pytest fixtures
from sanctuary.audit import open_log

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("log_url", DRIVERS, indirect=True)]


def test_kill_9_under_load_loses_nothing_acknowledged(log_url: str, keys: Path) -> None:
    log = open_log(log_url, keys)
    log.append(b"before the load")
    log.checkpoint()
    log.close()
    cmd = [sys.executable, "-m", "sanctuary.audit.hammer", "--log", log_url, "--threads", "16", "--tag", "crash"]
    acked: dict[int, tuple[int, int]] = {}
    for round_ in range(2):  # kill twice: the second load starts from a log that was killed once
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=child_env())
        assert proc.stdout is not None
        seen, deadline = 0, time.monotonic() + 20  # kill once 300 appends were acknowledged
        while seen < 300 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            index, _, t, n = line.split()
            acked[int(index)] = (int(t), int(n))
            seen += 1
        os.kill(proc.pid, signal.SIGKILL)
        rest, _ = proc.communicate(timeout=10)
        for line in rest.splitlines():  # printed before the kill, so acknowledged too
            index, _, t, n = line.split()
            acked[int(index)] = (int(t), int(n))
        assert proc.returncode == -signal.SIGKILL, f"round {round_}: the load ended before the kill"
        assert seen >= 300, f"round {round_}: only {seen} acknowledgements in 20 s"
    log = open_log(log_url, keys)
    for index, (t, n) in acked.items():
        assert log.entry(index).startswith(f"hammer crash {t} {n} ".encode())
    assert log.size() >= max(acked) + 1
    result = log.verify(full=True)
    assert result.ok, result.message
    log.append(b"after the crash")
    log.checkpoint()
    assert log.verify(full=True).ok
    log.close()
