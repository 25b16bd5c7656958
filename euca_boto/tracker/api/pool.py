"""The threads the API's handlers run on (they block: the store, the cloud's STS).

Jobs come from the event loop; their results go back to it in batches: one wake-up of the loop
carries every result finished since the last one, so a busy server pays for a thread hand-off
per batch rather than per request.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

log = logging.getLogger("euca_boto.tracker.api")

Job = Callable[[], Any]
# Called on the event loop with the job's result, or the exception it raised.
Then = Callable[[Any], None]


class Pool:
    """``threads`` threads running jobs for the event loop ``loop``."""

    def __init__(self, loop: asyncio.AbstractEventLoop, threads: int, name: str) -> None:
        self._loop = loop
        self._jobs: queue.SimpleQueue[tuple[Job, Then] | None] = queue.SimpleQueue()
        self._results: deque[tuple[Then, Any]] = deque()
        self._lock = threading.Lock()  # guards _posted only
        self._posted = False  # a delivery is scheduled on the loop
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{n}", daemon=True)
                         for n in range(threads)]
        for thread in self._threads:
            thread.start()

    def submit(self, job: Job, then: Then) -> None:
        """Run ``job`` on a thread, then ``then(result)`` on the loop."""
        self._jobs.put((job, then))

    def run(self, job: Job) -> asyncio.Future[Any]:
        """``job``'s result, awaitable on the loop."""
        future = self._loop.create_future()

        def then(result: Any) -> None:
            if future.done():
                return  # cancelled meanwhile
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)

        self.submit(job, then)
        return future

    def close(self) -> None:
        for _ in self._threads:
            self._jobs.put(None)

    def _work(self) -> None:
        while (item := self._jobs.get()) is not None:
            job, then = item
            try:
                result = job()
            except BaseException as exc:  # noqa: BLE001 - handed to the loop, which answers
                result = exc
            self._results.append((then, result))
            with self._lock:
                if self._posted:
                    continue  # the scheduled delivery takes this result too
                self._posted = True
            try:
                self._loop.call_soon_threadsafe(self._deliver)
            except RuntimeError:
                return  # the loop is closed: the server is gone

    def _deliver(self) -> None:
        # Cleared before the results are taken: a result added after this is either taken
        # below or schedules a delivery of its own.
        with self._lock:
            self._posted = False
        while self._results:
            then, result = self._results.popleft()
            try:
                then(result)
            except Exception as exc:  # noqa: BLE001 - one answer's failure stops no other
                log.error("answering a request failed: %s: %s", type(exc).__name__, exc)
