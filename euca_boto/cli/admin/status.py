"""``euca-boto admin status``: a cloud's services counted by type, partition and state."""

from __future__ import annotations

from typing import Any

from euca_boto.admin import Cloud, format_health
from euca_boto.cli.admin.connect import add_profile_argument, connect


def add_commands(groups: Any) -> None:
    """Add ``euca-boto admin status``."""
    status = groups.add_parser(
        "status", help="services by type, partition and state",
        description="Count the cloud's services (all of them, on every host) by type, "
                    "partition and state.")
    add_profile_argument(status)
    status.set_defaults(func=_status)


def _status(args: Any) -> int:
    print(format_health(Cloud(connect(args.profile, "euserv")).health()))
    return 0
