"""A breaker's state kept in this process: each operation under a short lock."""

from __future__ import annotations

from euca_boto.breakers.storage.base import Change, ChangeStorage, R, Snapshot
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

    def apply(self, change: Change[R], next_probe: float | None = None) -> R:
        with self._lock:
            self._snapshot, answer = change(self._snapshot)
            return answer
