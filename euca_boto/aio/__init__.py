"""Asynchronous calls: awaitable views of plain clients, and the plugin on aiobotocore sessions.

Two ways, each keeping retries, failover, breakers, wire logs, caller context and metrics:

* :func:`wrap` (:mod:`.views`) needs nothing but asyncio: each operation of a plain (or
  protected) client runs in an executor thread and is awaited. A cancelled await never leaves
  a call running unobserved: a call that had not started is never sent; one that had goes on
  (a socket read cannot be interrupted safely), its outcome is logged (logger
  ``euca_boto.aio``), and :meth:`AsyncClient.aclose` waits for it.
* :func:`install` and :func:`session` (:mod:`.plugin`) put the plugin on an aiobotocore
  ``AioSession``: the same handlers on its event emitter, with the ones that wait made
  ``async``, and protected clients whose operations are coroutines;
  :func:`configure_retry` is :func:`euca_boto.configure_retry` for its clients. aiobotocore
  itself is imported only when a session is installed or made.
"""

from euca_boto.aio.plugin import configure_retry, install, session
from euca_boto.aio.views import AsyncClient, AsyncPages, AsyncPaginator, AsyncWaiter, wrap

__all__ = [
    "AsyncClient",
    "AsyncPages",
    "AsyncPaginator",
    "AsyncWaiter",
    "configure_retry",
    "install",
    "session",
    "wrap",
]
