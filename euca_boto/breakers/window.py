"""Sliding windows of call outcomes: what a breaker's failure rate is computed over.

Two kinds, as in resilience4j: the outcomes of the last N calls (:class:`CountWindow`, a ring of
one letter per call) or the counts of the last N seconds (:class:`TimeWindow`, up to
:data:`MAX_BUCKETS` buckets of equal width, the oldest dropped as time moves on). A window is an
immutable value: :meth:`record` returns the next one. Windows travel as text (:meth:`encode`,
:func:`decode`) through the state file and Redis, whose script records an outcome exactly as
:meth:`record` does here (``storage/redis.py``); the text says which kind and size it is, so
``euca-boto breakers list`` can show a window without knowing the breaker's settings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final, Literal, NamedTuple

from euca_boto.core.records import Record
from euca_boto.core.setting_kinds import window_parts

# One letter per outcome: a failure or not, slow or not.
SUCCESS, FAILURE, SLOW_SUCCESS, SLOW_FAILURE = "s", "f", "S", "F"

# The most buckets a time window keeps: a longer window has wider buckets.
MAX_BUCKETS = 60


def prefix(kind: str, size: float) -> str:
    """How the text of a window of this kind and size begins."""
    return f"{kind} {size:g}"


def outcome(failure: bool, slow: bool) -> str:
    """The letter of one call's outcome."""
    if failure:
        return SLOW_FAILURE if slow else FAILURE
    return SLOW_SUCCESS if slow else SUCCESS


class Tally(NamedTuple):
    """The calls in a window, and how many of them failed or were slow."""

    calls: int = 0
    failures: int = 0
    slow: int = 0

    @property
    def failure_rate(self) -> float:
        """Percent of the calls that failed (0 without calls)."""
        return 100.0 * self.failures / self.calls if self.calls else 0.0

    @property
    def slow_rate(self) -> float:
        """Percent of the calls that were slow (0 without calls)."""
        return 100.0 * self.slow / self.calls if self.calls else 0.0


_new_tuple = tuple.__new__

# What each letter adds to the failures and to the slow calls. (The windows are named tuples,
# and kept up to date by the letter that comes in and the one that goes out, because a breaker
# records and reads one on every call.)
_FAILS = {SUCCESS: 0, FAILURE: 1, SLOW_SUCCESS: 0, SLOW_FAILURE: 1}
_SLOW = {SUCCESS: 0, FAILURE: 0, SLOW_SUCCESS: 1, SLOW_FAILURE: 1}


class CountWindow(NamedTuple):
    """The outcomes of the last ``size`` calls: ``ring`` holds one letter per call, the next
    one written at ``head``; ``failures`` and ``slow`` count its letters of each kind."""

    size: int
    head: int = 0
    ring: str = ""
    failures: int = 0
    slow: int = 0

    def record(self, letter: str, now: float) -> CountWindow:
        size, i, ring, failures, slow = self
        if i < len(ring):
            gone = ring[i]
            if gone == letter:
                if not failures and not slow:
                    # A success in a full ring of successes: the window stays as it is (and a
                    # state file holding it is not written: a healthy command writes nothing).
                    return self
                # Mostly a success in place of a success: only the head moves. (tuple.__new__
                # skips the Python-level __new__ of the named tuple: every call records.)
                return _new_tuple(CountWindow, (size, (i + 1) % size, ring, failures, slow))
            failures, slow = failures - _FAILS[gone], slow - _SLOW[gone]
        failures, slow = failures + _FAILS[letter], slow + _SLOW[letter]
        ring = ring[:i] + letter + ring[i + 1:]
        return _new_tuple(CountWindow, (size, _head(size, i + 1, ring, failures, slow), ring,
                                        failures, slow))

    def record_all(self, letter: str, times: Sequence[float]) -> CountWindow:
        """:meth:`record` of ``letter`` once per time in ``times``, in one step."""
        window, n = self, len(times)
        if letter == SUCCESS and _only_successes(*self):
            return self  # successes in a full ring of successes (see record)
        while n and len(window.ring) < window.size:  # still filling up: one letter at a time
            window, n = window.record(letter, 0.0), n - 1
        if not n:
            return window
        size, head, ring = window.size, window.head, window.ring
        end = head + n
        if n >= size:
            ring = letter * size
        elif end <= size:
            ring = ring[:head] + letter * n + ring[end:]
        else:  # the run wraps around the end of the ring
            ring = letter * (end - size) + ring[end - size:head] + letter * (size - head)
        failures = ring.count(FAILURE) + ring.count(SLOW_FAILURE)
        slow = ring.count(SLOW_SUCCESS) + ring.count(SLOW_FAILURE)
        return CountWindow(size, _head(size, end, ring, failures, slow), ring, failures, slow)

    def tally(self, now: float) -> Tally:
        return Tally(len(self.ring), self.failures, self.slow)

    def encode(self) -> str:
        return f"{prefix('count', self.size)} {self.head} {self.ring}"

    @classmethod
    def of(cls, size: int, head: int, ring: str) -> CountWindow:
        """The window of this ring, counted."""
        return cls(size, head, ring, sum(_FAILS[c] for c in ring), sum(_SLOW[c] for c in ring))


def _head(size: int, head: int, ring: str, failures: int, slow: int) -> int:
    """Where the next letter goes: after the last one, except in a full ring of successes,
    where which one is the oldest makes no difference. Such a ring has one form (head 0),
    however it was reached, so that every store holds the same window for the same calls."""
    return 0 if _only_successes(size, head, ring, failures, slow) else head % size


def _only_successes(size: int, head: int, ring: str, failures: int, slow: int) -> bool:
    """Whether a count window (its fields) is full, of successes only."""
    return not failures and not slow and len(ring) == size


class TimeWindow(NamedTuple):
    """The outcomes of the last ``size`` seconds (wall-clock, which processes share), counted
    in buckets ``(key, calls, failures, slow)``; a bucket's key is its start over its width."""

    size: float
    buckets: tuple[tuple[int, int, int, int], ...] = ()

    @property
    def spans(self) -> int:
        """How many buckets the window spans."""
        return min(math.ceil(self.size), MAX_BUCKETS)

    def key(self, now: float) -> int:
        return math.floor(now / (self.size / self.spans))

    def record(self, letter: str, now: float) -> TimeWindow:
        key = self.key(now)
        kept = [b for b in self.buckets if key - self.spans < b[0] <= key and b[0] != key]
        current = next((b for b in self.buckets if b[0] == key), (key, 0, 0, 0))
        kept.append((key, current[1] + 1, current[2] + _FAILS[letter],
                     current[3] + _SLOW[letter]))
        return TimeWindow(self.size, tuple(kept))

    def record_all(self, letter: str, times: Sequence[float]) -> TimeWindow:
        """:meth:`record` of ``letter`` once per time in ``times``, in order."""
        window = self
        for now in times:
            window = window.record(letter, now)
        return window

    def tally(self, now: float) -> Tally:
        key = self.key(now)
        live = [b for b in self.buckets if key - self.spans < b[0] <= key]
        return Tally(sum(b[1] for b in live), sum(b[2] for b in live), sum(b[3] for b in live))

    def encode(self) -> str:
        buckets = " ".join(f"{k}:{c}:{f}:{s}" for k, c, f, s in self.buckets)
        return f"{prefix('time', self.size)} {buckets}".rstrip()


Window = CountWindow | TimeWindow


class WindowSpec(Record):
    """A breaker's window setting: the last ``size`` calls (``count``) or seconds (``time``)."""

    __slots__ = ("kind", "size")

    def __init__(self, kind: Literal["count", "time"], size: float) -> None:
        self.kind: Final = kind
        self.size: Final = size
        self._check()

    def _check(self) -> None:
        if self.size <= 0 or (self.kind == "count" and self.size != int(self.size)):
            raise ValueError(f"a window holds a whole number of calls or some seconds, "
                             f"not {self.size:g}")

    @classmethod
    def parse(cls, text: str) -> WindowSpec:
        """``100 calls``, or a duration with its unit (``60s``, ``2m``); ValueError otherwise
        (see :func:`euca_boto.core.setting_kinds.window_parts`)."""
        kind, size = window_parts(text)
        return cls("count" if kind == "count" else "time", size)

    def empty(self) -> Window:
        if self.kind == "count":
            return CountWindow(int(self.size))
        return TimeWindow(self.size)

    def holds(self, window: Window | None) -> bool:
        """Whether ``window`` is a window of this kind and size."""
        if self.kind == "count":
            return isinstance(window, CountWindow) and window.size == self.size
        return isinstance(window, TimeWindow) and window.size == self.size

    def __str__(self) -> str:
        if self.kind == "count":
            return f"{int(self.size)} calls"
        return f"{self.size:g}s"


# resilience4j's default: the last 100 calls.
DEFAULT_WINDOW = WindowSpec("count", 100)


def decode(text: str | None) -> Window | None:
    """The window :meth:`encode` wrote (None for no text or text this version cannot read)."""
    if not text:
        return None
    kind, _, rest = text.partition(" ")
    try:
        if kind == "count":
            size, head, ring = (rest.split(" ", 2) + [""])[:3]
            return CountWindow.of(int(size), int(head), ring)
        if kind == "time":
            size, *buckets = rest.split(" ")
            return TimeWindow(float(size), tuple(_bucket(b) for b in buckets if b))
    except (ValueError, KeyError):
        return None
    return None


def _bucket(text: str) -> tuple[int, int, int, int]:
    key, calls, failures, slow = (int(part) for part in text.split(":"))
    return key, calls, failures, slow
