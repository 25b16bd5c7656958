"""The retry budget: a token bucket per endpoint, so that retries cannot multiply the load of a
service that is failing.

Every retry spends :data:`RETRY_COST` tokens from its endpoint's bucket. A successful call puts
back :data:`SUCCESS_REFILL` token plus whatever its own retries spent there (they turned out to
be worth it). When the bucket cannot pay for a retry, the failure surfaces at once. With the
default capacity of 100, a run of calls that fail outright exhausts an endpoint's budget after
20 retries; calls that succeed after a retry or two do not drain it.

An endpoint is a server: the scheme, host and port of the request URL (see
:func:`euca_boto.retry.adapter.endpoint_of`), whatever the path, so a service that puts names
in its paths (S3 keys) still has one bucket per server. Only buckets that are not full are
kept, so the memory a budget takes is bounded by the servers that failed recently.
"""

from __future__ import annotations

from euca_boto.core import process

RETRY_COST = 5
SUCCESS_REFILL = 1


class RetryBudget:
    """Token buckets of one capacity, one per endpoint. Thread safe; capacity 0 = no budget."""

    def __init__(self, capacity: int) -> None:
        if capacity < 0:
            raise ValueError(f"capacity must be >= 0 tokens, got {capacity}")
        self.capacity = capacity
        self._tokens: dict[str, int] = {}
        self._lock = process.lock()

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    @property
    def full(self) -> bool:
        """Whether every bucket is full: there is nothing to refill."""
        return not self._tokens

    def endpoints(self) -> tuple[str, ...]:
        """The endpoints whose buckets are not full (a full bucket is not kept)."""
        with self._lock:
            return tuple(self._tokens)

    def tokens(self, endpoint: str) -> int:
        """Tokens left for ``endpoint`` (a full bucket for an endpoint not seen yet)."""
        with self._lock:
            return self._tokens.get(endpoint, self.capacity)

    def try_spend(self, endpoint: str, cost: int = RETRY_COST) -> bool:
        """Take ``cost`` tokens for a retry; False (taking nothing) if the bucket cannot pay."""
        if not self.enabled:
            return True
        with self._lock:
            left = self._tokens.get(endpoint, self.capacity)
            if left < cost:
                return False
            self._tokens[endpoint] = left - cost
            return True

    def refill(self, endpoint: str, amount: int = SUCCESS_REFILL) -> None:
        """Put back ``amount`` tokens, up to the capacity."""
        # A full bucket is not kept, so the common case (a success at an endpoint that spent
        # nothing) is one dict lookup, without the lock.
        if endpoint not in self._tokens:
            return
        with self._lock:
            left = self._tokens.get(endpoint)
            if left is None:
                return
            if left + amount >= self.capacity:
                del self._tokens[endpoint]
            else:
                self._tokens[endpoint] = left + amount

    def resize(self, capacity: int) -> None:
        """Change the capacity, keeping what is spent (a bucket never holds more than it)."""
        if capacity < 0:
            raise ValueError(f"capacity must be >= 0 tokens, got {capacity}")
        with self._lock:
            self.capacity = capacity
            self._tokens = {endpoint: left for endpoint, left in self._tokens.items()
                            if left < capacity}

    def __repr__(self) -> str:
        return f"RetryBudget(capacity={self.capacity})"
