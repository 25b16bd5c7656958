"""Endpoint health: outlier ejection with a growing backoff, and one probe at a time.

An endpoint that fails (connection error, timeout, retriable 5xx) is left out of the rotation
for an ejection period that doubles while it keeps failing, up to a cap. When the period is
over, one call at a time may probe it: a success re-admits it, a failure ejects it for longer.
The board is keyed by endpoint URL and shared by every client of a session; its lock is only
held for bookkeeping, never across a call. With a state file (``euca_state``), ejections are
also written there when they happen, and what other processes wrote is taken in when the board
is attached and then at most every few seconds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Final

from euca_boto.core import process
from euca_boto.core.records import Record

if TYPE_CHECKING:
    from euca_boto.core.localstate import StateFile

Clock = Callable[[], float]


class State(Enum):
    HEALTHY = "healthy"
    EJECTED = "ejected"  # left out until its ejection period is over
    PROBE_DUE = "probe due"  # the period is over: the next call may probe it
    PROBING = "probing"  # a call is probing it right now


class EjectionPolicy(Record):
    """How long a failing endpoint is left out: ``base`` seconds after its first failure,
    doubled after each further one, at most ``maximum``."""

    __slots__ = ("base", "maximum")

    def __init__(self, base: float = 5.0, maximum: float = 300.0) -> None:
        self.base: Final = base
        self.maximum: Final = maximum

    def period(self, failures: int) -> float:
        if failures <= 0:
            return 0.0
        return min(self.maximum, self.base * math.pow(2.0, min(failures - 1, 60)))


class Health(Record):
    """What the board knows of one endpoint at one moment (for display and ordering)."""

    __slots__ = ("state", "failures", "ejected_for", "last_failure", "last_error")

    def __init__(self, state: State, failures: int = 0, ejected_for: float = 0.0,
                 last_failure: float = -math.inf, last_error: str | None = None) -> None:
        self.state: Final = state
        # consecutive failures
        self.failures: Final = failures
        # seconds left of the ejection
        self.ejected_for: Final = ejected_for
        # clock time of the last failure
        self.last_failure: Final = last_failure
        self.last_error: Final = last_error


class _Record:
    __slots__ = ("failures", "ejected_until", "last_failure", "last_error", "probe_until",
                 "changed")

    def __init__(self, failures: int = 0, ejected_until: float = 0.0,
                 last_failure: float = -math.inf, last_error: str | None = None,
                 probe_until: float = 0.0, changed: float = -math.inf) -> None:
        self.failures = failures
        self.ejected_until = ejected_until
        self.last_failure = last_failure
        self.last_error = last_error
        # a probe is in flight until then (its lease)
        self.probe_until = probe_until
        # when failures last changed: the newer change wins a merge
        self.changed = changed

    def copy(self) -> _Record:
        return _Record(self.failures, self.ejected_until, self.last_failure, self.last_error,
                       self.probe_until, self.changed)


class HealthBoard:
    """The health of every endpoint a session has called. Thread safe."""

    def __init__(self, clock: Clock, probe_lease: float = 120.0) -> None:
        self.clock = clock
        # A probe whose call never reports back (its thread died) stops blocking others then.
        self.probe_lease = probe_lease
        self._lock = process.lock()
        self._records: dict[str, _Record] = {}
        self._file: StateFile | None = None
        self._reread_at = math.inf  # clock time of the next read of the file
        self._failing = 0  # endpoints with failures > 0, kept by _set_failures

    @property
    def all_healthy(self) -> bool:
        """Whether no endpoint has failed since it last answered (read without the lock: a
        failure recorded meanwhile is seen by the next call)."""
        return self._failing == 0

    def _set_failures(self, record: _Record, failures: int) -> None:
        # Called with the lock held.
        self._failing += (failures > 0) - (record.failures > 0)
        record.failures = failures

    def remember_in(self, file: StateFile | None) -> None:
        """Keep ejections in ``file`` as well (None: in this process only), starting with what
        it holds now."""
        if file is self._file:
            return
        self._file = file
        self._reread_at = -math.inf if file is not None else math.inf
        self.refresh(self.clock())

    def refresh(self, now: float) -> None:
        """Take in the ejections other processes wrote, if the last look is old enough."""
        if now < self._reread_at:
            return  # the common case: one comparison
        file = self._file
        if file is None:
            return
        from euca_boto.core.localstate import REREAD_AFTER  # loaded with the file

        self._reread_at = now + REREAD_AFTER
        stored = file.ejections()
        if not stored:
            return
        offset = self.clock() - time.time()  # the file keeps wall-clock times
        with self._lock:
            for url, ejection in stored.items():
                record = self._records.get(url)
                changed = ejection.changed + offset
                if record is None:
                    if ejection.failures == 0:
                        continue
                    record = self._records[url] = _Record()
                elif record.changed >= changed:
                    continue
                self._set_failures(record, ejection.failures)
                record.ejected_until = ejection.ejected_until + offset
                record.last_failure = ejection.last_failure + offset
                record.last_error = ejection.last_error
                record.changed = changed

    def _save(self, url: str, record: _Record) -> None:
        file = self._file
        if file is None:
            return
        from euca_boto.core.localstate import Ejection  # loaded with the file

        offset = time.time() - self.clock()
        file.save_ejection(Ejection(
            url, record.failures, record.ejected_until + offset, record.last_failure + offset,
            record.last_error, record.changed + offset,
        ))

    def health(self, url: str) -> Health:
        now = self.clock()
        with self._lock:
            record = self._records.get(url)
            if record is None:
                return Health(State.HEALTHY)
            return Health(self._state(record, now), record.failures,
                          max(0.0, record.ejected_until - now), record.last_failure,
                          record.last_error)

    def state(self, url: str, now: float) -> State:
        record = self._records.get(url)  # a dict read is atomic; no lock on the hot path
        if record is None or record.failures == 0:
            return State.HEALTHY
        return self._state(record, now)

    @staticmethod
    def _state(record: _Record, now: float) -> State:
        if record.failures == 0:
            return State.HEALTHY
        if now < record.ejected_until:
            return State.EJECTED
        if now < record.probe_until:
            return State.PROBING
        return State.PROBE_DUE

    def last_failure(self, url: str) -> float:
        record = self._records.get(url)
        return record.last_failure if record else -math.inf

    def claim_probe(self, url: str, now: float) -> bool:
        """Take the one probe of an endpoint whose ejection is over; False if it is taken."""
        with self._lock:
            record = self._records.get(url)
            if record is None or self._state(record, now) is not State.PROBE_DUE:
                return False
            record.probe_until = now + self.probe_lease
            return True

    def release_probe(self, url: str) -> None:
        """Give back a probe the call did not use."""
        with self._lock:
            record = self._records.get(url)
            if record is not None:
                record.probe_until = 0.0

    def succeeded(self, url: str) -> bool:
        """Record a success; True if this re-admitted an ejected endpoint."""
        record = self._records.get(url)
        if record is None or record.failures == 0:
            return False  # the common case: healthy stays healthy without taking the lock
        with self._lock:
            readmitted = record.failures > 0
            self._set_failures(record, 0)
            record.ejected_until = record.probe_until = 0.0
            record.changed = self.clock()
            saved = record.copy()
        if readmitted:
            self._save(url, saved)
        return readmitted

    def failed(self, url: str, policy: EjectionPolicy, error: str) -> float:
        """Record a failure and eject the endpoint; returns the ejection period."""
        now = self.clock()
        with self._lock:
            record = self._records.setdefault(url, _Record())
            self._set_failures(record, record.failures + 1)
            period = policy.period(record.failures)
            record.ejected_until = now + period
            record.last_failure = now
            record.last_error = error
            record.probe_until = 0.0
            record.changed = now
            saved = record.copy()
        # Written after the lock is released: another thread's bookkeeping never waits for it.
        self._save(url, saved)
        return period
