"""The breaker a client's calls go through, and the name that says which one it is.

A breaker protects one service of one cloud with one set of settings: it is named
``<profile>/<service>@<host:port>`` after the client's endpoint, so two clouds reached under one
profile name never share one, and a breaker setting that is not the default is part of the name
(``...@host:8773+fail_max=2``). Protected clients (:mod:`euca_boto.breakers.protected`) and the
client plugin (:mod:`euca_boto.clientplugin`) both take their breakers from here.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from euca_boto.core.settings import BY_KEY, ServiceSettings, format_value
from euca_boto.errors import ConfigError

if TYPE_CHECKING:
    from euca_boto.breakers.breaker import Breaker, BreakerConfig, Classifier


def named_breaker(name: str, settings: Mapping[str, Any], endpoint_url: str | None) -> Breaker:
    """The process's breaker of ``name`` (``<profile>/<service>[/<operation>]``) for the cloud
    at ``endpoint_url``, made from the breaker settings if new. Its full name is
    ``name@<host:port>`` plus ``+<setting>=<value>`` for each setting that is not the default."""
    from euca_boto.breakers.registry import REGISTRY

    if not isinstance(settings, ServiceSettings):
        config, storage, classifier, tag = _made_of(settings)
        return REGISTRY.get(f"{name}@{target_of(endpoint_url)}{tag}", config, storage,
                            classifier)
    # Every client of a session is created with the same view of the settings: the breakers
    # its clients took are kept with it, so a new client of the same service and cloud finds
    # its breaker in one lookup (client creation runs this every time). Kept only while the
    # registry holds what it held then: a cleared registry makes new breakers.
    taken = settings.derived("breakers", _no_breakers)
    key = (name, endpoint_url)
    found = taken.get(key)
    if found is not None and found[0] == REGISTRY.generation:
        return found[1]
    generation = REGISTRY.generation
    # Made once per view, and the registry then compares the breaker's settings by identity.
    config, storage, classifier, tag = settings.derived("breaker", _made_of)
    breaker = REGISTRY.get(f"{name}@{target_of(endpoint_url)}{tag}", config, storage,
                           classifier)
    taken[key] = (generation, breaker)
    return breaker


def _no_breakers(settings: Mapping[str, Any]) -> dict[tuple[str, str | None], Any]:
    return {}


def _made_of(settings: Mapping[str, Any]) -> tuple[BreakerConfig, str, Classifier, str]:
    """What a breaker is made with: its configuration, storage, failures, and name tag."""
    from euca_boto.breakers.failures import web_service_failures
    from euca_boto.breakers.storage import storage_url

    return (config_of(settings), storage_url(settings),
            web_service_failures(settings["euca_retry_status_codes"]), settings_tag(settings))


# The settings a client's breaker is made with (and their names in BreakerConfig), and how its
# name shows one that is not the default: clients of one service with other breaker settings
# get a breaker of their own instead of rewriting the settings of the one the others share.
_WINDOW_SETTINGS = (
    ("euca_breaker_failure_rate", "failure_rate"),
    ("euca_breaker_window", "window"),
    ("euca_breaker_minimum_calls", "minimum_calls"),
    ("euca_breaker_slow_call_rate", "slow_call_rate"),
    ("euca_breaker_slow_call_duration", "slow_call_duration"),
)
CONFIG_SETTINGS = (
    ("euca_breaker_fail_max", "fail_max"),
    *_WINDOW_SETTINGS,
    ("euca_breaker_reset_timeout", "reset_timeout"),
    ("euca_breaker_success_threshold", "success_threshold"),
    ("euca_breaker_half_open_max_calls", "half_open_max_calls"),
)
_NAMED_SETTINGS = (*CONFIG_SETTINGS, ("euca_retry_status_codes", "failure_statuses"))


def config_of(settings: Mapping[str, Any]) -> BreakerConfig:
    """The breaker configuration of typed breaker settings (every key of
    :data:`CONFIG_SETTINGS`); :class:`ConfigError` if ``euca_breaker_fail_max`` (consecutive
    failures) is set together with a window setting that it would leave without effect."""
    from euca_boto.breakers.breaker import BreakerConfig
    from euca_boto.breakers.window import WindowSpec

    if settings["euca_breaker_fail_max"] is not None:
        _no_window_settings(settings)
    values = {name: settings[key] for key, name in CONFIG_SETTINGS}
    values["window"] = WindowSpec.parse(values["window"])
    return BreakerConfig(**values)


def _no_window_settings(settings: Mapping[str, Any]) -> None:
    unused = [key for key, _ in _WINDOW_SETTINGS if settings[key] != BY_KEY[key].default]
    if unused:
        raise ConfigError(
            f"euca_breaker_fail_max = {settings['euca_breaker_fail_max']} opens the breaker on "
            f"consecutive failures, so {', '.join(unused)} would not apply: set "
            f"euca_breaker_fail_max = none to open on the failure rate over the window, or "
            f"leave the window settings out"
        )


def settings_tag(settings: Mapping[str, Any]) -> str:
    """``+fail_max=2+...`` for each breaker setting that is not the default; empty if none."""
    return "".join(
        f"+{name}={format_value(settings[key]).replace(' ', '')}" for key, name in _NAMED_SETTINGS
        if settings[key] != BY_KEY[key].default
    )


@functools.lru_cache(maxsize=256)
def target_of(endpoint_url: str | None) -> str:
    """What a breaker name says of the cloud it protects: the host (and port) of the client's
    endpoint, never a user name or password in the URL."""
    parts = urlsplit(endpoint_url or "")
    host = parts.hostname or "default"
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{parts.port}" if parts.port else host
