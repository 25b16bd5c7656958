"""The breaker's client adapter: clients protected by circuit breakers, and their breakers' names.

:func:`protect` wraps a botocore or boto3 client in a proxy (:mod:`euca_boto.circuit.protected`,
imported when the first client is protected): ``isinstance``, ``meta``, ``exceptions`` and
everything else are the client's own, and each operation method goes through its breaker as one
logical call (retries and failover happen inside it). A breaker protects one service of one
cloud with one set of settings: it is named ``<profile>/<service>@<host:port>`` after the
client's endpoint, so two clouds reached under one profile name never share one, and a breaker
setting that is not the default is part of the name (``...@host:8773+fail_max=2``), so a client
with other settings gets a breaker of its own instead of changing everyone's. Paginators and
waiters are built against the proxy, so every page and every poll is a protected call too.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from euca_boto.errors import ConfigError
from euca_boto.settings import BY_KEY, format_value, parse_setting

if TYPE_CHECKING:
    from euca_boto.circuit.breaker import Breaker
    from euca_boto.circuit.protected import ProtectedClient

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


def named_breaker(name: str, settings: Mapping[str, Any], endpoint_url: str | None) -> Breaker:
    """The process's breaker of ``name`` (``<profile>/<service>[/<operation>]``) for the cloud
    at ``endpoint_url``, made from the breaker settings if new. Its full name is
    ``name@<host:port>`` plus ``+<setting>=<value>`` for each setting that is not the default."""
    from euca_boto.circuit.breaker import BreakerConfig
    from euca_boto.circuit.failures import web_service_failures
    from euca_boto.circuit.registry import REGISTRY
    from euca_boto.circuit.storage import storage_url

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
        settings[key] = parse_setting(key, raw, "euca_boto.protect()")
    return _protected(client, profile, settings)


def _protected(client: Any, profile: str, settings: Mapping[str, Any]) -> ProtectedClient:
    from euca_boto.circuit.protected import ProtectedClient

    return ProtectedClient(client, profile, settings)


def _is_protected(client: Any) -> bool:
    # isinstance, not getattr: a missing attribute of a botocore client costs an event. Until
    # the first client is protected the class is not even imported, and nothing is one.
    module = sys.modules.get("euca_boto.circuit.protected")
    return module is not None and isinstance(client, module.ProtectedClient)


class BreakerHook:
    """The client hook of installed sessions: protects each new client when ``euca_breaker``."""

    def __init__(self, plugin: Any) -> None:
        self._plugin = plugin

    def __call__(self, client: Any, settings: Mapping[str, Any]) -> Any:
        if not settings["euca_breaker"] or _is_protected(client):
            return client
        return _protected(client, self._plugin.settings.profile, settings)
