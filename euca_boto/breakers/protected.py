"""The proxy class of protected clients (imported when the first client is protected).

An :class:`~euca_boto.core.operation_proxy.OperationProxy`: ``isinstance``, ``meta``, ``exceptions``
and everything else are the client's own, and each operation method goes through its breaker
as one logical call; paginators and waiters are built against the proxy, so every page and every
poll is such a call too. Plain Python, like its base: protecting a client imports no asyncio.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from euca_boto.breakers.breaker import Breaker
from euca_boto.breakers.naming import named_breaker
from euca_boto.core.botocore_access import is_async_client
from euca_boto.core.operation_proxy import OperationProxy


class ProtectedClient(OperationProxy):
    """A client whose operation methods, paginators and waiters go through a breaker."""

    _euca_boto_protected = True

    _self_name: str
    _self_endpoint: str
    _self_per_operation: bool
    _self_settings: Mapping[str, Any]
    _self_breaker: Breaker | None

    def __init__(self, client: Any, profile: str, settings: Mapping[str, Any]) -> None:
        name = f"{profile}/{client.meta.service_model.service_name}"
        endpoint = client.meta.endpoint_url
        per_operation = settings["euca_breaker_scope"] == "operation"
        super().__init__(
            client, _self_name=name, _self_endpoint=endpoint, _self_per_operation=per_operation,
            _self_settings=settings,
            _self_breaker=None if per_operation else named_breaker(name, settings, endpoint))

    def _self_operation(self, operation: str, method: Callable[..., Any]) -> Callable[..., Any]:
        # Imported by the first call, not with the class: creating a client runs no guard.
        from euca_boto.breakers.guard import guarded_call, guarded_call_async

        breaker = self._self_breaker or named_breaker(
            f"{self._self_name}/{operation}", self._self_settings, self._self_endpoint
        )
        service = self._self_service
        # aiobotocore's operation methods are plain functions returning a coroutine: so is
        # this one (it returns the guard's, one coroutine per call rather than two).
        if is_async_client(self.__wrapped__):

            @functools.wraps(method)
            def guarded_async(*args: Any, **kwargs: Any) -> Any:
                return guarded_call_async(breaker, service, operation, method, args, kwargs)

            return guarded_async

        @functools.wraps(method)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            return guarded_call(breaker, service, operation, method, args, kwargs)

        return guarded

    @property
    def breaker(self) -> Breaker | None:
        """The client's breaker (None when there is one per operation)."""
        return self._self_breaker

    def __repr__(self) -> str:
        name = self._self_breaker.name if self._self_breaker else f"{self._self_name}/*"
        return f"<protected {self.__wrapped__!r} breaker={name!r}>"
