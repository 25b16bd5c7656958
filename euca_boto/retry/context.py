"""What the retry policy sees of one failed (or successful) attempt: a small read-only context.

Nothing here knows botocore's event kwargs; :mod:`euca_boto.retry.adapter` builds these objects
from them, and tests build them directly.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Final

from euca_boto.core.records import Record
from euca_boto.core.statuses import NOT_APPLIED_STATUSES, REQUEST_STATUSES

__all__ = ["NOT_APPLIED_STATUSES", "READ_ONLY_PREFIXES", "REQUEST_STATUSES", "Outcome",
           "RetryContext", "may_change_state"]

# Operations whose names start with one of these words (at a CamelCase boundary) only read.
READ_ONLY_PREFIXES: tuple[str, ...] = (
    "Describe", "List", "Get", "Check", "Head", "Lookup", "Search", "Validate",
)

class Outcome(enum.Enum):
    """How one attempt ended."""

    SUCCESS = "success"  # an HTTP response below 400
    HTTP_ERROR = "http error"  # an HTTP response of 400 or more
    CONNECT_FAILED = "connection failed"  # refused, DNS failure, connect timeout: never sent
    CONNECTION_LOST = "connection lost"  # reset or closed after the request may have been sent
    READ_TIMEOUT = "read timeout"  # sent, but no answer in time
    MALFORMED = "malformed answer"  # answered, but the body could not be parsed
    OTHER_ERROR = "error"  # anything else botocore caught (an unparsable body, ...)


class RetryContext(Record):
    """One attempt of one call, as the retry policy sees it.

    ``attempt`` is 1-based: the attempt that just ended. ``elapsed`` is the time since the call
    began, ``slept`` the part of it spent waiting between attempts, and ``attempt_duration`` the
    mean duration of the attempts so far (the estimate of how long another would take).
    ``server_delay`` is the delay the server asked for (``Retry-After`` and friends), in seconds,
    before any cap; ``server_delay_source`` names where it was found.
    """

    __slots__ = ("service", "operation", "attempt", "outcome", "status", "error_code",
                 "exception", "endpoint", "mutating", "server_delay", "server_delay_source",
                 "elapsed", "slept", "attempt_duration")

    def __init__(self, service: str, operation: str, attempt: int, outcome: Outcome,
                 status: int | None = None, error_code: str | None = None,
                 exception: BaseException | None = None, endpoint: str = "",
                 mutating: bool = False, server_delay: float | None = None,
                 server_delay_source: str | None = None, elapsed: float = 0.0, slept: float = 0.0,
                 attempt_duration: float = 0.0) -> None:
        self.service: Final = service
        self.operation: Final = operation
        self.attempt: Final = attempt
        self.outcome: Final = outcome
        self.status: Final = status
        self.error_code: Final = error_code
        self.exception: Final = exception
        self.endpoint: Final = endpoint
        self.mutating: Final = mutating
        self.server_delay: Final = server_delay
        self.server_delay_source: Final = server_delay_source
        self.elapsed: Final = elapsed
        self.slept: Final = slept
        self.attempt_duration: Final = attempt_duration

    @property
    def failed(self) -> bool:
        return self.outcome is not Outcome.SUCCESS

    @property
    def request_not_applied(self) -> bool:
        """True when the request provably had no effect, so even a mutating call may be resent."""
        if self.outcome is Outcome.CONNECT_FAILED:
            return True
        return self.outcome is Outcome.HTTP_ERROR and self.status in NOT_APPLIED_STATUSES

    @property
    def reached_server(self) -> bool:
        """False when the connection was never made, so the attempt put no request on any
        server (what the retry budget counts: see :mod:`euca_boto.retry.budget`)."""
        return self.outcome is not Outcome.CONNECT_FAILED

    @property
    def reason(self) -> str:
        """What happened, in a few words: ``HTTP 503 ServiceUnavailable``, ``read timeout``."""
        if self.outcome in (Outcome.SUCCESS, Outcome.HTTP_ERROR):
            text = f"HTTP {self.status}"
            return f"{text} {self.error_code}" if self.error_code else text
        if self.outcome is Outcome.MALFORMED:
            return f"{self.outcome.value} (HTTP {self.status})"
        if self.exception is None:
            return self.outcome.value
        return f"{self.outcome.value} ({type(self.exception).__name__})"


def may_change_state(operation_name: str, idempotency_tokens: Iterable[str] = ()) -> bool:
    """Whether calling the operation twice may do something twice.

    An operation is read-only when its name starts with a word of :data:`READ_ONLY_PREFIXES`
    (``DescribeInstances``, ``GetCallerIdentity``), and safe to repeat when its model marks a
    member as an idempotency token (``RunInstances``' ``ClientToken``, which botocore fills in),
    because the server recognises the repeat. Everything else may change state.
    """
    if any(True for _ in idempotency_tokens):
        return False
    for prefix in READ_ONLY_PREFIXES:
        if operation_name.startswith(prefix):
            rest = operation_name[len(prefix):]
            if not rest or rest[0].isupper():
                return False
    return True
