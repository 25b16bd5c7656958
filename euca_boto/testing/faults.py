"""Fault injection for one endpoint: what the next requests suffer, in arrival order.

Counted faults (an HTTP status, a reset connection, a malformed body) queue up and are used one
request at a time; latency and the black hole are modes that last until cleared.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _CountedFault:
    kind: str  # "status", "reset" or "malformed"
    remaining: int
    status: int = 0
    retry_after: str | None = None
    body: bytes | None = None


@dataclass(frozen=True)
class Decision:
    """What to do to one request. ``kind`` is ``none``, ``status``, ``reset``, ``malformed``
    or ``blackhole``; ``latency`` is the delay to add before answering."""

    kind: str = "none"
    latency: float = 0.0
    status: int = 0
    retry_after: str | None = None
    body: bytes | None = None


class FaultPlan:
    """The faults planned for one endpoint. Thread safe.

    ``on_change`` is called (outside the lock) whenever whether the endpoint looks degraded may
    have changed, so the cloud can bump its topology epoch.
    """

    def __init__(self, on_change: Callable[[], None] = lambda: None) -> None:
        self._lock = threading.Lock()
        self._queue: deque[_CountedFault] = deque()
        self._latency = 0.0
        self._blackhole = False
        self._generation = 0  # bumped by clear(), to release requests held by latency
        self._on_change = on_change

    def add_status(
        self, status: int, count: int, retry_after: str | None, body: bytes | None
    ) -> None:
        self._add(_CountedFault("status", count, status, retry_after, body))

    def add_reset(self, count: int) -> None:
        self._add(_CountedFault("reset", count))

    def add_malformed(self, count: int) -> None:
        self._add(_CountedFault("malformed", count))

    def set_latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"latency must be >= 0 seconds, got {seconds}")
        with self._lock:
            self._latency = seconds

    def set_blackhole(self, on: bool) -> None:
        with self._lock:
            self._blackhole = on
        self._on_change()

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self._latency = 0.0
            self._blackhole = False
            self._generation += 1
        self._on_change()

    @property
    def blackholed(self) -> bool:
        with self._lock:
            return self._blackhole

    @property
    def degraded(self) -> bool:
        """Black-holed, or about to answer with a server error: the endpoint is NOTREADY."""
        with self._lock:
            return self._blackhole or any(
                f.kind == "status" and f.status >= 500 for f in self._queue
            )

    def hold(self, decision: Decision, stopping: threading.Event, poll: float) -> bool:
        """Delay a request as ``decision`` says: its latency, then for as long as the black hole
        lasts. Ends early when the plan is cleared; returns False if ``stopping`` is set."""
        with self._lock:
            generation = self._generation
        deadline = time.monotonic() + decision.latency
        while (remaining := deadline - time.monotonic()) > 0:
            if stopping.wait(min(poll, remaining)):
                return False
            if self._generation != generation:
                break
        while decision.kind == "blackhole" and self.blackholed:
            if stopping.wait(poll):
                return False
        return True

    def next(self) -> Decision:
        """The decision for the request that just arrived (consumes one counted fault)."""
        exhausted = False
        with self._lock:
            latency = self._latency
            if self._blackhole:
                return Decision("blackhole", latency)
            if not self._queue:
                return Decision("none", latency)
            fault = self._queue[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._queue.popleft()
                exhausted = True
        if exhausted:
            self._on_change()
        return Decision(fault.kind, latency, fault.status, fault.retry_after, fault.body)

    def _add(self, fault: _CountedFault) -> None:
        if fault.remaining < 1:
            raise ValueError(f"count must be >= 1, got {fault.remaining}")
        with self._lock:
            self._queue.append(fault)
        self._on_change()
