"""A client whose operation methods run another way, and is otherwise the client itself.

Three views of a botocore or boto3 client are this proxy: the protected client (each call
through its circuit breaker, :mod:`euca_boto.breakers.protected`), the futures view (each call a
``Future`` on the application's executor, :mod:`euca_boto.future_client`) and the awaitable
view (each call awaited in an executor thread, :mod:`euca_boto.aio.views`). Each says only how
one call is run (:meth:`OperationProxy._self_operation`); this class knows which attributes are
operations and passes everything else through.

A transparent proxy: ``isinstance``, ``meta``, ``exceptions``, ``dir()``, equality and every
attribute that is not an operation method are the client's own, and setting an attribute sets
the client's. The proxy's method for an operation is made on first use and kept on the proxy,
where the next call finds it without a detour. It is plain Python: a proxy library would cost
every program that creates a protected client its import (and, in wrapt's 2.x releases, the
asyncio it imports), the first client of a short-lived program included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from euca_boto.core.botocore_access import operation_methods, paginator_through, waiter_through

_PROXY_OWN = "_self_"  # the prefix of the proxy's own attributes; every other is the client's
_set = object.__setattr__


class OperationProxy:
    """A proxy of a client whose operation methods are made by :meth:`_self_operation`.

    Attributes of the proxy itself are named ``_self_*``; ``__wrapped__`` is the client.
    """

    __wrapped__: Any

    _self_api: Mapping[str, str]
    _self_service: str
    _self_methods: dict[str, Callable[..., Any]]

    def __init__(self, client: Any, **own: Any) -> None:
        """``own``: a subclass's own attributes (``_self_*``), set with the proxy's."""
        # Put in the proxy's own dict at once (every protected client is made here): its
        # __setattr__ would only tell them from the client's by their prefix.
        self.__dict__.update(__wrapped__=client, _self_api=operation_methods(client),
                             _self_service=client.meta.service_model.service_name,
                             _self_methods={}, **own)

    def _self_operation(self, operation: str, method: Callable[..., Any]) -> Callable[..., Any]:
        """The proxy's method for ``operation`` (``DescribeInstances``), given the client's
        bound ``method``: what makes one view differ from another."""
        raise NotImplementedError

    def __getattr__(self, name: str) -> Any:
        # Only for what the proxy itself lacks (its class and its own attributes come first).
        if name == "__wrapped__" or name.startswith(_PROXY_OWN):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        made = self._self_methods.get(name)
        if made is not None:
            return made
        attribute = getattr(self.__wrapped__, name)
        operation = self._self_api.get(name)
        if operation is None or not callable(attribute):
            return attribute
        made = self._self_methods[name] = self._self_operation(operation, attribute)
        _set(self, name, made)  # found directly from now on
        return made

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith(_PROXY_OWN):
            _set(self, name, value)
        else:
            setattr(self.__wrapped__, name, value)

    def __delattr__(self, name: str) -> None:
        if name.startswith(_PROXY_OWN):
            object.__delattr__(self, name)
        else:
            delattr(self.__wrapped__, name)

    # What the client is: isinstance() asks __class__ when the proxy's own type does not match.
    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return self.__wrapped__.__class__

    def __dir__(self) -> list[str]:
        return dir(self.__wrapped__)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self.__wrapped__!r}>"

    def __str__(self) -> str:
        return str(self.__wrapped__)

    def __eq__(self, other: object) -> bool:
        return bool(self.__wrapped__ == other)

    def __ne__(self, other: object) -> bool:
        return bool(self.__wrapped__ != other)

    def __hash__(self) -> int:
        return hash(self.__wrapped__)

    def __bool__(self) -> bool:
        return bool(self.__wrapped__)

    # The client's context managers (aiobotocore's clients are asynchronous ones).
    def __enter__(self) -> Any:
        return self.__wrapped__.__enter__()

    def __exit__(self, *exc_info: Any) -> Any:
        return self.__wrapped__.__exit__(*exc_info)

    def __aenter__(self) -> Any:
        return self.__wrapped__.__aenter__()

    def __aexit__(self, *exc_info: Any) -> Any:
        return self.__wrapped__.__aexit__(*exc_info)

    def __copy__(self) -> Any:
        raise NotImplementedError("a client proxy cannot be copied; copy the client")

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        raise NotImplementedError("a client proxy cannot be copied; copy the client")

    def __reduce_ex__(self, protocol: Any) -> Any:
        raise NotImplementedError("a client proxy cannot be pickled")

    # botocore builds paginators and waiters around ``getattr(client, operation)``; built with
    # the proxy as the client, every page and every poll is one of the proxy's calls. A view
    # whose methods no longer return what botocore expects (futures, coroutines) overrides
    # these and runs the client's own paginator and waiter its way instead.
    def get_paginator(self, operation_name: str) -> Any:
        return paginator_through(self, self.__wrapped__, operation_name)

    def get_waiter(self, waiter_name: str) -> Any:
        return waiter_through(self, self.__wrapped__, waiter_name)
