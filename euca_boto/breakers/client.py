"""The breaker's client adapter: clients protected by circuit breakers, and their breakers' names.

:func:`protect` wraps a botocore or boto3 client in a proxy (:mod:`euca_boto.breakers.protected`,
imported when the first client is protected): ``isinstance``, ``meta``, ``exceptions`` and
everything else are the client's own, and each operation method goes through its breaker as one
logical call (retries and failover happen inside it). A breaker protects one service of one
cloud with one set of settings: it is named ``<profile>/<service>@<host:port>`` after the
client's endpoint (:mod:`euca_boto.breakers.naming` says how a name tells one cloud and one set of
settings from another). Paginators and waiters are built against the proxy, so every page and
every poll is a protected call too.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from euca_boto.core.settings import BY_KEY, parse_setting
from euca_boto.errors import ConfigError

if TYPE_CHECKING:
    from euca_boto.breakers.protected import ProtectedClient

_KEYS = (
    "euca_breaker_scope",
    "euca_breaker_failure_rate",
    "euca_breaker_window",
    "euca_breaker_minimum_calls",
    "euca_breaker_slow_call_rate",
    "euca_breaker_slow_call_duration",
    "euca_breaker_fail_max",
    "euca_breaker_reset_timeout",
    "euca_breaker_success_threshold",
    "euca_breaker_half_open_max_calls",
    "euca_breaker_storage",
    "euca_state",
    "euca_retry_status_codes",
)


def defaults() -> dict[str, Any]:
    """The breaker settings of a client protected outside an installed session."""
    return {key: BY_KEY[key].default for key in _KEYS}


def protect(client: Any, *, profile: str = "default", **euca_settings: Any) -> Any:
    """Protect any botocore or boto3 client with a circuit breaker named
    ``<profile>/<service>@<host:port>`` (the host and port of the client's endpoint), followed
    by ``+<setting>=<value>`` for each breaker setting that is not the default.

    ``euca_settings`` are breaker and retry settings (``euca_breaker_failure_rate=30``,
    ``euca_breaker_window="60s"`` ...); the others take their defaults. A client that is
    already protected is returned as it is.
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
    from euca_boto.breakers.protected import ProtectedClient

    return ProtectedClient(client, profile, settings)


def _is_protected(client: Any) -> bool:
    # isinstance, not getattr: a missing attribute of a botocore client costs an event. Until
    # the first client is protected the class is not even imported, and nothing is one.
    module = sys.modules.get("euca_boto.breakers.protected")
    return module is not None and isinstance(client, module.ProtectedClient)


class BreakerHook:
    """The client hook of installed sessions: protects each new client when ``euca_breaker``."""

    def __init__(self, plugin: Any) -> None:
        self._plugin = plugin

    def __call__(self, client: Any, settings: Mapping[str, Any]) -> Any:
        if not settings["euca_breaker"] or _is_protected(client):
            return client
        return _protected(client, self._plugin.settings.profile, settings)
