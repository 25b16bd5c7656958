"""The session an admin command works with: the profile's, with the plugin installed, checked
to name an endpoint for the services the command calls."""

from __future__ import annotations

import argparse
from typing import Any


def add_profile_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", help="profile name (default: AWS_PROFILE or 'default')")


def connect(profile: str | None, *services: str) -> Any:
    """An installed session of ``profile``; :class:`~euca_boto.errors.ConfigError` when the
    profile points none of ``services`` at a cloud (botocore would call AWS instead)."""
    from euca_boto.endpoints.sources.static import require_endpoint
    from euca_boto.install import botocore_session_of, plugin_of, session

    admin = session(profile_name=profile)
    plugin = plugin_of(admin)
    assert plugin is not None  # session() installs it
    for service in services:
        require_endpoint(botocore_session_of(admin), service, plugin.settings.for_service(service))
    return admin
