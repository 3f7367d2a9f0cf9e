"""`--workers N`: N processes of one server (`serve`, `proxy`) on one port.

The first process binds the port and starts N workers, each a full server (`python -m sanctuary`
with the same arguments) that inherits the listening socket and accepts from it: the kernel hands
each connection to one of them, and the gateway's ceiling becomes the cores, not one interpreter's
lock. The workers are replicas on one machine: they share the log, the signer lease, the throttle,
the limits and the held queue through PostgreSQL (docs/deploy.md, "Replicas"), so more than one
needs the log on PostgreSQL. The first process only supervises: it passes SIGTERM and SIGINT on,
and starts again a worker that died.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from typing import NoReturn

from rich.console import Console

from sanctuary import config
from sanctuary.errors import SanctuaryError

LISTEN_FD = "SANCTUARY_LISTEN_FD"  # set for a worker: the inherited listening socket
WORKER = "SANCTUARY_WORKER"  # set for a worker: its number, from 0
START_SECONDS = 10.0  # a worker that ends sooner after its start is not started again
err = Console(stderr=True)


def worker_number() -> int | None:
    """This process's number among the workers, or None when it is not one."""
    value = os.environ.get(WORKER)
    return int(value) if value is not None and value.isdigit() else None


def replica_label() -> str:
    """This process among the replicas, for the `replica` label of its metrics: the host, and the
    worker's number when it is one (replicas on one host on other ports differ by the scraper's
    `instance`). Stable across restarts, so a replica's series continue."""
    number = worker_number()
    return socket.gethostname() + (f"/worker-{number}" if number is not None else "")


def inherited_socket() -> socket.socket | None:
    """The listening socket a worker inherited from its supervisor, or None."""
    fd = os.environ.get(LISTEN_FD)
    return socket.socket(fileno=int(fd)) if fd is not None and fd.isdigit() and worker_number() is not None else None


def require_postgres(workers: int, log_url: str | None) -> None:
    """More than one worker needs the log (and so the state workers share) on PostgreSQL."""
    url = log_url or config.log_url()
    if workers > 1 and not url.startswith(("postgresql://", "postgres://")):
        raise SanctuaryError(
            "--workers",
            f"{workers} workers need the decision log on PostgreSQL (--log postgresql://...), where they share the log, "
            f"the checkpoint signer, the limits and the held queue; the log here is SQLite ({url})",
        )


def supervise(workers: int, host: str, port: int) -> NoReturn:
    """Bind `host:port`, run `workers` copies of this command on it, and keep them running."""
    listener = socket.create_server((host, port), backlog=2048)
    listener.set_inheritable(True)
    command = [sys.executable, "-m", "sanctuary", *sys.argv[1:]]
    stopping = False

    started: dict[int, float] = {}

    def start(number: int) -> subprocess.Popen[bytes]:
        env = {**os.environ, LISTEN_FD: str(listener.fileno()), WORKER: str(number)}
        started[number] = time.monotonic()
        return subprocess.Popen(command, env=env, pass_fds=(listener.fileno(),))

    running = {number: start(number) for number in range(workers)}
    status = 0

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for process in running.values():
            if process.poll() is None:
                process.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        time.sleep(0.5)
        for number, process in list(running.items()):
            if process.poll() is None or stopping:
                continue
            if time.monotonic() - started[number] < START_SECONDS:  # it cannot start: neither can the others
                err.print(f"[red]worker {number} ended at start[/red] (status {process.returncode}); stopping", highlight=False)
                status = process.returncode or 1
                stop(signal.SIGTERM, None)
                break
            err.print(f"[yellow]worker {number} ended[/yellow] (status {process.returncode}); starting it again", highlight=False)
            running[number] = start(number)
    for process in running.values():
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
    listener.close()
    raise SystemExit(status)
