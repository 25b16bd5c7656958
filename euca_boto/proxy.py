"""Clients protected by circuit breakers, indistinguishable from the clients they wrap.

:func:`protect` wraps a botocore or boto3 client in a ``wrapt`` proxy: ``isinstance``, ``meta``,
``exceptions`` and everything else are the client's own, and each operation method goes through
its breaker as one logical call (retries and failover happen inside it). A breaker protects one
service of one cloud with one set of settings: it is named ``<profile>/<service>@<host:port>``
after the client's endpoint, so two clouds reached under one profile name never share one, and a
breaker setting that is not the default is part of the name (``...@host:8773+fail_max=2``), so a
client with other settings gets a breaker of its own instead of changing everyone's. Paginators
and waiters are built against the proxy, so every page and every poll is a protected call too.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import wrapt

from euca_boto.circuit.breaker import Breaker, BreakerConfig
from euca_boto.circuit.failures import web_service_failures
from euca_boto.circuit.guard import guarded_call, guarded_call_async
from euca_boto.circuit.registry import REGISTRY
from euca_boto.circuit.storage import storage_url
from euca_boto.errors import ConfigError
from euca_boto.settings import BY_KEY, format_value

_KEYS = (
    "euca_breaker_scope",
    "euca_breaker_fail_max",
    "euca_breaker_reset_timeout",
    "euca_breaker_success_threshold",
    "euca_breaker_half_open_max_calls",
    "euca_breaker_storage",
    "euca_state",
    "euca_retry_status_codes",
)


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
        if inspect.iscoroutinefunction(getattr(self.__wrapped__, "_make_api_call", None)):

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
        return self.__wrapped__.__class__.get_paginator(self, operation_name)

    def get_waiter(self, waiter_name: str) -> Any:
        return self.__wrapped__.__class__.get_waiter(self, waiter_name)

    @property
    def breaker(self) -> Breaker | None:
        """The client's breaker (None when there is one per operation)."""
        return self._self_breaker

    def __repr__(self) -> str:
        name = self._self_breaker.name if self._self_breaker else f"{self._self_name}/*"
        return f"<protected {self.__wrapped__!r} breaker={name!r}>"


def named_breaker(name: str, settings: Mapping[str, Any], endpoint_url: str | None) -> Breaker:
    """The process's breaker of ``name`` (``<profile>/<service>[/<operation>]``) for the cloud
    at ``endpoint_url``, made from the breaker settings if new. Its full name is
    ``name@<host:port>`` plus ``+<setting>=<value>`` for each setting that is not the default."""
    config = BreakerConfig(
        fail_max=settings["euca_breaker_fail_max"],
        reset_timeout=settings["euca_breaker_reset_timeout"],
        success_threshold=settings["euca_breaker_success_threshold"],
        half_open_max_calls=settings["euca_breaker_half_open_max_calls"],
    )
    classifier = web_service_failures(settings["euca_retry_status_codes"])
    full = f"{name}@{target_of(endpoint_url)}{settings_tag(settings)}"
    return REGISTRY.get(full, config, storage_url(settings), classifier)


# The settings a client's breaker is made with, and how its name shows one that is not the
# default: clients of one service with other breaker settings get a breaker of their own
# instead of rewriting the settings of the one the others share.
_NAMED_SETTINGS = (
    ("euca_breaker_fail_max", "fail_max"),
    ("euca_breaker_reset_timeout", "reset_timeout"),
    ("euca_breaker_success_threshold", "success_threshold"),
    ("euca_breaker_half_open_max_calls", "half_open_max_calls"),
    ("euca_retry_status_codes", "failure_statuses"),
)


def settings_tag(settings: Mapping[str, Any]) -> str:
    """``+fail_max=2+...`` for each breaker setting that is not the default; empty if none."""
    return "".join(
        f"+{name}={format_value(settings[key])}" for key, name in _NAMED_SETTINGS
        if settings[key] != BY_KEY[key].default
    )


def target_of(endpoint_url: str | None) -> str:
    """What a breaker name says of the cloud it protects: the host (and port) of the client's
    endpoint, never a user name or password in the URL."""
    parts = urlsplit(endpoint_url or "")
    host = parts.hostname or "default"
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{parts.port}" if parts.port else host


def defaults() -> dict[str, Any]:
    """The breaker settings of a client protected outside an installed session."""
    return {key: BY_KEY[key].default for key in _KEYS}


def protect(client: Any, *, profile: str = "default", **euca_settings: Any) -> Any:
    """Protect any botocore or boto3 client with a circuit breaker named
    ``<profile>/<service>@<host:port>`` (the host and port of the client's endpoint), followed
    by ``+<setting>=<value>`` for each breaker setting that is not the default.

    ``euca_settings`` are breaker and retry settings (``euca_breaker_fail_max=3`` ...); the
    others take their defaults. A client that is already protected is returned as it is.
    """
    if getattr(client, "_euca_boto_protected", False):
        return client
    settings = defaults()
    for key, raw in euca_settings.items():
        if key not in settings:
            raise ConfigError(
                f"euca_boto.protect(): {key!r} is not a breaker setting; "
                f"expected one of {', '.join(_KEYS)}"
            )
        try:
            settings[key] = BY_KEY[key].kind.parse(raw)
        except (TypeError, ValueError):
            raise ConfigError(
                f"euca_boto.protect(): {key} = {raw!r} is not valid; "
                f"expected {BY_KEY[key].kind.expected}"
            ) from None
    return ProtectedClient(client, profile, settings)


class BreakerHook:
    """The client hook of installed sessions: protects each new client when ``euca_breaker``."""

    def __init__(self, plugin: Any) -> None:
        self._plugin = plugin

    def __call__(self, client: Any, settings: Mapping[str, Any]) -> Any:
        # isinstance, not getattr: a missing attribute of a botocore client costs an event.
        if not settings["euca_breaker"] or isinstance(client, ProtectedClient):
            return client
        return ProtectedClient(client, self._plugin.settings.profile, settings)
