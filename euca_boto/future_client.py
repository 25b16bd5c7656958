"""The future-returning view of a client (imported by the first :func:`euca_boto.futures` call).

An :class:`~euca_boto.core.operation_proxy.OperationProxy` of the client whose operations are
submitted to the executor; programs that never ask for futures do not import it.
"""

from __future__ import annotations

import contextvars
import functools
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, Executor, Future
from typing import Any

from euca_boto.core.operation_proxy import OperationProxy


def _submit(executor: Executor, context: contextvars.Context, func: Callable[..., Any],
            *args: Any, **kwargs: Any) -> Future[Any]:
    # ``context`` is a copy of the caller's, taken where the call was asked for: the caller
    # context in effect there applies, not the executor thread's.
    return executor.submit(context.run, func, *args, **kwargs)


class FutureClient(OperationProxy):
    """A client whose operation methods return futures; everything else is the client's own."""

    def __init__(self, client: Any, executor: Executor) -> None:
        super().__init__(client)
        self._self_executor = executor

    def _self_operation(self, operation: str, method: Callable[..., Any]) -> Callable[..., Any]:
        executor = self._self_executor

        @functools.wraps(method)
        def submit(*args: Any, **kwargs: Any) -> Future[Any]:
            return _submit(executor, contextvars.copy_context(), method, *args, **kwargs)

        return submit

    def get_paginator(self, operation_name: str) -> FuturePaginator:
        """A paginator whose pages are futures, each fetched when asked for."""
        return FuturePaginator(self.__wrapped__.get_paginator(operation_name),
                               self._self_executor)

    def get_waiter(self, waiter_name: str) -> FutureWaiter:
        """A waiter whose ``wait`` returns a future (its polls run on the executor)."""
        return FutureWaiter(self.__wrapped__.get_waiter(waiter_name), self._self_executor)

    @property
    def client(self) -> Any:
        """The wrapped client, for calls that should block."""
        return self.__wrapped__

    def __repr__(self) -> str:
        return f"<futures of {self.__wrapped__!r}>"


class FuturePaginator:
    """botocore's paginator, with pages as futures."""

    def __init__(self, paginator: Any, executor: Executor) -> None:
        self._paginator = paginator
        self._executor = executor

    def paginate(self, **kwargs: Any) -> FuturePages:
        """The pages of one listing (same arguments as botocore's ``paginate``)."""
        return FuturePages(self._paginator.paginate(**kwargs), self._executor)


class FuturePages:
    """The pages of one listing, fetched on the executor one at a time, only when asked for.

    :meth:`next_page` returns at once a future of the next page (``None`` once the listing is
    over); its request goes out when the previous page has arrived, since each page names the
    next. Iterating gives the pages themselves. Safe to share between threads.
    """

    def __init__(self, page_iterator: Any, executor: Executor) -> None:
        self._pages = iter(page_iterator)
        self._executor = executor
        self._lock = threading.Lock()
        self._tail: Future[Any] | None = None

    def next_page(self) -> Future[dict[str, Any] | None]:
        """A future of the next page, or of ``None`` when there is none (it never blocks)."""
        page: Future[Any] = Future()
        # The page is fetched with the context of the caller who asked for it, even when its
        # request goes out from the callback of the previous page, in an executor thread.
        context = contextvars.copy_context()
        with self._lock:
            previous, self._tail = self._tail, page
        if previous is None:
            self._fetch(page, context)
        else:
            # botocore's page iterator is a generator: one step at a time, in order.
            previous.add_done_callback(lambda _: self._fetch(page, context))
        return page

    def _fetch(self, page: Future[Any], context: contextvars.Context) -> None:
        if not page.set_running_or_notify_cancel():
            return
        try:
            step = _submit(self._executor, context, next, self._pages, None)
        except BaseException as error:  # a shut-down executor: the page fails, not the caller
            page.set_exception(error)
            return
        step.add_done_callback(lambda done: _copy(done, page))

    def __iter__(self) -> Iterator[dict[str, Any]]:
        while (page := self.next_page().result()) is not None:
            yield page


def _copy(source: Future[Any], target: Future[Any]) -> None:
    if source.cancelled():  # the executor was shut down with cancel_futures=True
        target.set_exception(CancelledError("the executor cancelled the page's request"))
        return
    error = source.exception()
    if error is not None:
        target.set_exception(error)
    else:
        target.set_result(source.result())


class FutureWaiter:
    """botocore's waiter, whose ``wait`` returns a future."""

    def __init__(self, waiter: Any, executor: Executor) -> None:
        self._waiter = waiter
        self._executor = executor

    def wait(self, **kwargs: Any) -> Future[None]:
        return _submit(self._executor, contextvars.copy_context(), self._waiter.wait, **kwargs)
