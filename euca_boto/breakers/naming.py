"""The breaker a client's calls go through, and the name that says which one it is.

A breaker protects one service of one cloud with one set of settings: it is named
``<profile>/<service>@<host:port>`` after the client's endpoint, so two clouds reached under one
profile name never share one, and a breaker setting that is not the default is part of the name
(``...@host:8773+fail_max=2``). Protected clients (:mod:`euca_boto.breakers.protected`) and the
client plugin (:mod:`euca_boto.clientplugin`) both take their breakers from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from euca_boto.core.settings import BY_KEY, format_value

if TYPE_CHECKING:
    from euca_boto.breakers.breaker import Breaker


def named_breaker(name: str, settings: Mapping[str, Any], endpoint_url: str | None) -> Breaker:
    """The process's breaker of ``name`` (``<profile>/<service>[/<operation>]``) for the cloud
    at ``endpoint_url``, made from the breaker settings if new. Its full name is
    ``name@<host:port>`` plus ``+<setting>=<value>`` for each setting that is not the default."""
    from euca_boto.breakers.breaker import BreakerConfig
    from euca_boto.breakers.failures import web_service_failures
    from euca_boto.breakers.registry import REGISTRY
    from euca_boto.breakers.storage import storage_url

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
