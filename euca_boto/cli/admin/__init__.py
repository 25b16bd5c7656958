"""``euca-boto admin``: an operator's daily commands against a cloud.

One module per group: :mod:`.status` (services counted by state), :mod:`.services` (list,
change state, register), :mod:`.accounts`, :mod:`.instances` (every account's) and
:mod:`.props` (single properties, and properties as code: export, plan, apply).
:mod:`.output` prints listings as ``aws --output`` does; :mod:`.connect` opens the profile.
"""

from __future__ import annotations

from typing import Any

from euca_boto.cli.admin import accounts, instances, props, services, status


def add_commands(subparsers: Any) -> None:
    """Add ``euca-boto admin`` and its command groups to the command line."""
    admin = subparsers.add_parser(
        "admin", help="admin tasks against a cloud",
        description="An operator's daily work against a Eucalyptus cloud: services, "
                    "properties, accounts and every account's instances. Each command takes "
                    "--profile (default: AWS_PROFILE or 'default').")
    groups = admin.add_subparsers(dest="admin_command", metavar="COMMAND", required=True)
    for module in (status, services, props, accounts, instances):
        module.add_commands(groups)
