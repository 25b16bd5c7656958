"""``euca-boto admin services``: list the cloud's services, move one to another state, register
and deregister services, list the types that can be registered (``euserv-*``'s work)."""

from __future__ import annotations

import argparse
from typing import Any

from euca_boto.admin import Cloud
from euca_boto.cli.admin.connect import add_profile_argument, connect
from euca_boto.cli.admin.output import Column, add_output_argument, chosen_format, render
from euca_boto.cli.cloud import _seconds

# Each state command: the ModifyService transition it sends and the states that mean it is
# done. A started or restarted service comes up DISABLED; the cloud enables it when it is the
# one its partition needs.
TRANSITIONS: dict[str, tuple[str, frozenset[str], str]] = {
    "enable": ("ENABLE", frozenset({"ENABLED"}), "make a service serve (ENABLED)"),
    "disable": ("DISABLE", frozenset({"DISABLED"}), "make a service a standby (DISABLED)"),
    "stop": ("STOP", frozenset({"STOPPED"}), "stop a service (STOPPED)"),
    "start": ("START", frozenset({"DISABLED", "ENABLED"}),
              "start a stopped service (DISABLED, then ENABLED when the cloud needs it)"),
    "restart": ("RESTART", frozenset({"DISABLED", "ENABLED"}),
                "stop a service and start it again"),
}

SERVICE_COLUMNS = (
    Column("TYPE", lambda s: s["ServiceId"].get("Type")),
    Column("PARTITION", lambda s: s["ServiceId"].get("Partition")),
    Column("NAME", lambda s: s["ServiceId"].get("Name")),
    Column("STATE", lambda s: s.get("LocalState")),
    Column("HOST", lambda s: s["ServiceId"].get("Host")),
)
EVENT_COLUMNS = (
    Column("SERVICE", lambda e: e.get("ServiceName")),
    Column("SEVERITY", lambda e: e.get("Severity")),
    Column("TIME", lambda e: e.get("Timestamp")),
    Column("MESSAGE", lambda e: e.get("Message")),
)
SERVICE_ID_COLUMNS = (
    Column("TYPE", lambda s: s.get("Type")),
    Column("PARTITION", lambda s: s.get("Partition")),
    Column("NAME", lambda s: s.get("Name")),
    Column("HOST", lambda s: s.get("Host")),
    Column("URI", lambda s: s.get("Uri")),
)
TYPE_COLUMNS = (
    Column("TYPE", lambda t: t.get("ComponentName")),
    Column("REGISTERABLE", lambda t: t.get("Registerable")),
    Column("PARTITIONED", lambda t: t.get("Partitioned")),
    Column("PUBLIC", lambda t: t.get("PublicApiService")),
    Column("GROUPS", lambda t: ",".join(t.get("ServiceGroups") or ()) or None),
    Column("DESCRIPTION", lambda t: t.get("Description")),
)


def _list(args: argparse.Namespace) -> int:
    session = connect(args.profile, "euserv")
    # Named services are listed wherever they run, unless --all is given anyway.
    params: dict[str, Any] = {key: value for key, value in (
        ("ListAll", args.all), ("ShowEvents", args.events), ("ServiceNames", args.names),
        ("ByServiceType", args.type), ("ByState", args.state), ("ByPartition", args.partition),
        ("ByHost", args.host)) if value}
    statuses = session.client("euserv").describe_services(**params)["ServiceStatuses"]
    statuses.sort(key=lambda s: (s["ServiceId"].get("Type", ""),
                                 s["ServiceId"].get("Partition", ""),
                                 s["ServiceId"].get("Name", "")))
    fmt = chosen_format(args, session)
    events = args.events and fmt != "json"  # JSON carries them in each service's StatusDetails
    render(statuses, SERVICE_COLUMNS, fmt, "Services", tag="SERVICE" if events else None)
    if events:
        details = [event for s in statuses for event in s.get("StatusDetails") or ()]
        render(details, EVENT_COLUMNS, fmt, "Events", tag="EVENT")
    return 0


def _transition(args: argparse.Namespace) -> int:
    transition, done, _ = TRANSITIONS[args.services_command]
    cloud = Cloud(connect(args.profile, "euserv"))
    cloud.euserv.modify_service(Name=args.name, State=transition)
    if args.wait:
        status = cloud.wait_for_service(args.name, done, timeout=args.timeout,
                                        interval=min(args.interval, args.timeout))
    else:
        status = cloud.service_status(args.name) or {}
    print(f"{status['ServiceId'].get('Name', args.name)}: {transition} sent; now "
          f"{status.get('LocalState')}")
    return 0


def _register(args: argparse.Namespace) -> int:
    session = connect(args.profile, "euserv")
    params: dict[str, Any] = {"Type": args.type, "Name": args.name, "Host": args.host}
    if args.port is not None:
        params["Port"] = args.port
    if args.partition:
        params["Partition"] = args.partition
    answer = session.client("euserv").register_service(**params)
    render(answer.get("RegisteredServices") or [], SERVICE_ID_COLUMNS,
           chosen_format(args, session), "Registered services")
    return 0


def _deregister(args: argparse.Namespace) -> int:
    session = connect(args.profile, "euserv")
    params = {"Name": args.name, **({"Type": args.type} if args.type else {})}
    answer = session.client("euserv").deregister_service(**params)
    render(answer.get("DeregisteredServices") or [], SERVICE_ID_COLUMNS,
           chosen_format(args, session), "Deregistered services")
    return 0


def _types(args: argparse.Namespace) -> int:
    session = connect(args.profile, "euserv")
    available = session.client("euserv").describe_available_service_types()["Available"]
    if not args.all:
        available = [t for t in available if t.get("Registerable")]
    render(available, TYPE_COLUMNS, chosen_format(args, session), "Service types")
    return 0


def add_commands(groups: Any) -> None:
    """Add ``euca-boto admin services`` and its actions."""
    services = groups.add_parser(
        "services", help="list services, change their state, register them",
        description="The cloud's services: list them with their states, move one to another "
                    "state, register and deregister services.")
    actions = services.add_subparsers(dest="services_command", metavar="ACTION", required=True)

    listing = actions.add_parser(
        "list", help="services and their states",
        description="List the cloud's services and their states. Without --all the cloud "
                    "lists its registered services and the answering host's own.")
    listing.add_argument("names", nargs="*", metavar="NAME",
                         help="only these services (names or full names), wherever they run")
    listing.add_argument("--all", action="store_true",
                         help="every service, whatever its type and host")
    listing.add_argument("--type", metavar="T", help="only services of this type, e.g. cluster")
    listing.add_argument("--state", metavar="S",
                         help="only services in this state, e.g. enabled (any case)")
    listing.add_argument("--partition", metavar="P", help="only services of this partition")
    listing.add_argument("--host", metavar="H", help="only services on this host")
    listing.add_argument("--events", action="store_true",
                         help="with each service's recent events")
    _common(listing, output=True)
    listing.set_defaults(func=_list)

    for name, (transition, done, text) in TRANSITIONS.items():
        action = actions.add_parser(
            name, help=text,
            description=f"Send {transition} to a service (ModifyService) and show its state; "
                        f"with --wait, wait until it is {' or '.join(sorted(done))}.")
        action.add_argument("name", metavar="NAME", help="the service's name or full name")
        action.add_argument("--wait", action="store_true",
                            help=f"wait until the service is {' or '.join(sorted(done))}")
        action.add_argument("--timeout", type=_seconds, default=300.0, metavar="S",
                            help="with --wait: give up after S seconds (default 300)")
        action.add_argument("--interval", type=_seconds, default=5.0, metavar="S",
                            help="with --wait: look again every S seconds (default 5)")
        _common(action)
        action.set_defaults(func=_transition)

    register = actions.add_parser(
        "register", help="register a service",
        description="Register a service of a type (see `types`) on a host; registering the "
                    "user-api group registers all of a host's user-facing services.")
    register.add_argument("--type", required=True, metavar="T", help="the service type")
    register.add_argument("--name", required=True, metavar="N", help="a unique service name")
    register.add_argument("--host", required=True, metavar="H", help="its host name or address")
    register.add_argument("--port", type=int, metavar="P",
                          help="its port (default: the type's own, 8773 for most)")
    register.add_argument("--partition", metavar="Z",
                          help="its partition (availability zone); needed for zone types")
    _common(register, output=True)
    register.set_defaults(func=_register)

    deregister = actions.add_parser(
        "deregister", help="deregister a service",
        description="Deregister a service by name (within a type, with --type).")
    deregister.add_argument("name", metavar="NAME", help="the service's name")
    deregister.add_argument("--type", metavar="T", help="look the name up within this type")
    _common(deregister, output=True)
    deregister.set_defaults(func=_deregister)

    types = actions.add_parser(
        "types", help="the service types that can be registered",
        description="List the service types the cloud knows that can be registered (all of "
                    "them with --all).")
    types.add_argument("--all", action="store_true", help="types that cannot be registered too")
    _common(types, output=True)
    types.set_defaults(func=_types)


def _common(parser: argparse.ArgumentParser, output: bool = False) -> None:
    add_profile_argument(parser)
    if output:
        add_output_argument(parser)
