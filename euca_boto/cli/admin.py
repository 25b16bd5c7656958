"""``euca-boto admin status``: a cloud's services counted by type, partition and state."""

from __future__ import annotations

from typing import Any

from euca_boto.admin import Cloud, format_health


def add_commands(subparsers: Any) -> None:
    """Add ``euca-boto admin status`` to the command line."""
    admin = subparsers.add_parser(
        "admin", help="admin tasks against a cloud",
        description="Administrative tasks against a Eucalyptus cloud, with the credentials of "
                    "the profile (a cloud administrator's).")
    actions = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    status = actions.add_parser(
        "status", help="services by type, partition and state",
        description="Count the cloud's services by type, partition and state (DescribeServices "
                    "through the profile's euca_endpoint), showing each retry as it happens.")
    status.add_argument("--profile", help="profile name (default: AWS_PROFILE or 'default')")
    status.set_defaults(func=_status)


def _status(args: Any) -> int:
    from euca_boto.endpoints.sources.static import require_endpoint
    from euca_boto.install import botocore_session_of, plugin_of, session

    admin = session(profile_name=args.profile)
    plugin = plugin_of(admin)
    assert plugin is not None  # session() installs it
    require_endpoint(botocore_session_of(admin), "euserv", plugin.settings.for_service("euserv"))
    cloud = Cloud(admin)
    print(format_health(cloud.health()))
    return 0
