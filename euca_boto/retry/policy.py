"""The retry policy: given one attempt's context, retry after some delay or stop, and why.

The policy is plain, immutable code: it holds no per-call state (the handler passes everything a
decision needs in the :class:`~euca_boto.retry.context.RetryContext`), so one policy serves every
call of every client concurrently. Anything with a ``decide(ctx) -> RetryDecision`` method can
stand in for :class:`RetryPolicy`; it is asked after every attempt that did not succeed (an
exception, or an HTTP status of 300 or more).

The idempotency rule: a call that may change state (see
:func:`~euca_boto.retry.context.may_change_state`) is retried only when its request provably had
no effect: the connection failed before anything was sent, or the server answered 408, 429,
503, or 413 with a delay. After a 500, 502, 504, a reset connection, a read timeout or a
malformed answer the request may have taken effect, so it is not retried unless
``retry_non_idempotent`` (``euca_retry_non_idempotent = true``) says so.

The 413 rule: a payload too large does not get smaller when it is sent again, so a 413 is
retried only as a rate limit, when the server names a delay (``Retry-After`` and friends); a
plain 413 is final for every call.

The server's delay is a minimum, as in botocore: the wait is the larger of the backoff and the
server's delay (the latter cut to ``retry_after_max``), so ``Retry-After: 0`` does not turn the
backoff off.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, Protocol

from euca_boto.core.records import Record
from euca_boto.core.settings import BY_KEY
from euca_boto.retry.backoff import Backoff, wait_fixed, wait_full_jitter
from euca_boto.retry.conditions import RetryCondition, default_conditions
from euca_boto.retry.context import RetryContext

DEFAULT_STATUS_CODES: frozenset[int] = frozenset({408, 413, 429, 500, 502, 503, 504})


class RetryDecision(Record):
    """What to do after one attempt.

    ``action`` is ``retry`` (after ``delay`` seconds), ``stop`` (nothing to retry: the attempt
    succeeded or its failure is not retriable) or ``give_up`` (a retriable failure that a limit
    forbids retrying: attempts, deadline, idempotency, budget). ``reason`` says why: where the
    delay came from for a retry (``backoff``, ``Retry-After 5 s``), else why it stops, for the
    logs and for the error the caller finally sees.
    """

    __slots__ = ("action", "reason", "delay")

    def __init__(self, action: Literal["retry", "stop", "give_up"], reason: str,
                 delay: float = 0.0) -> None:
        self.action: Final = action
        self.reason: Final = reason
        self.delay: Final = delay

    @property
    def retry(self) -> bool:
        return self.action == "retry"

    @classmethod
    def retry_in(cls, delay: float, reason: str) -> RetryDecision:
        return cls("retry", reason, delay)

    @classmethod
    def stop(cls, reason: str) -> RetryDecision:
        return cls("stop", reason)

    @classmethod
    def give_up(cls, reason: str) -> RetryDecision:
        return cls("give_up", reason)


class Policy(Protocol):
    """What the retry handler needs of a policy."""

    def decide(self, ctx: RetryContext) -> RetryDecision: ...


class RetryPolicy(Record):
    """euca-boto's retry policy, one field per decision it makes.

    ``retry_on``: which failures are retriable at all. ``backoff``: the delay when the server
    names none. ``max_attempts``: attempts per call, the first included. ``retry_after_max``:
    the longest server-requested delay honoured; a longer one is cut to it. ``deadline``: total
    seconds per call; no retry starts that would end after it (the next attempt is expected to
    take as long as the attempts so far did on average). ``retry_non_idempotent``: retry calls
    that may change state even when the request may have taken effect.
    """

    __slots__ = ("retry_on", "backoff", "max_attempts", "retry_after_max", "deadline",
                 "retry_non_idempotent")

    def __init__(self, retry_on: RetryCondition | None = None, backoff: Backoff | None = None,
                 max_attempts: int = 6, retry_after_max: float = 60.0,
                 deadline: float | None = None, retry_non_idempotent: bool = False) -> None:
        self.retry_on: Final[RetryCondition] = (default_conditions(DEFAULT_STATUS_CODES)
                                                if retry_on is None else retry_on)
        self.backoff: Final[Backoff] = (wait_full_jitter(0.5, 10.0) if backoff is None
                                        else backoff)
        self.max_attempts: Final = max_attempts
        self.retry_after_max: Final = retry_after_max
        self.deadline: Final = deadline
        self.retry_non_idempotent: Final = retry_non_idempotent
        self._check()

    def _check(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts}")
        if self.retry_after_max < 0:
            raise ValueError(f"retry_after_max must be >= 0 seconds, got {self.retry_after_max}")
        if self.deadline is not None and self.deadline <= 0:
            raise ValueError(f"deadline must be > 0 seconds or None, got {self.deadline}")

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> RetryPolicy:
        """The policy that ``euca_retry_*`` settings describe (typed values, as
        :meth:`euca_boto.core.settings.Settings.for_service` gives them); missing keys take their
        defaults."""

        def get(key: str) -> Any:
            return settings[key] if key in settings else BY_KEY[key].default

        cap = get("euca_retry_delay")
        backoff: Backoff
        if get("euca_retry_backoff") == "fixed":
            backoff = wait_fixed(cap)
        else:
            backoff = wait_full_jitter(get("euca_retry_base_delay"), cap)
        return cls(
            retry_on=default_conditions(get("euca_retry_status_codes")),
            backoff=backoff,
            max_attempts=get("euca_retry_max_attempts"),
            retry_after_max=get("euca_retry_after_max"),
            deadline=get("euca_retry_deadline"),
            retry_non_idempotent=get("euca_retry_non_idempotent"),
        )

    def decide(self, ctx: RetryContext) -> RetryDecision:
        if not ctx.failed:
            return RetryDecision.stop("succeeded")
        if not self.retry_on(ctx):
            return RetryDecision.stop(f"{ctx.reason} is not retried")
        if ctx.status == 413 and ctx.server_delay is None:
            return RetryDecision.stop(
                f"{ctx.reason} without a retry delay: the request is too large and would be "
                f"refused again (a 413 is retried only when the server names a delay)"
            )
        if ctx.mutating and not ctx.request_not_applied and not self.retry_non_idempotent:
            return RetryDecision.give_up(
                f"{ctx.operation} may change state and after {ctx.reason} the "
                f"request may have taken effect (set euca_retry_non_idempotent = true to "
                f"retry such calls)"
            )
        if ctx.attempt >= self.max_attempts:
            if self.max_attempts == 1:
                return RetryDecision.give_up("retries are off (max_attempts = 1)")
            return RetryDecision.give_up(f"all {self.max_attempts} attempts failed")
        delay = max(0.0, self.backoff(ctx))
        why = "backoff"
        if ctx.server_delay is not None:
            # The server's delay bounds the wait from below; the cap only limits what is
            # honoured of it.
            asked = min(ctx.server_delay, self.retry_after_max)
            if asked >= delay:
                delay = asked
                why = f"{ctx.server_delay_source} {ctx.server_delay:g} s"
                if ctx.server_delay > self.retry_after_max:
                    why += f", cut to euca_retry_after_max {self.retry_after_max:g} s"
            else:
                why = f"backoff, above {ctx.server_delay_source} {ctx.server_delay:g} s"
        if self.deadline is not None:
            expected_end = ctx.elapsed + delay + ctx.attempt_duration
            if expected_end > self.deadline:
                return RetryDecision.give_up(
                    f"deadline: a retry after {delay:.3g} s would end at about "
                    f"{expected_end:.3g} s, after the call's deadline of {self.deadline:g} s"
                )
        return RetryDecision.retry_in(delay, why)
