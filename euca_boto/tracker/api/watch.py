"""Change watches: requests that wait for the feed to grow, without a thread each.

One ``FeedWatch`` per API server knows the feed's head (the last change id). Waiters sleep on
an asyncio event that is replaced every time the head moves. The head moves when this process's
own poll records changes (``notify``, immediately) and, for changes recorded by another process
sharing the store, when a background check of the store's head sees it (every ``interval``
seconds, only while someone is waiting).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable


class FeedWatch:
    def __init__(self, latest: Callable[[], int], interval: float = 0.02) -> None:
        self._latest = latest
        self.interval = interval
        self._lock = threading.Lock()
        self._head = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self._waiters = 0
        self._checker: asyncio.Task[None] | None = None

    @property
    def head(self) -> int:
        with self._lock:
            return self._head

    def notify(self, head: int) -> None:
        """The feed reached ``head`` (any thread)."""
        with self._lock:
            if head <= self._head:
                return
            self._head = head
            loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = asyncio.Event()

    async def wait_past(self, seen: int, timeout: float) -> bool:
        """Wait until the head is beyond ``seen`` or ``timeout`` seconds pass; True if it is."""
        loop = asyncio.get_running_loop()
        with self._lock:
            self._loop = loop
        if self._event is None:
            self._event = asyncio.Event()
        deadline = loop.time() + timeout
        self._waiters += 1
        if self._checker is None or self._checker.done():
            self._checker = loop.create_task(self._check())
        try:
            while self.head <= seen:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return False
                try:
                    await asyncio.wait_for(self._event.wait(), remaining)
                except (TimeoutError, asyncio.TimeoutError):
                    return self.head > seen
            return True
        finally:
            self._waiters -= 1

    async def _check(self) -> None:
        # Changes recorded by other processes sharing the store show only in its head.
        while self._waiters > 0:
            try:
                self.notify(await asyncio.get_running_loop().run_in_executor(None, self._latest))
            except Exception:  # noqa: BLE001 - a store hiccup only delays the watch
                pass
            await asyncio.sleep(self.interval)
