"""A client whose operation methods run another way, and is otherwise the client itself.

Three views of a botocore or boto3 client are this proxy: the protected client (each call
through its circuit breaker, :mod:`euca_boto.breakers.protected`), the futures view (each call a
``Future`` on the application's executor, :mod:`euca_boto.future_client`) and the awaitable
view (each call awaited in an executor thread, :mod:`euca_boto.aio.views`). Each says only how
one call is run (:meth:`OperationProxy._self_operation`); this class knows which attributes are
operations and passes everything else through.

A ``wrapt`` proxy: ``isinstance``, ``meta``, ``exceptions`` and every attribute that is not an
operation method are the client's own. The proxy's method for an operation is made on first use
and kept, so a call costs one dictionary lookup more than the plain client's. wrapt is imported
only here, and this module only when a client is first protected or viewed, so programs that do
neither do not pay for it (nor for the asyncio wrapt imports).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import wrapt

from euca_boto.core.botocore_access import operation_methods, paginator_through, waiter_through


class OperationProxy(wrapt.ObjectProxy):
    """A proxy of a client whose operation methods are made by :meth:`_self_operation`.

    Attributes of the proxy itself are named ``_self_*`` (wrapt keeps those on the proxy).
    """

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self._self_api: Mapping[str, str] = operation_methods(client)
        self._self_service: str = client.meta.service_model.service_name
        self._self_methods: dict[str, Callable[..., Any]] = {}

    def _self_operation(self, operation: str, method: Callable[..., Any]) -> Callable[..., Any]:
        """The proxy's method for ``operation`` (``DescribeInstances``), given the client's
        bound ``method``: what makes one view differ from another."""
        raise NotImplementedError

    def __getattr__(self, name: str) -> Any:
        if name == "__wrapped__" or name.startswith("_self_"):
            return super().__getattr__(name)
        made = self._self_methods.get(name)
        if made is not None:
            return made
        attribute = getattr(self.__wrapped__, name)
        operation = self._self_api.get(name)
        if operation is None or not callable(attribute):
            return attribute
        made = self._self_methods[name] = self._self_operation(operation, attribute)
        return made

    # botocore builds paginators and waiters around ``getattr(client, operation)``; built with
    # the proxy as the client, every page and every poll is one of the proxy's calls. A view
    # whose methods no longer return what botocore expects (futures, coroutines) overrides
    # these and runs the client's own paginator and waiter its way instead.
    def get_paginator(self, operation_name: str) -> Any:
        return paginator_through(self, self.__wrapped__, operation_name)

    def get_waiter(self, waiter_name: str) -> Any:
        return waiter_through(self, self.__wrapped__, waiter_name)
