"""A breaker's state kept in a state file (``euca_state``), shared by the processes of one
machine: each change is one SQLite transaction (:mod:`euca_boto.core.localstate`), and a file
that cannot be used is replaced by memory, with one warning."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from euca_boto.breakers.storage.base import STATE_OPEN, Change, ChangeStorage, R, Snapshot
from euca_boto.breakers.storage.memory import MemoryStorage
from euca_boto.breakers.window import decode
from euca_boto.core import process
from euca_boto.core.localstate import REREAD_AFTER, BreakerRow, StateFile


def snapshot_of_row(row: BreakerRow) -> Snapshot:
    """The snapshot a state file's row holds."""
    return Snapshot(row.state, row.failures, row.successes, row.opened_at, row.probes,
                    row.probe_at, window=decode(row.outcomes))


class LocalStorage(ChangeStorage):
    """State kept in a state file (``euca_state``), shared by the processes of one machine.

    A call reads the state from memory: the file is read when the breaker is created and again
    at most every :data:`~euca_boto.core.localstate.REREAD_AFTER` seconds. Every change (a
    call's outcome, a state change, a probe) is one transaction on the file, applied to what the
    file holds, so concurrent processes count together. If the file cannot be used, memory
    takes over.
    """

    def __init__(self, file: StateFile, name: str,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.file = file
        self.name = name
        self.local = MemoryStorage()
        self._clock = clock
        self._reread_at = -math.inf
        # Held from a transaction (or a re-read) until its row is loaded into memory, so a row
        # never replaces a newer one that another thread loaded meanwhile. The file's own lock
        # is held across the transaction already; this one adds only the load.
        self._loading = process.lock()

    @property
    def description(self) -> str:
        if self.file.problem is not None:
            return f"memory (state file {self.file.path} cannot be used)"
        return f"state file {self.file.path}"

    def read(self) -> Snapshot:
        now = self._clock()
        if now >= self._reread_at:
            self._reread_at = now + REREAD_AFTER
            with self._loading:
                row = self.file.breaker(self.name)
                if row is not None:
                    self.local.load(snapshot_of_row(row))
        return self.local.read()

    def apply(self, change: Change[R], next_probe: float | None = None) -> R:
        def on_row(row: BreakerRow | None) -> tuple[BreakerRow, R]:
            current = snapshot_of_row(row) if row is not None else Snapshot()
            new, answer = change(current)
            probe = row.next_probe if row is not None else None
            if new.state != current.state:
                probe = next_probe if new.state == STATE_OPEN else None
            return BreakerRow(self.name, new.state, new.failures, new.successes, new.opened_at,
                              new.probes, new.probe_at, probe,
                              new.window.encode() if new.window else ""), answer

        with self._loading:
            done = self.file.change_breaker(self.name, on_row)
            if done is not None:
                row, answer = done
                self.local.load(snapshot_of_row(row))
                return answer
        return self.local.apply(change)
