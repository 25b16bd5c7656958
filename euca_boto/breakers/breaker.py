"""The circuit breaker: admission before a call, accounting after it, and the states between.

A breaker is consulted twice per logical call: :meth:`Breaker.admit` before (it raises
:class:`CircuitOpenError` when the call must not go out) and :meth:`Breaker.settle` after, with
the call's outcome. Nothing is held between the two, so calls through one breaker run
concurrently. The states are small objects (closed, open, half-open, and the operator's forced
open and forced closed); the counters live in a :mod:`~euca_boto.breakers.storage` store.

When it opens, as in resilience4j: a closed breaker keeps the outcomes of the last calls in a
sliding window (:mod:`~euca_boto.breakers.window`: the last ``N`` calls, or the last ``N``
seconds) and opens when, once the window holds at least ``minimum_calls`` calls, the share of
them that failed reaches ``failure_rate`` percent, or the share slower than
``slow_call_duration`` reaches ``slow_call_rate`` percent. A few failures among many successes,
or one sick endpoint that failover steps around, do not open it. With ``fail_max`` set it opens
instead after that many consecutive failures (the classic breaker, for callers that want it).
After ``reset_timeout`` it lets ``half_open_max_calls`` probes through: ``success_threshold``
successful probes close it, a failed one opens it again.

Why not pybreaker: its ``CircuitBreaker.call`` holds the breaker's lock across the call, which
serialises every thread sharing a client (``bench/bench_breaker.py`` measures it), and its
storage interface keeps a counter and a state but no half-open slots, so a probe lost with its
process or cancelled mid-call could not give its slot back. What this module keeps of it is the
vocabulary (the state names are spelt as pybreaker spells them). It is not a dependency, and
importing ``euca_boto`` does not import it.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, Final, NamedTuple

from botocore.exceptions import BotoCoreError

from euca_boto.breakers.storage import (
    PROBE_STALE_AFTER,
    STATE_CLOSED,
    STATE_FORCED_CLOSED,
    STATE_FORCED_OPEN,
    STATE_HALF_OPEN,
    STATE_OPEN,
    MemoryStorage,
    Snapshot,
    Storage,
)
from euca_boto.breakers.window import DEFAULT_WINDOW, SUCCESS, WindowSpec, outcome
from euca_boto.core import process
from euca_boto.core.records import Record
from euca_boto.errors import EucaBotoError

log = logging.getLogger("euca_boto.breaker")


def window_figures(snap: Snapshot, now: float) -> tuple[int, float | None, float | None]:
    """Calls, failure rate and slow-call rate (percent) of a snapshot's window (0, None, None
    when it has none)."""
    if snap.window is None:
        return 0, None, None
    tally = snap.window.tally(now)
    return tally.calls, tally.failure_rate, tally.slow_rate


def _utc(moment: float | None) -> str:
    if moment is None:
        return "unknown"
    return datetime.fromtimestamp(moment, timezone.utc).isoformat(timespec="seconds")


class CircuitOpenError(BotoCoreError, EucaBotoError):
    """A call was refused without being sent, because its circuit breaker is open.

    A ``BotoCoreError`` like every other failure that is not an answer from the service (no HTTP
    status, nothing sent), so ``except (ClientError, BotoCoreError)`` catches it while waiters
    and code that reads a ``ClientError``'s ``HTTPStatusCode`` never mistake it for one.
    ``breaker``, ``state``, ``opened_at`` and ``next_probe`` (epoch seconds, or None when no
    probe is scheduled) say which breaker refused it and until when; ``operation_name`` is the
    refused operation and ``code`` is ``CircuitOpen``.
    """

    code = "CircuitOpen"

    def __init__(
        self,
        breaker: str,
        state: str,
        opened_at: float | None,
        next_probe: float | None,
        operation: str | None = None,
        reason: str = "",
    ) -> None:
        self.breaker = breaker
        self.state = state
        self.opened_at = opened_at
        self.next_probe = next_probe
        self.operation_name = operation or breaker
        if state == STATE_FORCED_OPEN:
            when = "no probe until an operator resets it (`euca-boto breakers reset`)"
        elif state == STATE_HALF_OPEN:
            when = "a probe call is in flight; the next call goes out once it has succeeded"
        else:
            when = f"next probe at {_utc(next_probe)}"
        message = (
            f"circuit breaker {breaker!r} is {state} since {_utc(opened_at)}"
            f"{f' ({reason})' if reason else ''}; {when}; the call was not sent"
        )
        # BotoCoreError formats its message from keyword arguments; this one is made here.
        Exception.__init__(self, message)
        self.kwargs = {"breaker": breaker, "state": state, "opened_at": opened_at,
                       "next_probe": next_probe, "operation": operation, "reason": reason}

    def __reduce__(self) -> Any:
        k = self.kwargs
        return (type(self), (k["breaker"], k["state"], k["opened_at"], k["next_probe"],
                             k["operation"], k["reason"]))


class Verdict(Record):
    """What one call's outcome says about the service behind a breaker.

    ``kind`` names the outcome (``ok``, ``client-error``, ``http-503``, ``connection``,
    ``timeout``, ...); a ``failure`` counts towards opening; an outcome that is not ``counted``
    (the call was never sent, or was interrupted) says nothing either way.
    """

    __slots__ = ("kind", "failure", "counted")

    def __init__(self, kind: str, failure: bool = False, counted: bool = True) -> None:
        self.kind: Final = kind
        self.failure: Final = failure
        self.counted: Final = counted


OK = Verdict("ok")
NOT_COUNTED = Verdict("not-counted", counted=False)

Classifier = Callable[[BaseException], Verdict]


class AnyException(Record):
    """Every ``Exception`` is a failure, except instances of ``exclude`` (counted as successes).

    Two with the same ``exclude`` are equal: a breaker's settings include its classifier.
    """

    __slots__ = ("exclude",)

    def __init__(self, exclude: tuple[type[BaseException], ...] = ()) -> None:
        self.exclude: Final = exclude

    def __call__(self, error: BaseException) -> Verdict:
        if isinstance(error, CircuitOpenError) or not isinstance(error, Exception):
            return NOT_COUNTED
        if self.exclude and isinstance(error, self.exclude):
            return Verdict(f"excluded:{type(error).__name__}")
        return Verdict(f"error:{type(error).__name__}", failure=True)


def any_exception(exclude: tuple[type[BaseException], ...] = ()) -> Classifier:
    """Every ``Exception`` is a failure, except instances of ``exclude`` (counted as successes)."""
    return AnyException(tuple(exclude))


class StateChange(Record):
    """A state change of one breaker, as listeners receive it."""

    __slots__ = ("breaker", "old", "new", "at", "reason", "next_probe")

    def __init__(self, breaker: str, old: str, new: str, at: float, reason: str,
                 next_probe: float | None = None) -> None:
        self.breaker: Final = breaker
        self.old: Final = old
        self.new: Final = new
        self.at: Final = at
        self.reason: Final = reason
        self.next_probe: Final = next_probe


Listener = Callable[[StateChange], None]


class BreakerConfig(Record):
    """When a breaker opens and how it recovers (see the module).

    ``window`` is a :class:`~euca_boto.breakers.window.WindowSpec` (``WindowSpec.parse("60s")``);
    ``failure_rate`` and ``slow_call_rate`` are percentages above 0 and at most 100.
    ``fail_max``, when set, replaces the window by consecutive failures.
    """

    __slots__ = ("fail_max", "reset_timeout", "success_threshold", "half_open_max_calls",
                 "failure_rate", "slow_call_rate", "slow_call_duration", "window",
                 "minimum_calls")

    def __init__(self, fail_max: int | None = None, reset_timeout: float = 30.0,
                 success_threshold: int = 1, half_open_max_calls: int = 1,
                 failure_rate: float = 50.0, slow_call_rate: float = 100.0,
                 slow_call_duration: float = 60.0, window: WindowSpec = DEFAULT_WINDOW,
                 minimum_calls: int = 20) -> None:
        self.fail_max: Final = fail_max
        self.reset_timeout: Final = reset_timeout
        self.success_threshold: Final = success_threshold
        self.half_open_max_calls: Final = half_open_max_calls
        self.failure_rate: Final = failure_rate
        self.slow_call_rate: Final = slow_call_rate
        self.slow_call_duration: Final = slow_call_duration
        self.window: Final = window
        self.minimum_calls: Final = minimum_calls
        self._check()

    def _check(self) -> None:
        for name in ("success_threshold", "half_open_max_calls", "minimum_calls"):
            if getattr(self, name) < 1:
                raise ValueError(f"breaker {name} must be >= 1, got {getattr(self, name)}")
        if self.fail_max is not None and self.fail_max < 1:
            raise ValueError(f"breaker fail_max must be >= 1 or None, got {self.fail_max}")
        for name in ("failure_rate", "slow_call_rate"):
            if not 0 < getattr(self, name) <= 100:
                raise ValueError(f"breaker {name} must be above 0 and at most 100 (percent), "
                                 f"got {getattr(self, name)}")
        if self.reset_timeout < 0 or self.slow_call_duration <= 0:
            raise ValueError(f"breaker reset_timeout must be >= 0 s and slow_call_duration > 0 "
                             f"s, got {self.reset_timeout} and {self.slow_call_duration}")

    @property
    def kept_window(self) -> WindowSpec | None:
        """The window the store keeps: none when consecutive failures decide."""
        return None if self.fail_max is not None else self.window

    def tripped(self, snap: Snapshot, now: float) -> str | None:
        """Why the breaker must open after the outcome that left it ``snap``; None if not."""
        if self.fail_max is not None:
            if snap.failures >= self.fail_max:
                return f"{snap.failures} consecutive failures"
            return None
        if snap.window is None:
            return None
        tally = snap.window.tally(now)
        # As in resilience4j, a window of fewer calls than the minimum needs only to be full.
        least = self.minimum_calls
        if self.window.kind == "count":
            least = min(least, int(self.window.size))
        if tally.calls < least:
            return None
        if tally.failure_rate >= self.failure_rate:
            return (f"{tally.failure_rate:.3g} % of the last {tally.calls} calls failed "
                    f"(threshold {self.failure_rate:g} %)")
        if tally.slow_rate >= self.slow_call_rate:
            return (f"{tally.slow_rate:.3g} % of the last {tally.calls} calls took "
                    f"{self.slow_call_duration:g} s or more (threshold {self.slow_call_rate:g} %)")
        return None


class Ticket(NamedTuple):
    """Permission for one call; a probe ticket holds one of the half-open probe slots, under
    the id ``probe_id``. (A named tuple: every call makes one, and a frozen dataclass costs
    several times as much to make.)"""

    probe: bool
    admitted_in: str
    # Consecutive failures seen at admission: in the consecutive mode, a success is written
    # to the store only if there were some to clear.
    failures: int = 0
    probe_id: str = ""
    started: float = 0.0  # when the call was admitted (the breaker's timer): is it slow?


class BreakerInfo(Record):
    """One line of :func:`euca_boto.breakers`: ``failures`` are the consecutive ones; ``calls``,
    ``failure_rate`` and ``slow_call_rate`` (percent) describe the window since the breaker
    last closed (calls 0 and rates None when it keeps none)."""

    __slots__ = ("name", "state", "failures", "opened_at", "next_probe", "storage", "calls",
                 "failure_rate", "slow_call_rate")

    def __init__(self, name: str, state: str, failures: int, opened_at: float | None,
                 next_probe: float | None, storage: str, calls: int = 0,
                 failure_rate: float | None = None,
                 slow_call_rate: float | None = None) -> None:
        self.name: Final = name
        self.state: Final = state
        self.failures: Final = failures
        self.opened_at: Final = opened_at
        self.next_probe: Final = next_probe
        self.storage: Final = storage
        self.calls: Final = calls
        self.failure_rate: Final = failure_rate
        self.slow_call_rate: Final = slow_call_rate


# Makes a named tuple without the Python-level __new__ of its class, for the tickets of calls.
_new_tuple = tuple.__new__


class _State:
    name = ""
    trips = True  # whether counted outcomes may open the breaker

    def admit(self, breaker: Breaker, snap: Snapshot, now: float, operation: str | None) -> Ticket:
        return Ticket(probe=False, admitted_in=self.name, failures=snap.failures,
                      started=breaker.timer())

    def settled(self, breaker: Breaker, ticket: Ticket, verdict: Verdict, slow: bool) -> None:
        config = breaker.config
        if config.fail_max is not None and not verdict.failure and not ticket.failures:
            return  # consecutive mode: no failures to clear, nothing to write
        now = breaker.clock()
        snap = breaker.storage.record(outcome(verdict.failure, slow), now, config.kept_window)
        # Only a failure or a slow call can raise a rate to its threshold.
        reason = config.tripped(snap, now) if self.trips and (verdict.failure or slow) else None
        if reason is not None:
            breaker._move(STATE_CLOSED, STATE_OPEN, f"{reason}, the last: {verdict.kind}")


class _Closed(_State):
    name = STATE_CLOSED


class _Open(_State):
    name = STATE_OPEN

    def admit(self, breaker: Breaker, snap: Snapshot, now: float, operation: str | None) -> Ticket:
        next_probe = (snap.opened_at or now) + breaker.config.reset_timeout
        if now < next_probe:
            raise breaker._refusal(snap, operation, next_probe)
        breaker._move(STATE_OPEN, STATE_HALF_OPEN, "reset timeout elapsed; probing")
        return _HALF_OPEN.admit(breaker, snap, now, operation)


class _HalfOpen(_State):
    name = STATE_HALF_OPEN

    def admit(self, breaker: Breaker, snap: Snapshot, now: float, operation: str | None) -> Ticket:
        probe = uuid.uuid4().hex
        try:
            acquired = breaker.storage.acquire_probe(breaker.config.half_open_max_calls, now,
                                                     probe)
        except BaseException:
            # Interrupted (a KeyboardInterrupt, a timeout) perhaps after the store gave the slot:
            # give it back, or the whole fleet waits PROBE_STALE_AFTER for a probe nobody makes.
            breaker._give_back(probe)
            raise
        if acquired:
            return Ticket(probe=True, admitted_in=self.name, probe_id=probe,
                          started=breaker.timer())
        raise breaker._refusal(
            Snapshot(STATE_HALF_OPEN, opened_at=snap.opened_at), operation, None
        )


class _ForcedOpen(_State):
    name = STATE_FORCED_OPEN

    def admit(self, breaker: Breaker, snap: Snapshot, now: float, operation: str | None) -> Ticket:
        raise breaker._refusal(snap, operation, None)


class _ForcedClosed(_State):
    name = STATE_FORCED_CLOSED
    # Counted so that `breakers list` shows the trouble; an operator's close is not undone.
    trips = False


_HALF_OPEN = _HalfOpen()
_STATES: dict[str, _State] = {
    s.name: s for s in (_Closed(), _Open(), _HALF_OPEN, _ForcedOpen(), _ForcedClosed())
}


class Breaker:
    """One circuit breaker. Safe to share between threads.

    ``classifier`` decides what an exception says about the protected service; ``clock`` gives
    wall-clock seconds (shared stores compare times across processes); ``timer`` measures how
    long a call took (monotonic seconds), for the slow-call rate. ``shared_listeners`` are the
    listeners every breaker of a registry reports to, besides its own ``listeners``.
    """

    def __init__(self, name: str, config: BreakerConfig | None = None,
                 storage: Storage | None = None, classifier: Classifier | None = None,
                 clock: Callable[[], float] = time.time,
                 timer: Callable[[], float] = time.monotonic,
                 listeners: list[Listener] | None = None,
                 shared_listeners: list[Listener] | None = None) -> None:
        self.name = name
        self.config = BreakerConfig() if config is None else config
        self.storage: Storage = MemoryStorage() if storage is None else storage
        self.classifier: Classifier = any_exception() if classifier is None else classifier
        self.clock = clock
        self.timer = timer
        self.listeners: list[Listener] = [] if listeners is None else listeners
        self.shared_listeners: list[Listener] = ([] if shared_listeners is None
                                                 else shared_listeners)
        # The state last reported, the count of its changes, and this process's changes of the
        # store in progress (the thread making one reports it): guarded by the lock, which is
        # never held across the store's round trips.
        self._seen_lock = process.lock()
        self._seen = self.storage.read().state
        self._seen_changes = 0
        self._moving = 0

    def __repr__(self) -> str:
        return f"Breaker(name={self.name!r}, config={self.config!r}, storage={self.storage!r})"

    # -- one call ---------------------------------------------------------------------------

    def admit(self, operation: str | None = None) -> Ticket:
        """Permission for one call, or :class:`CircuitOpenError` if it must not be sent."""
        changes = self._seen_changes
        snap = self.storage.peek()
        if snap.state != self._seen:
            self._observe(snap, changes)
        if snap.state == STATE_CLOSED:
            # Nearly every call: what _Closed.admit does, without its lookups and the clock.
            return _new_tuple(Ticket, (False, STATE_CLOSED, snap.failures, "", self.timer()))
        # A state this version does not know (a newer process wrote it) admits like closed.
        state = _STATES.get(snap.state, _STATES[STATE_CLOSED])
        return state.admit(self, snap, self.clock(), operation)

    def settle(self, ticket: Ticket, error: BaseException | None = None) -> Verdict:
        """Account for the outcome of an admitted call (``error`` None: it returned); a call
        that was cancelled or interrupted says nothing, and gives its probe slot back."""
        if error is None and not ticket.probe:
            # Nearly every call: a success admitted while closed (or forced closed). Unless it
            # was slow it cannot open the breaker, so it is only counted (what _State.settled
            # does, without looking the state up).
            config = self.config
            if self.timer() - ticket.started < config.slow_call_duration:
                if config.fail_max is None:
                    self.storage.record_success(self.clock(), config.window)
                elif ticket.failures:
                    self.storage.record(SUCCESS, self.clock(), None)
                return OK
        verdict = OK if error is None else self.classifier(error)
        if ticket.probe:
            self._settle_probe(ticket.probe_id, verdict)
        elif verdict.counted:
            slow = self.timer() - ticket.started >= self.config.slow_call_duration
            _STATES.get(ticket.admitted_in, _STATES[STATE_CLOSED]).settled(
                self, ticket, verdict, slow)
        return verdict

    def _settle_probe(self, probe: str, verdict: Verdict) -> None:
        if not verdict.counted:
            self.storage.release_probe(probe)
        elif verdict.failure:
            self._move(STATE_HALF_OPEN, STATE_OPEN, f"probe failed: {verdict.kind}")
        else:
            successes = self.storage.add_success()
            self.storage.release_probe(probe)
            if successes >= self.config.success_threshold:
                self._move(
                    STATE_HALF_OPEN, STATE_CLOSED,
                    f"{successes} probe{'s' if successes > 1 else ''} succeeded",
                )

    def _give_back(self, probe: str) -> None:
        try:
            self.storage.release_probe(probe)
        except Exception:
            log.exception("breaker %s: could not give back a probe slot; it is free again "
                          "after %g s", self.name, PROBE_STALE_AFTER)

    def call(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call ``func`` through the breaker."""
        ticket = self.admit(getattr(func, "__name__", None))
        try:
            result = func(*args, **kwargs)
        except BaseException as error:
            self.settle(ticket, error)
            raise
        self.settle(ticket)
        return result

    # -- manual control ---------------------------------------------------------------------

    def reset(self) -> None:
        """Close the breaker and forget its failures (undoes a forced state too)."""
        self._move(None, STATE_CLOSED, "reset by operator")

    def force_open(self) -> None:
        """Refuse every call until :meth:`reset`."""
        self._move(None, STATE_FORCED_OPEN, "forced open by operator")

    def force_closed(self) -> None:
        """Let every call through and never open until :meth:`reset`."""
        self._move(None, STATE_FORCED_CLOSED, "forced closed by operator")

    # -- monitoring -------------------------------------------------------------------------

    def info(self) -> BreakerInfo:
        changes = self._seen_changes
        snap = self.storage.read()
        self._observe(snap, changes)
        calls, failure_rate, slow_rate = window_figures(snap, self.clock())
        return BreakerInfo(
            self.name, snap.state, snap.failures, snap.opened_at,
            self._next_probe(snap), self.storage.description, calls, failure_rate, slow_rate,
        )

    def _next_probe(self, snap: Snapshot) -> float | None:
        if snap.state == STATE_OPEN and snap.opened_at is not None:
            return snap.opened_at + self.config.reset_timeout
        if snap.state == STATE_HALF_OPEN:
            return self.clock()
        return None

    def _refusal(
        self, snap: Snapshot, operation: str | None, next_probe: float | None
    ) -> CircuitOpenError:
        return CircuitOpenError(self.name, snap.state, snap.opened_at, next_probe, operation)

    def _move(self, expected: str | None, new: str, reason: str) -> None:
        now = self.clock()
        next_probe = now + self.config.reset_timeout if new == STATE_OPEN else None
        with self._seen_lock:
            self._moving += 1
        moved = False
        try:
            moved = self.storage.transition(expected, new, now, next_probe)
        finally:
            with self._seen_lock:
                self._moving -= 1
                if moved:
                    old = self._seen if expected is None else expected
                    self._seen = new
                    self._seen_changes += 1
        if moved:  # else another thread or process moved it first, and reported it
            self._report(StateChange(self.name, old, new, now, reason, next_probe))

    def _observe(self, snap: Snapshot, changes: int) -> None:
        """Report a state change made elsewhere (another process sharing the store), seen in
        ``snap``, read when ``changes`` changes had been reported here.

        Not when this process reported a change since (``snap`` may be older than it: the
        thread was switched out between reading the state and comparing it), nor while one of
        this process's threads is changing the store (that thread reports its change): a
        change made elsewhere meanwhile is seen by the next call."""
        if snap.state == self._seen:
            return
        with self._seen_lock:
            if self._moving or self._seen_changes != changes:
                return
            old, self._seen = self._seen, snap.state
            self._seen_changes += 1
        if old != snap.state:
            self._report(
                StateChange(
                    self.name, old, snap.state, self.clock(),
                    "changed in the shared state (another process or an operator)",
                    self._next_probe(snap),
                )
            )

    def _report(self, change: StateChange) -> None:
        level = logging.WARNING if change.new in (STATE_OPEN, STATE_FORCED_OPEN) else logging.INFO
        tail = f"; next probe at {_utc(change.next_probe)}" if change.next_probe else ""
        log.log(
            level, "breaker %s: %s -> %s (%s)%s",
            change.breaker, change.old, change.new, change.reason, tail,
        )
        for listener in (*self.listeners, *self.shared_listeners):
            try:
                listener(change)
            except Exception:
                # A broken listener must not break the call that happened to trigger it.
                log.exception("breaker %s: listener %r failed", self.name, listener)
