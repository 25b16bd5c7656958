"""The proxy class of protected clients (imported when the first client is protected).

A ``wrapt`` proxy: ``isinstance``, ``meta``, ``exceptions`` and everything else are the client's
own, and each operation method goes through its breaker as one logical call. wrapt is imported
only here, so programs pay for it (and for the asyncio it imports) when they protect a client.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import wrapt

from euca_boto.botocore_access import is_async_client, paginator_through, waiter_through
from euca_boto.circuit.breaker import Breaker
from euca_boto.circuit.guard import guarded_call, guarded_call_async
from euca_boto.clientbreaker import named_breaker


class ProtectedClient(wrapt.ObjectProxy):
    """A client whose operation methods, paginators and waiters go through a breaker."""

    _euca_boto_protected = True

    def __init__(self, client: Any, profile: str, settings: Mapping[str, Any]) -> None:
        super().__init__(client)
        service = client.meta.service_model.service_name
        self._self_service = service
        self._self_api: Mapping[str, str] = client.meta.method_to_api_mapping
        self._self_name = f"{profile}/{service}"
        self._self_endpoint: str = client.meta.endpoint_url
        self._self_per_operation = settings["euca_breaker_scope"] == "operation"
        self._self_settings = settings
        self._self_methods: dict[str, Callable[..., Any]] = {}
        self._self_breaker = None if self._self_per_operation else named_breaker(
            self._self_name, settings, self._self_endpoint
        )

    def _self_guard(self, operation: str, method: Callable[..., Any]) -> Callable[..., Any]:
        breaker = self._self_breaker or named_breaker(
            f"{self._self_name}/{operation}", self._self_settings, self._self_endpoint
        )
        service = self._self_service
        # aiobotocore's operation methods are plain functions returning a coroutine.
        if is_async_client(self.__wrapped__):

            @functools.wraps(method)
            async def guarded_async(*args: Any, **kwargs: Any) -> Any:
                return await guarded_call_async(breaker, service, operation, method, args, kwargs)

            return guarded_async

        @functools.wraps(method)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            return guarded_call(breaker, service, operation, method, args, kwargs)

        return guarded

    def __getattr__(self, name: str) -> Any:
        if name == "__wrapped__" or name.startswith("_self_"):
            return super().__getattr__(name)
        guarded = self._self_methods.get(name)
        if guarded is not None:
            return guarded
        attribute = getattr(self.__wrapped__, name)
        operation = self._self_api.get(name)
        if operation is None or not callable(attribute):
            return attribute
        guarded = self._self_methods[name] = self._self_guard(operation, attribute)
        return guarded

    # botocore builds paginators and waiters around ``getattr(client, operation)``; building
    # them with the proxy as the client is what makes their calls go through the breaker.
    def get_paginator(self, operation_name: str) -> Any:
        return paginator_through(self, self.__wrapped__, operation_name)

    def get_waiter(self, waiter_name: str) -> Any:
        return waiter_through(self, self.__wrapped__, waiter_name)

    @property
    def breaker(self) -> Breaker | None:
        """The client's breaker (None when there is one per operation)."""
        return self._self_breaker

    def __repr__(self) -> str:
        name = self._self_breaker.name if self._self_breaker else f"{self._self_name}/*"
        return f"<protected {self.__wrapped__!r} breaker={name!r}>"
