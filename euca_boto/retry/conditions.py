"""Retry conditions: which failures are worth another attempt, as small composable objects.

A condition is called with a :class:`~euca_boto.retry.context.RetryContext` and answers True
(retry) or False. Conditions combine with ``|`` (either) and ``&`` (both), in the manner of
tenacity's ``retry_if_*``::

    retry_if_status({429, 503}) | retry_if_connection_error()
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from euca_boto.retry.context import Outcome, RetryContext


class RetryCondition:
    """Base class of the conditions; subclasses implement ``__call__``."""

    def __call__(self, ctx: RetryContext) -> bool:
        raise NotImplementedError

    def __or__(self, other: RetryCondition) -> RetryCondition:
        return _AnyOf(self, other)

    def __and__(self, other: RetryCondition) -> RetryCondition:
        return _AllOf(self, other)


class _AnyOf(RetryCondition):
    def __init__(self, *conditions: RetryCondition) -> None:
        self.conditions = conditions

    def __call__(self, ctx: RetryContext) -> bool:
        return any(condition(ctx) for condition in self.conditions)

    def __repr__(self) -> str:
        return " | ".join(map(repr, self.conditions))


class _AllOf(RetryCondition):
    def __init__(self, *conditions: RetryCondition) -> None:
        self.conditions = conditions

    def __call__(self, ctx: RetryContext) -> bool:
        return all(condition(ctx) for condition in self.conditions)

    def __repr__(self) -> str:
        return " & ".join(f"({c!r})" for c in self.conditions)


class retry_if_status(RetryCondition):
    """The attempt got an HTTP response with one of ``codes``."""

    def __init__(self, codes: Iterable[int]) -> None:
        self.codes = frozenset(codes)

    def __call__(self, ctx: RetryContext) -> bool:
        return ctx.outcome is Outcome.HTTP_ERROR and ctx.status in self.codes

    def __repr__(self) -> str:
        return f"retry_if_status({sorted(self.codes)})"


class retry_if_error_code(RetryCondition):
    """The attempt got an error response whose code is one of ``codes`` (``Throttling``...)."""

    def __init__(self, codes: Iterable[str]) -> None:
        self.codes = frozenset(codes)

    def __call__(self, ctx: RetryContext) -> bool:
        return ctx.outcome is Outcome.HTTP_ERROR and ctx.error_code in self.codes

    def __repr__(self) -> str:
        return f"retry_if_error_code({sorted(self.codes)})"


class retry_if_connection_error(RetryCondition):
    """The connection could not be made (refused, DNS, connect timeout) or was reset."""

    def __call__(self, ctx: RetryContext) -> bool:
        return ctx.outcome in (Outcome.CONNECT_FAILED, Outcome.CONNECTION_LOST)

    def __repr__(self) -> str:
        return "retry_if_connection_error()"


class retry_if_read_timeout(RetryCondition):
    """The request was sent but no response came within the read timeout."""

    def __call__(self, ctx: RetryContext) -> bool:
        return ctx.outcome is Outcome.READ_TIMEOUT

    def __repr__(self) -> str:
        return "retry_if_read_timeout()"


class retry_if(RetryCondition):
    """Any predicate of the context, for what the building blocks above do not cover."""

    def __init__(self, predicate: Callable[[RetryContext], bool]) -> None:
        self.predicate = predicate

    def __call__(self, ctx: RetryContext) -> bool:
        return bool(self.predicate(ctx))

    def __repr__(self) -> str:
        return f"retry_if({self.predicate!r})"


class retry_if_malformed(RetryCondition):
    """The server answered, but its answer could not be parsed (truncated, garbled)."""

    def __call__(self, ctx: RetryContext) -> bool:
        return ctx.outcome is Outcome.MALFORMED

    def __repr__(self) -> str:
        return "retry_if_malformed()"


def default_conditions(status_codes: Iterable[int]) -> RetryCondition:
    """What euca-boto retries by default: the given statuses, connection errors, read timeouts
    and malformed answers (a call that may change state only as the idempotency rule allows)."""
    return (retry_if_status(status_codes) | retry_if_connection_error()
            | retry_if_read_timeout() | retry_if_malformed())
