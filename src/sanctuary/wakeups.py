"""Waiting on an event loop for futures that another thread settles in batches, one wake-up a batch.

`asyncio.wrap_future` wakes the loop once for every future it wraps (`call_soon_threadsafe`: a
write to the loop's self-pipe, a read and a pass of the loop). The log's committer settles a batch
of requests at once (group commit), so on a loaded gateway that was several wake-ups a commit, each
paid by the committer and the loop. `LoopWaiter.wait` hands the results over instead in one call a
batch: futures settled inside `settling()` (the committer settling its batch) wake each loop that
waits on any of them once, when the batch is done; a future settled anywhere else wakes it at once.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

_local = threading.local()  # `batch`: the waiters to wake once this thread's batch is settled
_loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LoopWaiter] = weakref.WeakKeyDictionary()
_loops_lock = threading.Lock()


def batched(future: Future[T]) -> asyncio.Future[T]:
    """`asyncio.wrap_future` for the running loop, one wake-up a batch (`LoopWaiter.wait`)."""
    loop = asyncio.get_running_loop()
    with _loops_lock:
        waiter = _loops.get(loop)
        if waiter is None:
            waiter = _loops[loop] = LoopWaiter(loop)
    return waiter.wait(future)


@contextmanager
def settling() -> Iterator[None]:
    """Futures settled in this block (by this thread) wake their loops once, when it ends."""
    batch: list[LoopWaiter] = []
    _local.batch = batch
    try:
        yield
    finally:
        _local.batch = None
        for waiter in batch:
            waiter._wake()


class LoopWaiter:
    """Waits on one event loop for concurrent futures, waking it once per batch (`settling`)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = weakref.ref(loop)  # not kept alive by its entry in `_loops`
        self._lock = threading.Lock()  # guards _settled, _scheduled, _in_batch
        self._settled: list[tuple[asyncio.Future[Any], Future[Any]]] = []
        self._scheduled = False  # a drain is scheduled on the loop
        self._in_batch = False  # this waiter is in the settling thread's batch, woken at its end

    def wait(self, future: Future[T]) -> asyncio.Future[T]:
        """An asyncio future on this loop (called from it, running) that takes `future`'s result or error.
        Cancelling it does not cancel `future` (a log entry is committed whoever waits for it)."""
        waiting: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        future.add_done_callback(lambda done: self._arrived(waiting, done))
        return waiting

    def _arrived(self, waiting: asyncio.Future[Any], done: Future[Any]) -> None:
        """In the thread that settled `done`: keep it for the loop, which is woken now or at the end
        of this thread's batch."""
        batch: list[LoopWaiter] | None = getattr(_local, "batch", None)
        with self._lock:
            self._settled.append((waiting, done))
            if self._scheduled or self._in_batch:
                return
            if batch is not None:
                self._in_batch = True
            else:
                self._scheduled = True
        if batch is not None:
            batch.append(self)
        else:
            self._schedule()

    def _wake(self) -> None:
        """The end of a batch this waiter is in: one wake-up of the loop for all of it."""
        with self._lock:
            self._in_batch = False
            if self._scheduled or not self._settled:
                return
            self._scheduled = True
        self._schedule()

    def _schedule(self) -> None:
        loop = self._loop()
        if loop is not None and not loop.is_closed():  # else nobody waits any more
            loop.call_soon_threadsafe(self._drain)

    def _drain(self) -> None:
        """On the loop: hand every settled future's outcome to its waiter."""
        with self._lock:
            settled, self._settled = self._settled, []
            self._scheduled = False
        for waiting, done in settled:
            if waiting.cancelled():
                continue
            if done.cancelled():
                waiting.cancel()
                continue
            error = done.exception()
            if error is not None:
                waiting.set_exception(error)
            else:
                waiting.set_result(done.result())
