"""Backoff strategies: how long to wait before the next attempt, as small callables.

A strategy is called with the :class:`~euca_boto.retry.context.RetryContext` of the attempt that
failed and returns seconds. Strategies add up with ``+``, in the manner of tenacity's
``wait_*``: ``wait_fixed(1) + wait_full_jitter(0.5, 10)``.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from euca_boto.retry.context import RetryContext

Uniform = Callable[[float, float], float]


class Backoff:
    """Base class of the strategies; subclasses implement ``__call__``."""

    def __call__(self, ctx: RetryContext) -> float:
        raise NotImplementedError

    def __add__(self, other: Backoff) -> Backoff:
        return _Sum(self, other)


class _Sum(Backoff):
    def __init__(self, *parts: Backoff) -> None:
        self.parts = parts

    def __call__(self, ctx: RetryContext) -> float:
        return sum(part(ctx) for part in self.parts)

    def __repr__(self) -> str:
        return " + ".join(map(repr, self.parts))


class wait_fixed(Backoff):
    """Always the same delay: the classic Eucalyptus client behaviour."""

    def __init__(self, delay: float) -> None:
        if delay < 0:
            raise ValueError(f"delay must be >= 0 seconds, got {delay}")
        self.delay = float(delay)

    def __call__(self, ctx: RetryContext) -> float:
        return self.delay

    def __repr__(self) -> str:
        return f"wait_fixed({self.delay:g})"


class wait_full_jitter(Backoff):
    """AWS's "full jitter": a uniform draw from 0 to ``min(cap, base * 2 ** (attempt - 1))``.

    The ceiling doubles with every failed attempt until it reaches ``cap``; drawing the whole
    delay at random spreads out clients that failed together. ``uniform`` is the random source
    (``random.uniform`` unless one is given, e.g. a seeded ``random.Random().uniform``).
    """

    def __init__(self, base: float, cap: float, uniform: Uniform | None = None) -> None:
        if base < 0 or cap < 0:
            raise ValueError(f"base and cap must be >= 0 seconds, got {base} and {cap}")
        self.base, self.cap = float(base), float(cap)
        self.uniform: Uniform = uniform or random.uniform

    def ceiling(self, attempt: int) -> float:
        """The largest delay drawn after failed attempt ``attempt`` (1-based)."""
        # Bound the exponent so a huge attempt number cannot overflow the float.
        return min(self.cap, self.base * 2.0 ** min(attempt - 1, 64))

    def __call__(self, ctx: RetryContext) -> float:
        return self.uniform(0.0, self.ceiling(ctx.attempt))

    def __repr__(self) -> str:
        return f"wait_full_jitter(base={self.base:g}, cap={self.cap:g})"


# The name it had first, kept for programs that use it. tenacity's function of that name draws
# a small jitter on top of the exponential delay; this one draws the whole delay.
wait_exponential_jitter = wait_full_jitter
