"""``euca-boto admin instances``: the instances of the caller's account, or of every account
(the ``verbose`` listing the cloud gives its administrator)."""

from __future__ import annotations

import argparse
from typing import Any

from botocore.exceptions import ClientError

from euca_boto.cli.admin.connect import add_profile_argument, connect
from euca_boto.cli.admin.output import Column, add_output_argument, chosen_format, render

#: The instance id that asks the cloud for every account's resources (reference §8.4).
VERBOSE = "verbose"


def _columns(names: dict[str, str]) -> tuple[Column, ...]:
    return (
        Column("INSTANCE", lambda i: i.get("InstanceId")),
        Column("ACCOUNT", lambda i: names.get(i.get("OwnerId", ""), i.get("OwnerId"))),
        Column("STATE", lambda i: i.get("State", {}).get("Name")),
        Column("TYPE", lambda i: i.get("InstanceType")),
        Column("ZONE", lambda i: i.get("Placement", {}).get("AvailabilityZone")),
        Column("IMAGE", lambda i: i.get("ImageId")),
        Column("PRIVATE IP", lambda i: i.get("PrivateIpAddress")),
        Column("PUBLIC IP", lambda i: i.get("PublicIpAddress")),
    )


def _list(args: argparse.Namespace) -> int:
    session = connect(args.profile, "ec2")
    params = {"InstanceIds": [VERBOSE]} if args.all_accounts else {}
    reservations = session.client("ec2").describe_instances(**params)["Reservations"]
    instances = [
        {**instance, "OwnerId": reservation.get("OwnerId"),
         "ReservationId": reservation.get("ReservationId")}
        for reservation in reservations for instance in reservation.get("Instances", ())
    ]
    instances.sort(key=lambda i: (i.get("OwnerId") or "", i.get("InstanceId", "")))
    render(instances, _columns(_account_names(session) if args.all_accounts else {}),
           chosen_format(args, session),
           "Instances of every account" if args.all_accounts else "Instances")
    return 0


def _account_names(session: Any) -> dict[str, str]:
    """Account names by id, to show names rather than numbers; ids alone when the caller may
    not list accounts."""
    try:
        accounts = session.client("iam").list_accounts()["Accounts"]
    except ClientError:
        return {}
    return {a["AccountId"]: a["AccountName"] for a in accounts}


def add_commands(groups: Any) -> None:
    """Add ``euca-boto admin instances list``."""
    instances = groups.add_parser(
        "instances", help="list instances, every account's with --all-accounts",
        description="The cloud's instances, with their account, state, type and zone.")
    actions = instances.add_subparsers(dest="instances_command", metavar="ACTION",
                                       required=True)
    listing = actions.add_parser(
        "list", help="instances with their account, state, type and zone",
        description="List instances: the caller's account's, or with --all-accounts every "
                    "account's (the cloud administrator's verbose listing).")
    listing.add_argument("--all-accounts", action="store_true",
                         help="every account's instances (cloud administrator only)")
    add_profile_argument(listing)
    add_output_argument(listing)
    listing.set_defaults(func=_list)
