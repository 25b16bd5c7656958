"""The ``euca-boto`` command: inspect settings and models, run the local cloud and the demo.

Each subcommand is a small function taking the parsed arguments and returning an exit status;
errors a user can fix (bad configuration, bad arguments) print one line and exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from euca_boto.errors import ConfigError
from euca_boto.models import models_path


def _models_path(args: argparse.Namespace) -> int:
    print(models_path())
    return 0


def _config(args: argparse.Namespace) -> int:
    import botocore.session

    from euca_boto.settings import SETTINGS, format_value, load, reference_table

    if args.reference:
        sys.stdout.write(reference_table())
        return 0
    core = botocore.session.Session(profile=args.profile)
    settings = load(core)
    view = settings.for_service(args.service)
    heading = f"profile {settings.profile}"
    if args.service:
        heading += f", service {args.service}"
    print(heading)
    rows = [(s.key, format_value(view[s.key]), view.source(s.key)) for s in SETTINGS]
    width_key = max(len(r[0]) for r in rows)
    width_value = max(len(r[1]) for r in rows)
    print(f"{'key':<{width_key}}  {'value':<{width_value}}  source")
    for key, value, source in rows:
        print(f"{key:<{width_key}}  {value:<{width_value}}  {source}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="euca-boto",
        description="Eucalyptus for boto3, botocore and the AWS CLI.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    path = commands.add_parser(
        "models-path",
        help="print the directory of the service models (for AWS_DATA_PATH)",
    )
    path.set_defaults(func=_models_path)

    config = commands.add_parser(
        "config", help="print the effective settings of a profile and where each came from"
    )
    config.add_argument("--profile", help="profile name (default: AWS_PROFILE or 'default')")
    config.add_argument("--service", help="show the settings one service sees (e.g. euprop)")
    config.add_argument(
        "--reference", action="store_true", help="print the reference table of every key"
    )
    config.set_defaults(func=_config)

    from euca_boto.testing.command import add_commands as add_cloud_commands

    add_cloud_commands(commands)

    from euca_boto.demo import add_commands as add_demo_commands

    add_demo_commands(commands)

    from euca_boto.admin import add_commands as add_admin_commands

    add_admin_commands(commands)

    from euca_boto.circuit.command import add_commands as add_breaker_commands

    add_breaker_commands(commands)

    from euca_boto.tracker.command import add_commands as add_tracker_commands

    add_tracker_commands(commands)

    from euca_boto.endpoints.command import add_commands as add_endpoint_commands

    add_endpoint_commands(commands)

    from euca_boto.run import add_commands as add_run_commands

    add_run_commands(commands)

    from euca_boto.usermodels import add_commands as add_model_commands

    add_model_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments[:1] == ["run"] and not {"-h", "--help"} & set(arguments[1:2]):
        # Straight to the command: every tool started through run pays for this start-up.
        from euca_boto.run import run

        return run(arguments[1:])
    args = build_parser().parse_args(arguments)
    try:
        status: int = args.func(args)
    except ConfigError as error:
        print(f"euca-boto: configuration error: {error}", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":
    sys.exit(main())
