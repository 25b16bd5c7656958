"""A breaker's state kept in this process: each operation under a short lock."""

from __future__ import annotations

from euca_boto.breakers.storage.base import Change, ChangeStorage, R, Snapshot, recorded
from euca_boto.breakers.window import WindowSpec
from euca_boto.core import process


class MemoryStorage(ChangeStorage):
    """State kept in this process."""

    description = "memory"

    def __init__(self, initial: Snapshot | None = None) -> None:
        self._lock = process.lock()
        self._snapshot = initial or Snapshot()

    def read(self) -> Snapshot:
        return self._snapshot

    def load(self, snapshot: Snapshot) -> None:
        with self._lock:
            self._snapshot = snapshot

    def record(self, outcome: str, now: float, window: WindowSpec | None) -> Snapshot:
        # Every call through the breaker comes here: the change applied without its closure.
        with self._lock:
            self._snapshot = new = recorded(self._snapshot, outcome, now, window)
        return new

    def apply(self, change: Change[R], next_probe: float | None = None) -> R:
        with self._lock:
            self._snapshot, answer = change(self._snapshot)
            return answer
