"""The wrapper around one logical call: ask the breaker, make the call, settle it, record it.

Client proxies and the ``@breaker`` decorator both go through here, which is why every protected
call shows up in :mod:`euca_boto.metrics` the same way.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from euca_boto import telemetry
from euca_boto.circuit.breaker import Breaker, CircuitOpenError, Ticket
from euca_boto.circuit.storage import MemoryStorage
from euca_boto.metrics import METRICS, Metrics


def _retries(payload: Any) -> int:
    metadata = payload.get("ResponseMetadata") if isinstance(payload, dict) else None
    return int(metadata.get("RetryAttempts", 0)) if isinstance(metadata, dict) else 0


class _Call:
    """The bookkeeping of one call, shared by the plain and the ``async`` guard."""

    __slots__ = ("breaker", "service", "operation", "metrics", "ticket", "start")

    def __init__(self, breaker: Breaker, service: str, operation: str, metrics: Metrics) -> None:
        self.breaker, self.service, self.operation, self.metrics = (
            breaker, service, operation, metrics,
        )
        try:
            self.ticket: Ticket = breaker.admit(operation)
        except CircuitOpenError:
            metrics.record_short_circuit(service, operation)
            raise
        if telemetry.ACTIVE:
            telemetry.note_breaker(breaker.name, self.ticket.probe)
        self.start = time.perf_counter()

    def failed(self, error: BaseException) -> None:
        elapsed = time.perf_counter() - self.start
        verdict = self.breaker.settle(self.ticket, error)
        if verdict.counted:
            self.metrics.record_call(
                self.service, self.operation, elapsed,
                failure=verdict.kind if verdict.failure else None,
                retries=_retries(getattr(error, "response", None)),
            )

    def succeeded(self, result: Any) -> None:
        elapsed = time.perf_counter() - self.start
        self.breaker.settle(self.ticket)
        self.metrics.record_call(self.service, self.operation, elapsed, retries=_retries(result))


def guarded_call(
    breaker: Breaker,
    service: str,
    operation: str,
    func: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    metrics: Metrics = METRICS,
) -> Any:
    """Call ``func(*args, **kwargs)`` through ``breaker``; record it under (service, operation)."""
    call = _Call(breaker, service, operation, metrics)
    try:
        result = func(*args, **kwargs)
    except BaseException as error:
        call.failed(error)
        raise
    call.succeeded(result)
    return result


async def guarded_call_async(
    breaker: Breaker,
    service: str,
    operation: str,
    func: Callable[..., Awaitable[Any]],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    metrics: Metrics = METRICS,
) -> Any:
    """:func:`guarded_call` for a coroutine function.

    It never blocks the event loop: a breaker whose state is in this process is consulted
    inline (a lock held for microseconds, never across a call); one whose state is shared
    (Redis) is consulted in a worker thread, since each consultation is a network round trip.
    """
    import asyncio  # only asynchronous programs pay for it

    if isinstance(breaker.storage, MemoryStorage):
        call = _Call(breaker, service, operation, metrics)
    else:
        call = await asyncio.to_thread(_Call, breaker, service, operation, metrics)
    try:
        result = await func(*args, **kwargs)
    except BaseException as error:
        if isinstance(breaker.storage, MemoryStorage):
            call.failed(error)
        else:
            # Shielded: a cancelled caller still gets its call accounted for.
            await asyncio.shield(asyncio.to_thread(call.failed, error))
        raise
    if isinstance(breaker.storage, MemoryStorage):
        call.succeeded(result)
    else:
        await asyncio.to_thread(call.succeeded, result)
    return result
