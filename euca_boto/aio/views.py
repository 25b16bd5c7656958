"""Awaitable views of plain clients: ``await view.describe_services()`` with nothing but asyncio.

:func:`wrap` makes an :class:`~euca_boto.core.operation_proxy.OperationProxy` of a plain (or
protected) client whose operations run in an executor thread and are awaited, keeping retries,
failover, breakers, wire logs, caller context and metrics. A cancelled await never leaves a call
running unobserved: a call that had not started is never sent; one that had goes on (a socket
read cannot be interrupted safely), its outcome is logged, and :meth:`AsyncClient.aclose` waits
for it.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor
from types import TracebackType
from typing import Any

from euca_boto.core.botocore_access import is_async_client, is_client
from euca_boto.core.operation_proxy import OperationProxy
from euca_boto.errors import EucaBotoError

# The name the package's users configure (the views are ``euca_boto.aio.wrap`` to them).
logger = logging.getLogger("euca_boto.aio")


class _Call:
    """One call handed to an executor, which a cancelled caller may still stop before it starts.

    The lock only guards the flag: the call itself runs outside it.
    """

    __slots__ = ("_func", "_lock", "_state")

    def __init__(self, func: Callable[[], Any]) -> None:
        self._func = func
        self._lock = threading.Lock()
        self._state = "pending"

    def run(self) -> Any:
        with self._lock:
            if self._state == "cancelled":
                return _NOT_RUN
            self._state = "running"
        return self._func()

    def cancel(self) -> bool:
        """Stop the call if it has not started; False if it has (it then runs to its end)."""
        with self._lock:
            if self._state == "pending":
                self._state = "cancelled"
                return True
            return False


_NOT_RUN = object()


class AsyncClient(OperationProxy):
    """A plain client whose operations are coroutines run on an executor (see :func:`wrap`)."""

    def __init__(self, client: Any, executor: Executor | None) -> None:
        super().__init__(client)
        self._self_executor = executor
        # Calls still running in the executor, including those whose await was cancelled.
        self._self_running: set[asyncio.Future[Any]] = set()

    def _self_operation(self, operation: str, method: Callable[..., Any]) -> Callable[..., Any]:
        label = f"{self._self_service} {operation}"

        @functools.wraps(method)
        async def call(*args: Any, **kwargs: Any) -> Any:
            return await self._self_run(label, method, *args, **kwargs)

        return call

    def _self_start(
        self, func: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> tuple[_Call, asyncio.Future[Any]]:
        # The caller's context variables (its caller context) go with the call.
        bound = functools.partial(contextvars.copy_context().run, func, *args, **kwargs)
        call = _Call(bound)
        running = asyncio.get_running_loop().run_in_executor(self._self_executor, call.run)
        self._self_running.add(running)
        running.add_done_callback(self._self_running.discard)
        return call, running

    async def _self_wait(self, label: str, call: _Call, running: asyncio.Future[Any]) -> Any:
        try:
            # Shielded: cancelling the caller must not drop the outcome of a running call.
            return await asyncio.shield(running)
        except asyncio.CancelledError:
            if running.done():
                # It ended while the loop was busy, before the cancellation reached the caller:
                # the caller will never see this outcome, so it is reported like a later one.
                _report_orphan(label, running)
            elif call.cancel():
                logger.debug("%s: cancelled before it was sent", label)
            else:
                running.add_done_callback(functools.partial(_report_orphan, label))
            raise

    async def _self_run(self, label: str, func: Callable[..., Any], *args: Any,
                        **kwargs: Any) -> Any:
        call, running = self._self_start(func, *args, **kwargs)
        return await self._self_wait(label, call, running)

    def get_paginator(self, operation_name: str) -> AsyncPaginator:
        """A paginator whose pages come with ``async for``."""
        return AsyncPaginator(self, self.__wrapped__.get_paginator(operation_name),
                              f"{self._self_service} {operation_name} pages")

    def get_waiter(self, waiter_name: str) -> AsyncWaiter:
        """A waiter whose ``wait`` is awaited (its polls and sleeps run in the executor)."""
        return AsyncWaiter(self, self.__wrapped__.get_waiter(waiter_name),
                           f"{self._self_service} waiter {waiter_name}")

    @property
    def running(self) -> int:
        """How many calls of this view are running in the executor now."""
        return len(self._self_running)

    async def aclose(self) -> None:
        """Wait until every call made through this view has ended, cancelled ones included."""
        while self._self_running:
            await asyncio.wait(set(self._self_running))

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<awaitable {self.__wrapped__!r}>"


def _report_orphan(label: str, running: asyncio.Future[Any]) -> None:
    # Retrieving the outcome here is what keeps a failure from going unobserved.
    if running.cancelled():  # its executor was shut down before it ran
        logger.info("%s: never ran: its executor cancelled it", label)
        return
    error = running.exception()
    if error is None:
        logger.info("%s: ran to its end after its caller stopped waiting (cancelled); "
                    "the response was dropped", label)
    else:
        logger.warning("%s: failed after its caller stopped waiting (cancelled): %s: %s",
                       label, type(error).__name__, error)


class AsyncPaginator:
    """botocore's paginator, iterated with ``async for``."""

    def __init__(self, client: AsyncClient, paginator: Any, label: str) -> None:
        self._client = client
        self._paginator = paginator
        self._label = label

    def paginate(self, **kwargs: Any) -> AsyncPages:
        """The pages of one listing (same arguments as botocore's ``paginate``)."""
        return AsyncPages(self._client, self._paginator.paginate(**kwargs), self._label)


class AsyncPages:
    """The pages of one listing; each is fetched in the executor when asked for.

    A page whose await was cancelled while its request ran is not lost: the next request for a
    page waits for it and returns it.
    """

    def __init__(self, client: AsyncClient, page_iterator: Any, label: str) -> None:
        self._client = client
        self._pages = iter(page_iterator)
        self._label = label
        self._carried: asyncio.Future[Any] | None = None

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if self._carried is not None:
            # botocore's page iterator is a generator: never two steps at once.
            page = await asyncio.shield(self._carried)
            self._carried = None
        else:
            call, running = self._client._self_start(next, self._pages, None)
            try:
                page = await asyncio.shield(running)
            except asyncio.CancelledError:
                # A page asked for (or already fetched) advanced botocore's iterator: it is kept
                # for the next request rather than lost. One never started is simply not asked.
                if not running.cancelled() and (running.done() or not call.cancel()):
                    self._carried = running
                raise
        if page is None or page is _NOT_RUN:
            raise StopAsyncIteration
        return page


class AsyncWaiter:
    """botocore's waiter, awaited."""

    def __init__(self, client: AsyncClient, waiter: Any, label: str) -> None:
        self._client = client
        self._waiter = waiter
        self._label = label

    async def wait(self, **kwargs: Any) -> None:
        await self._client._self_run(self._label, self._waiter.wait, **kwargs)


def wrap(client: Any, executor: Executor | None = None) -> AsyncClient:
    """An awaitable view of a boto3/botocore client: ``await view.describe_services()``.

    Calls run on ``executor`` (default: the event loop's default executor). Everything the
    plain client does on a call (retries, failover, breaker, wire log, metrics) happens as
    usual, in the executor's thread, with the caller's context variables.
    """
    if not is_client(client):
        raise EucaBotoError(
            f"euca_boto.aio.wrap(client): client must be a boto3/botocore client, "
            f"not {type(client).__name__}"
        )
    if is_async_client(client):
        service = client.meta.service_model.service_name
        raise EucaBotoError(
            f"euca_boto.aio.wrap(client): the {service} client is an "
            f"aiobotocore client, whose operations are awaitable already; install the plugin "
            f"on its session with euca_boto.aio.install(session) instead"
        )
    if executor is not None and not isinstance(executor, Executor):
        raise EucaBotoError(
            f"euca_boto.aio.wrap(client, executor): executor must be a "
            f"concurrent.futures.Executor or None, not {type(executor).__name__}"
        )
    return AsyncClient(client, executor)
