"""A breaker's state kept in this process: each operation under a short lock, except the most
common one, a success that cannot open the breaker, which is counted without it."""

from __future__ import annotations

from collections import deque

from euca_boto.breakers.storage.base import (
    Change,
    ChangeStorage,
    R,
    Snapshot,
    recorded,
    recorded_successes,
)
from euca_boto.breakers.window import WindowSpec
from euca_boto.core import process

# Successes waiting to be counted, at most: beyond, the one who adds one counts them all.
FOLD_AT = 64


class MemoryStorage(ChangeStorage):
    """State kept in this process.

    :meth:`record_success` only appends the success's time to a queue (an atomic operation),
    so threads sharing a breaker do not take its lock on every call. Whoever takes the lock
    next (a :meth:`read`, any change, or the success that fills the queue) first counts the
    waiting successes into the snapshot, in the order they came: every operation still sees
    every success that ended before it, as if each had been counted under the lock.
    """

    description = "memory"

    def __init__(self, initial: Snapshot | None = None) -> None:
        self._lock = process.lock()
        self._snapshot = initial or Snapshot()
        # The times of the successes not counted yet, and the window they are counted in.
        self._successes: deque[float] = deque()
        self._window: WindowSpec | None = None

    def read(self) -> Snapshot:
        if self._successes:
            with self._lock:
                self._fold()
        return self._snapshot

    def peek(self) -> Snapshot:
        return self._snapshot

    def load(self, snapshot: Snapshot) -> None:
        with self._lock:
            self._successes.clear()  # counted in what replaces them, or gone with it
            self._snapshot = snapshot

    def record(self, outcome: str, now: float, window: WindowSpec | None) -> Snapshot:
        with self._lock:
            if self._successes:
                self._fold()
            self._snapshot = new = recorded(self._snapshot, outcome, now, window)
        return new

    def record_success(self, now: float, window: WindowSpec) -> None:
        if window is not self._window:  # the first success, or a window of other settings
            with self._lock:
                self._fold()
                self._window = window
        successes = self._successes
        successes.append(now)
        if len(successes) >= FOLD_AT:
            with self._lock:
                self._fold()

    def apply(self, change: Change[R], next_probe: float | None = None) -> R:
        with self._lock:
            if self._successes:
                self._fold()
            self._snapshot, answer = change(self._snapshot)
            return answer

    def _fold(self) -> None:
        # The lock is held. Successes added meanwhile wait for the next fold.
        successes = self._successes
        times = [successes.popleft() for _ in range(len(successes))]
        self._snapshot = recorded_successes(self._snapshot, times, self._window)
