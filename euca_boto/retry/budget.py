"""The retry budget: how much load the retries of one service may add to the cloud.

The rule. A retry costs one token when the attempt before it reached a server: the server
answered (an error status, an answer that could not be parsed) or the connection broke after
the request went out (a reset, a read timeout). Only such a retry puts a request on the cloud
that the call would not have put there anyway. A retry after a connection that was never made
(refused, a connect timeout, a name that does not resolve) is free: the failed attempt reached no
server, so failing over from a dead endpoint to a live one is never refused, whatever else is
failing.

The bucket. One per scope, the clients of one service in one botocore session (every endpoint
of the service draws on it, so no endpoint's failures can starve the retries that move to
another): it holds at most :data:`BURST` tokens, starts full, gains ``min_rate`` tokens a second
and ``percent`` / 100 of a token for every successful call. A retry that costs a token when the
bucket holds less than one is not made: the error surfaces at once, saying so.

The figure it guarantees. Over any period of T seconds, the retries of one scope put at most
``percent`` % of its successful calls, plus ``min_rate`` × T, plus :data:`BURST` requests on the
cloud's servers beyond the calls themselves: with the defaults, at most 20 % extra load from
retries, plus one retry a second and a burst of ten. When the cloud fails everything, nothing
is deposited and retries that reach it settle at one a second; each call still stops at its
attempts and its deadline, and the breaker above them stops the calls.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# The most tokens a bucket holds: the retries a quiet scope may make at once.
BURST = 10.0

Clock = Callable[[], float]


class RetryBudget:
    """One bucket of retry tokens (see the module). Thread safe.

    ``percent``: tokens per 100 successful calls; ``min_rate``: tokens a second; ``enabled``
    False: no limit (every retry is paid for); ``clock``: monotonic seconds (``time.monotonic``
    unless one is given).
    """

    def __init__(self, percent: float = 20.0, min_rate: float = 1.0, *, enabled: bool = True,
                 clock: Clock = time.monotonic) -> None:
        self._check(percent, min_rate)
        self.percent, self.min_rate = float(percent), float(min_rate)
        self.enabled = enabled
        self.clock = clock
        self._lock = threading.Lock()
        self._tokens = BURST
        self._at = clock()
        # Read without the lock on every success: while the bucket is full, a success has
        # nothing to deposit. Time refills are only seen at the next deposit or spending.
        self.full = True

    @staticmethod
    def _check(percent: float, min_rate: float) -> None:
        if percent < 0 or min_rate < 0:
            raise ValueError(f"percent and min_rate must be >= 0, got {percent} and {min_rate}")

    def limits(self) -> tuple[float, float, bool]:
        """``(percent, min_rate, enabled)``."""
        return self.percent, self.min_rate, self.enabled

    def set_limits(self, percent: float, min_rate: float, enabled: bool = True) -> None:
        """Change the limits, keeping the tokens the bucket holds."""
        self._check(percent, min_rate)
        with self._lock:
            self._refilled(self.clock())
            self.percent, self.min_rate = float(percent), float(min_rate)
            self.enabled = enabled

    def tokens(self) -> float:
        """Tokens in the bucket now."""
        with self._lock:
            return self._refilled(self.clock())

    def try_spend(self) -> bool:
        """Take one token for a retry; False (taking nothing) if the bucket holds less."""
        if not self.enabled:
            return True
        with self._lock:
            if self._refilled(self.clock()) < 1.0:
                return False
            self._tokens -= 1.0
            self.full = False
            return True

    def deposit(self) -> None:
        """A call succeeded: add its share of a token."""
        if self.full or not self.enabled:
            return
        with self._lock:
            tokens = min(BURST, self._refilled(self.clock()) + self.percent / 100.0)
            self._tokens = tokens
            self.full = tokens >= BURST

    def _refilled(self, now: float) -> float:
        # The lock is held.
        tokens = min(BURST, self._tokens + max(0.0, now - self._at) * self.min_rate)
        self._tokens, self._at = tokens, now
        return tokens

    def describe(self) -> str:
        """The limits in words, for the error of a refused retry."""
        return (f"retries that reach a server are limited to {self.percent:g} % of the "
                f"successful calls plus {self.min_rate:g} a second, {BURST:g} at once")

    def __repr__(self) -> str:
        off = "" if self.enabled else ", enabled=False"
        return f"RetryBudget(percent={self.percent:g}, min_rate={self.min_rate:g}{off})"
