"""The wrapper around one logical call: ask the breaker, make the call, settle it, record it.

Client proxies, the ``@breaker`` decorator and the client plugin's events all go through here
(:class:`GuardedCall`), which is why every protected call shows up in :mod:`euca_boto.metrics`
the same way.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from euca_boto.breakers.breaker import Breaker, CircuitOpenError, Ticket
from euca_boto.breakers.storage import MemoryStorage
from euca_boto.metrics import METRICS, Metrics

if TYPE_CHECKING:
    import asyncio  # imported by the asynchronous paths only: the AWS CLI never loads it

log = logging.getLogger("euca_boto.breaker")
_perf_counter = time.perf_counter

# Told which breaker admitted each call, and whether as a probe: telemetry's, once this process
# traces (telemetry.register sets it), so that a process that does not never imports telemetry.
_note_admission: Callable[[str, bool], None] | None = None


def note_admissions(note: Callable[[str, bool], None] | None) -> None:
    """Have ``note(breaker name, probe)`` called as each call is admitted (None: no one)."""
    global _note_admission
    _note_admission = note


def _retries(payload: Any) -> int:
    metadata = payload.get("ResponseMetadata") if isinstance(payload, dict) else None
    return int(metadata.get("RetryAttempts", 0)) if isinstance(metadata, dict) else 0


def _admit(breaker: Breaker, service: str, operation: str, metrics: Metrics) -> Ticket:
    """The breaker's ticket for one call; a refusal is recorded as a short circuit."""
    try:
        ticket = breaker.admit(operation)
    except CircuitOpenError:
        metrics.record_short_circuit(service, operation)
        raise
    note = _note_admission
    if note is not None:
        note(breaker.name, ticket.probe)
    return ticket


def _failed(breaker: Breaker, ticket: Ticket, service: str, operation: str, metrics: Metrics,
            start: float, error: BaseException) -> None:
    elapsed = _perf_counter() - start
    verdict = breaker.settle(ticket, error)
    if verdict.counted:
        metrics.record_call(service, operation, elapsed,
                            failure=verdict.kind if verdict.failure else None,
                            retries=_retries(getattr(error, "response", None)))


def _succeeded(breaker: Breaker, ticket: Ticket, service: str, operation: str,
               metrics: Metrics, start: float, result: Any) -> None:
    elapsed = _perf_counter() - start
    breaker.settle(ticket)
    metrics.record_call(service, operation, elapsed, None, _retries(result))


class GuardedCall:
    """The bookkeeping of one call through a breaker: admitted when made (raising
    :class:`CircuitOpenError` when it must not go out), then :meth:`failed` or
    :meth:`succeeded` exactly once. The ``async`` guard uses it, and so does the client plugin,
    which admits in one botocore event and settles in another."""

    __slots__ = ("breaker", "service", "operation", "metrics", "ticket", "start")

    def __init__(self, breaker: Breaker, service: str, operation: str, metrics: Metrics) -> None:
        self.breaker, self.service, self.operation, self.metrics = (
            breaker, service, operation, metrics,
        )
        self.ticket = _admit(breaker, service, operation, metrics)
        self.start = _perf_counter()

    def failed(self, error: BaseException) -> None:
        _failed(self.breaker, self.ticket, self.service, self.operation, self.metrics,
                self.start, error)

    def succeeded(self, result: Any) -> None:
        _succeeded(self.breaker, self.ticket, self.service, self.operation, self.metrics,
                   self.start, result)


def guarded_call(
    breaker: Breaker,
    service: str,
    operation: str,
    func: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    metrics: Metrics = METRICS,
) -> Any:
    """Call ``func(*args, **kwargs)`` through ``breaker``; record it under (service, operation).
    The steps of :class:`GuardedCall`, without the object: every protected call comes here."""
    ticket = _admit(breaker, service, operation, metrics)
    start = _perf_counter()
    try:
        result = func(*args, **kwargs)
    except BaseException as error:
        _failed(breaker, ticket, service, operation, metrics, start, error)
        raise
    _succeeded(breaker, ticket, service, operation, metrics, start, result)
    return result


class _Admission:
    """Admission to a breaker in a worker thread, which the awaiting caller may abandon at any
    moment (it was cancelled): whoever learns second that the other is done settles the ticket
    as not counted, so a probe slot taken for a caller who left is given back.

    The lock only guards the hand-over, never the store's network round trips.
    """

    __slots__ = ("_args", "_lock", "_abandoned", "_call")

    def __init__(self, *args: Any) -> None:
        self._args = args
        self._lock = threading.Lock()
        self._abandoned = False
        self._call: GuardedCall | None = None

    def run(self) -> GuardedCall:
        call = GuardedCall(*self._args)
        with self._lock:
            abandoned = self._abandoned
            if not abandoned:
                self._call = call
        if abandoned:
            import asyncio

            call.failed(asyncio.CancelledError())
        return call

    def abandon(self) -> GuardedCall | None:
        """Leave; the admitted call, if it was handed over already (the leaver settles it)."""
        with self._lock:
            self._abandoned = True
            return self._call


def _off_loop(func: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
    """Run ``func`` in the event loop's default executor. Cancelling whoever awaits the result
    does not cancel the job: a breaker's bookkeeping is done even for a cancelled caller."""
    import asyncio

    return asyncio.get_running_loop().run_in_executor(None, functools.partial(func, *args))


def _log_failure(job: asyncio.Future[Any]) -> None:
    # Nobody awaits the job: this is what keeps its failure from going unobserved.
    if not job.cancelled() and job.exception() is not None:
        log.error("breaker bookkeeping of a cancelled call failed: %r", job.exception())


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
    A caller cancelled at any point (while being admitted included) leaves nothing taken.
    """
    shared = not isinstance(breaker.storage, MemoryStorage)
    if shared:
        import asyncio  # here: a statement that runs on every call otherwise

        admission = _Admission(breaker, service, operation, metrics)
        try:
            call = await asyncio.shield(_off_loop(admission.run))
        except BaseException as error:
            admitted = admission.abandon()
            if admitted is not None:
                _off_loop(admitted.failed, error).add_done_callback(_log_failure)
            raise
    else:
        call = GuardedCall(breaker, service, operation, metrics)
    try:
        result = await func(*args, **kwargs)
    except BaseException as error:
        if shared:
            await asyncio.shield(_off_loop(call.failed, error))
        else:
            call.failed(error)
        raise
    if shared:
        await asyncio.shield(_off_loop(call.succeeded, result))
    else:
        call.succeeded(result)
    return result
