"""How the controller's validated operations reach the handlers: inline, or via a worker queue.

Both dispatchers have the same interface, so ``--workers N`` changes where handlers run, not
what the API does. The queue is bounded; when it is full the caller gets :class:`Busy` (503)
instead of an ever-growing backlog.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Protocol, TypeVar

T = TypeVar("T")


class Busy(Exception):
    """Every worker is busy and the queue is full."""


class Dispatcher(Protocol):
    def dispatch(self, operation: Callable[[], T]) -> T: ...

    def close(self) -> None: ...


class InlineDispatcher:
    """Runs each operation in the calling (HTTP request) thread."""

    def dispatch(self, operation: Callable[[], T]) -> T:
        return operation()

    def close(self) -> None:
        return None


class QueueDispatcher:
    """Runs operations on ``workers`` threads fed by a bounded queue; the caller waits for its
    result (or exception)."""

    def __init__(self, workers: int, queue_size: int = 1000, timeout: float = 30.0) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.timeout = timeout
        self._queue: queue.Queue[tuple[Callable[[], object], Future[object]] | None] = (
            queue.Queue(queue_size))
        self._threads = [
            threading.Thread(target=self._work, name=f"tracker-worker-{n}", daemon=True)
            for n in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    def dispatch(self, operation: Callable[[], T]) -> T:
        future: Future[object] = Future()
        try:
            self._queue.put((operation, future), timeout=self.timeout)
        except queue.Full:
            raise Busy("the tracker is busy (its work queue is full); retry shortly") from None
        return future.result(timeout=self.timeout)  # type: ignore[return-value]

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            operation, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(operation())
            except BaseException as error:  # handed back to the waiting request thread
                future.set_exception(error)

    @property
    def worker_names(self) -> list[str]:
        return [thread.name for thread in self._threads]

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=5)
