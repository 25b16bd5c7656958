"""What the three stores of breaker state share: the states, the snapshot a store reads, the
operations a breaker asks of it (:class:`Storage`), and those operations written once as
changes of a snapshot (:class:`ChangeStorage`), which memory applies under its lock and a state
file inside one transaction.

A half-open breaker's probe slots are taken under an id per admitted call, so a call whose taking
was interrupted (not knowing whether it got the slot) can give back its own slot, if any, and
nobody else's. Memory and Redis keep the ids; a state file keeps a count, where giving back
after an interrupted taking may free one slot too many (one extra probe, never a lockout).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import NamedTuple, Protocol, TypeVar

from euca_boto.breakers.window import FAILURE, SLOW_FAILURE, SUCCESS, Window, WindowSpec

# The three states of a circuit breaker, spelt as pybreaker spells them.
STATE_CLOSED = "closed"
STATE_OPEN = "open"
STATE_HALF_OPEN = "half-open"
# Beyond the three: an operator's decision that holds until the next reset.
STATE_FORCED_OPEN = "forced-open"
STATE_FORCED_CLOSED = "forced-closed"
STATES = (STATE_CLOSED, STATE_OPEN, STATE_HALF_OPEN, STATE_FORCED_OPEN, STATE_FORCED_CLOSED)
# The states in which calls are counted (an open breaker lets none through; a half-open one
# counts its probes apart).
COUNTING = (STATE_CLOSED, STATE_FORCED_CLOSED)

# A probe that has not reported back after this long is presumed lost with its process.
PROBE_STALE_AFTER = 300.0

log = logging.getLogger("euca_boto.breaker")


class Snapshot(NamedTuple):
    """One consistent read of a breaker's shared state."""

    state: str = STATE_CLOSED
    failures: int = 0
    successes: int = 0
    opened_at: float | None = None
    probes: int = 0
    probe_at: float = 0.0
    # The ids of the slots taken, where the store keeps them (else empty: only ``probes``).
    probe_ids: frozenset[str] = frozenset()
    # The outcomes of the calls since the breaker last closed, where the breaker keeps them.
    window: Window | None = None


class Storage(Protocol):
    """The operations a breaker needs from its state store; each one is atomic."""

    @property
    def description(self) -> str:
        """Where the state is kept, for people (``memory``, ``redis://host:port/db``)."""
        ...

    def read(self) -> Snapshot: ...

    def peek(self) -> Snapshot:
        """:meth:`read` for admitting a call: the state, the opening time and the probes are
        current, but the consecutive failures and the window may lack successes that
        :meth:`record_success` has not finished counting (which never change the state)."""
        ...

    def record(self, outcome: str, now: float, window: WindowSpec | None) -> Snapshot:
        """Count one call's outcome (a letter of :mod:`~euca_boto.breakers.window`) if the
        breaker is closed or forced closed: in the consecutive failures, and in the window of
        ``window`` (None: no window is kept; one of another kind or size starts afresh).
        Return the snapshot after."""
        ...

    def record_success(self, now: float, window: WindowSpec) -> None:
        """:meth:`record` of a success that cannot open the breaker (it was not slow): nothing
        is returned, so a store may finish counting it later, before its next :meth:`read`
        and its next change."""
        ...

    def add_success(self) -> int:
        """Count one successful probe; return the new count."""
        ...

    def transition(
        self, expected: str | None, new: str, now: float, next_probe: float | None = None
    ) -> bool:
        """Move to ``new`` if the state is ``expected`` (any state when None); True if moved.

        Entering a state resets what belongs to it: probes, successes and the window always,
        the opening time (and the time of the next probe, for readers without the breaker's
        settings) when opening, the failure count when closing.
        """
        ...

    def acquire_probe(self, limit: int, now: float, probe: str) -> bool:
        """Take one of ``limit`` probe slots under the id ``probe``; False if all are taken (a
        slot taken longer ago than ``PROBE_STALE_AFTER`` counts as free) or it is not
        half-open."""
        ...

    def release_probe(self, probe: str) -> None:
        """Give back the slot taken under ``probe``, if there is one."""
        ...


def _entered(snapshot: Snapshot, new: str, now: float) -> Snapshot:
    opened_at = snapshot.opened_at
    failures = snapshot.failures
    if new in (STATE_OPEN, STATE_FORCED_OPEN):
        opened_at = now
    elif new in (STATE_CLOSED, STATE_FORCED_CLOSED):
        opened_at, failures = None, 0
    return Snapshot(new, failures, 0, opened_at, 0, 0.0)


# The operations of a store as changes of a snapshot: (old) -> (new, the operation's answer).
# Memory applies them under its lock, a state file inside one transaction.
R = TypeVar("R")
Change = Callable[[Snapshot], tuple[Snapshot, R]]


def recorded(current: Snapshot, outcome: str, now: float, spec: WindowSpec | None) -> Snapshot:
    """``current`` after :meth:`Storage.record` of ``outcome``."""
    if current.state not in COUNTING:
        return current
    window = current.window
    if spec is not None:
        kept = window if window is not None and spec.holds(window) else spec.empty()
        window = kept.record(outcome, now)
    failures = current.failures + 1 if outcome == FAILURE or outcome == SLOW_FAILURE else 0
    # Every call makes one: tuple.__new__ skips the Python-level __new__ of the named tuple.
    return _new_tuple(Snapshot, (current.state, failures, current.successes,
                                 current.opened_at, current.probes, current.probe_at,
                                 current.probe_ids, window))


_new_tuple = tuple.__new__


def recorded_successes(current: Snapshot, times: Sequence[float],
                       spec: WindowSpec | None) -> Snapshot:
    """``current`` after :meth:`Storage.record` of a success at each of ``times``, in order."""
    if not times or current.state not in COUNTING:
        return current
    window = current.window
    if spec is not None:
        kept = window if window is not None and spec.holds(window) else spec.empty()
        window = kept.record_all(SUCCESS, times)
    return current._replace(failures=0, window=window)


def _recorded(outcome: str, now: float, spec: WindowSpec | None) -> Change[Snapshot]:
    def change(current: Snapshot) -> tuple[Snapshot, Snapshot]:
        new = recorded(current, outcome, now, spec)
        return new, new

    return change


def _success_added(current: Snapshot) -> tuple[Snapshot, int]:
    new = current._replace(successes=current.successes + 1)
    return new, new.successes


def _moved(expected: str | None, new: str, now: float) -> Change[bool]:
    def change(current: Snapshot) -> tuple[Snapshot, bool]:
        if expected is not None and current.state != expected:
            return current, False
        return _entered(current, new, now), True

    return change


def _probe_taken(limit: int, now: float, probe: str) -> Change[bool]:
    def change(current: Snapshot) -> tuple[Snapshot, bool]:
        if current.state != STATE_HALF_OPEN:
            return current, False
        taken, ids = current.probes, current.probe_ids
        if taken >= limit:
            if now - current.probe_at < PROBE_STALE_AFTER:
                return current, False
            taken, ids = 0, frozenset()
        return current._replace(probes=taken + 1, probe_at=now, probe_ids=ids | {probe}), True

    return change


def _probe_given_back(probe: str) -> Change[None]:
    def change(current: Snapshot) -> tuple[Snapshot, None]:
        if probe in current.probe_ids:
            return current._replace(probes=current.probes - 1,
                           probe_ids=current.probe_ids - {probe}), None
        if not current.probe_ids and current.state == STATE_HALF_OPEN and current.probes > 0:
            return current._replace(probes=current.probes - 1), None  # a store of counts
        return current, None

    return change


class ChangeStorage:
    """The operations of :class:`Storage`, each one change made by :meth:`apply`."""

    def apply(self, change: Change[R], next_probe: float | None = None) -> R:
        raise NotImplementedError

    def read(self) -> Snapshot:
        raise NotImplementedError

    def peek(self) -> Snapshot:
        return self.read()

    def record(self, outcome: str, now: float, window: WindowSpec | None) -> Snapshot:
        return self.apply(_recorded(outcome, now, window))

    def record_success(self, now: float, window: WindowSpec) -> None:
        self.record(SUCCESS, now, window)

    def add_success(self) -> int:
        return self.apply(_success_added)

    def transition(
        self, expected: str | None, new: str, now: float, next_probe: float | None = None
    ) -> bool:
        return self.apply(_moved(expected, new, now), next_probe)

    def acquire_probe(self, limit: int, now: float, probe: str) -> bool:
        return self.apply(_probe_taken(limit, now, probe))

    def release_probe(self, probe: str) -> None:
        self.apply(_probe_given_back(probe))


