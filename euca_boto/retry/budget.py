"""The retry budget: how much load the retries of one service may add to the cloud.

The rule. A retry costs one token when the attempt before it reached a server: the server
answered (an error status, an answer that could not be parsed) or the connection broke after
the request went out (a reset, a read timeout). Only such a retry puts a request on the cloud
that the call would not have put there anyway. A retry after a connection that was never made
(refused, a connect timeout, a name that does not resolve) is free: the failed attempt reached no
server, so failing over from a dead endpoint to a live one is never refused, whatever else is
failing.

The tokens, as in Finagle's retry budget. One budget per scope, the clients of one service in
one botocore session (every endpoint of the service draws on it, so no endpoint's failures can
starve the retries that move to another). Over the last :data:`TTL` seconds, it holds
``min_rate`` × :data:`TTL` tokens (a reserve, so a program that calls rarely can still retry),
plus ``percent`` / 100 of a token for every call that succeeded, less one for every retry it
paid for; deposits and withdrawals older than :data:`TTL` no longer count. A retry that costs a
token when less than one is left is not made: the error surfaces at once, saying so.

The figure it guarantees. Over any :data:`TTL` seconds, the retries of one scope put at most
``percent`` % of its successful calls plus ``min_rate`` × :data:`TTL` requests on the cloud's
servers beyond the calls themselves: with the defaults, at most 20 % extra load from retries,
plus one retry a second. When the cloud fails everything, nothing is deposited and the retries
that reach it settle at one a second; each call still stops at its attempts and its deadline,
and the breaker above them stops the calls.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from euca_boto.core import process

# How long (seconds) a success's deposit and a retry's withdrawal count, and in how many slots
# that time is kept.
TTL = 10.0
SLOTS = 10

_SLOT_SECONDS = TTL / SLOTS
# Deposits waiting to be counted, at most: beyond, the one who adds one counts them all.
FOLD_AT = 64

Clock = Callable[[], float]


class RetryBudget:
    """The retry tokens of one scope (see the module). Thread safe.

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
        self._lock = process.lock()
        # Per slot of TTL / SLOTS seconds: which slot of time it holds, its successful calls,
        # its paid retries.
        self._keys = [-1] * SLOTS
        self._successes = [0] * SLOTS
        self._retries = [0] * SLOTS
        # The slots of time of the deposits not counted yet: a deposit, made after every
        # successful call, appends to it (an atomic operation) instead of taking the lock;
        # whoever takes the lock counts them first.
        self._deposits: deque[float] = deque()

    @staticmethod
    def _check(percent: float, min_rate: float) -> None:
        if percent < 0 or min_rate < 0:
            raise ValueError(f"percent and min_rate must be >= 0, got {percent} and {min_rate}")

    def limits(self) -> tuple[float, float, bool]:
        """``(percent, min_rate, enabled)``."""
        return self.percent, self.min_rate, self.enabled

    def set_limits(self, percent: float, min_rate: float, enabled: bool = True) -> None:
        """Change the limits, keeping the deposits and withdrawals of the last :data:`TTL`."""
        self._check(percent, min_rate)
        with self._lock:
            self.percent, self.min_rate = float(percent), float(min_rate)
            self.enabled = enabled

    def tokens(self) -> float:
        """Tokens left now."""
        with self._lock:
            self._count_deposits()
            return self._left(self._key(self.clock()))

    def try_spend(self) -> bool:
        """Take one token for a retry; False (taking nothing) if less than one is left."""
        if not self.enabled:
            return True
        key = self._key(self.clock())
        with self._lock:
            self._count_deposits()
            if self._left(key) < 1.0:
                return False
            self._retries[self._slot(key)] += 1
            return True

    def deposit(self) -> None:
        """A call succeeded: add its share of a token."""
        if not self.enabled:
            return
        deposits = self._deposits
        deposits.append(self.clock() // _SLOT_SECONDS)  # its _key, made an int when counted
        if len(deposits) >= FOLD_AT:
            with self._lock:
                self._count_deposits()

    def _count_deposits(self) -> None:
        # The lock is held. Deposits made meanwhile wait for the next count.
        deposits, keys = self._deposits, self._keys
        taken = [deposits.popleft() for _ in range(len(deposits))]
        for slot_of_time in set(taken):  # mostly one or two
            key = int(slot_of_time)
            i = key % SLOTS
            if key > keys[i]:
                keys[i], self._successes[i], self._retries[i] = key, 0, 0
            elif key < keys[i]:
                continue  # its slot holds a later time: it is older than TTL
            self._successes[i] += taken.count(slot_of_time)

    @staticmethod
    def _key(now: float) -> int:
        return int(now // _SLOT_SECONDS)

    def _slot(self, key: int) -> int:
        # The lock is held. The slot of this moment, emptied if it held an older one.
        i = key % SLOTS
        if self._keys[i] != key:
            self._keys[i], self._successes[i], self._retries[i] = key, 0, 0
        return i

    def _left(self, key: int) -> float:
        # The lock is held.
        live = [i for i in range(SLOTS) if key - SLOTS < self._keys[i] <= key]
        return (self.min_rate * TTL + self.percent / 100.0 * sum(self._successes[i] for i in live)
                - sum(self._retries[i] for i in live))

    def describe(self) -> str:
        """The limits in words, for the error of a refused retry."""
        return (f"retries that reach a server are limited to {self.percent:g} % of the "
                f"successful calls plus {self.min_rate:g} a second, over the last {TTL:g} s")

    def __repr__(self) -> str:
        off = "" if self.enabled else ", enabled=False"
        return f"RetryBudget(percent={self.percent:g}, min_rate={self.min_rate:g}{off})"
