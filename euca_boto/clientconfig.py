"""Per-service client settings: timeouts, connection pool, TLS verification and region.

``euca_connect_timeout``, ``euca_read_timeout``, ``euca_max_pool_connections`` and
``euca_region`` become a botocore ``Config`` under the one the caller passes: a value the
caller set explicitly in their ``Config`` wins. ``euca_verify`` (a CA bundle or false) is not a
``Config`` option in botocore but an argument of ``create_client``; it applies when the caller
passes no ``verify``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.config import Config

# setting key -> botocore Config option
CONFIG_OPTIONS: dict[str, str] = {
    "euca_connect_timeout": "connect_timeout",
    "euca_read_timeout": "read_timeout",
    "euca_max_pool_connections": "max_pool_connections",
    "euca_region": "region_name",
}


def settings_config(settings: Mapping[str, Any]) -> Config | None:
    """The ``Config`` the settings ask for, or None when they leave everything to botocore."""
    options = {
        option: settings[key]
        for key, option in CONFIG_OPTIONS.items()
        if settings.get(key) is not None
    }
    return Config(**options) if options else None


def merge_config(settings: Mapping[str, Any], caller: Config | None) -> Config | None:
    """The settings' ``Config`` with the caller's ``Config`` on top.

    ``Config.merge`` takes from the other object only the options its constructor was given
    (botocore's ``_user_provided_options``), so an option the caller did not name keeps the
    value from the settings, and one the caller named keeps the caller's value.
    """
    ours = settings_config(settings)
    if ours is None:
        return caller
    if caller is None:
        return ours
    return ours.merge(caller)


def config_hook(service_name: str, settings: Mapping[str, Any], config: Config | None
                ) -> Config | None:
    """``Plugin.config_hooks`` entry: apply the service's client settings."""
    return merge_config(settings, config)


def verify_argument(settings: Mapping[str, Any], verify: Any) -> Any:
    """The ``verify`` argument a client is created with: the caller's, else the setting's."""
    if verify is not None:
        return verify
    return settings.get("euca_verify")
