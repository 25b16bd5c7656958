"""Clients whose operations return ``concurrent.futures.Future`` objects.

:func:`futures` wraps any boto3/botocore client (a protected one included): each operation runs
on the executor the application passes, as the very same call the plain client would make, so
retries, failover, breakers, wire logs and metrics apply unchanged. The caller's
``contextvars`` (its caller context) travel with each call into the executor's thread.
Paginators fetch a page only when the caller asks for it; waiters return a future too.
The library starts no thread of its own here: everything runs on the given executor.
"""

from __future__ import annotations

from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any

from euca_boto.core.botocore_access import is_client
from euca_boto.errors import EucaBotoError

if TYPE_CHECKING:
    from euca_boto.future_client import FutureClient

_MOVED = ("FutureClient", "FuturePaginator", "FuturePages", "FutureWaiter")


def futures(client: Any, executor: Executor) -> FutureClient:
    """A view of ``client`` whose operations return ``concurrent.futures.Future`` objects.

    Each call runs on ``executor`` (any ``concurrent.futures.Executor``; a thread pool is the
    usual choice: botocore clients are thread safe) with the caller's context variables.
    ``future.result()`` gives the parsed response or raises the call's error, exactly as the
    plain call would.
    """
    if not isinstance(executor, Executor):
        raise EucaBotoError(
            f"euca_boto.futures(client, executor): executor must be a "
            f"concurrent.futures.Executor (e.g. ThreadPoolExecutor(max_workers=16)), "
            f"not {type(executor).__name__}"
        )
    if not is_client(client):
        raise EucaBotoError(
            f"euca_boto.futures(client, executor): client must be a boto3/botocore client, "
            f"not {type(client).__name__}"
        )
    from euca_boto.future_client import FutureClient

    return FutureClient(client, executor)


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        from euca_boto import future_client

        return getattr(future_client, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
