"""``euca-boto models-path`` and ``euca-boto config``: what the plugin will use, namely where
its service models are and a profile's effective settings with where each came from."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from euca_boto.core.models import models_path
from euca_boto.core.redact import url_passwords
from euca_boto.errors import ConfigError


def _models_path(args: argparse.Namespace) -> int:
    print(models_path())
    return 0


def _config(args: argparse.Namespace) -> int:
    import botocore.session

    from euca_boto.core.settings import (
        SETTINGS,
        format_value,
        known_service_names,
        load,
        reference_table,
    )

    if args.reference:
        sys.stdout.write(reference_table())
        return 0
    core = botocore.session.Session(profile=args.profile)
    settings = load(core)
    if args.service and args.service not in known_service_names():
        raise ConfigError(f"--service {args.service!r} is not a known service "
                          "(a boto3 client name such as euprop or a DNS label such as properties)")
    view = settings.for_service(args.service)
    heading = f"profile {settings.profile}"
    if args.service:
        heading += f", service {args.service}"
    print(heading)
    rows = [(s.key, url_passwords(format_value(view[s.key])), view.source(s.key))
            for s in SETTINGS]
    width_key = max(len(r[0]) for r in rows)
    width_value = max(len(r[1]) for r in rows)
    print(f"{'key':<{width_key}}  {'value':<{width_value}}  source")
    for key, value, source in rows:
        print(f"{key:<{width_key}}  {value:<{width_value}}  {source}")
    return 0


def add_commands(commands: Any) -> None:
    """Add ``models-path`` and ``config`` to the ``euca-boto`` command line."""
    path = commands.add_parser(
        "models-path",
        help="print the directory of the service models (for AWS_DATA_PATH)",
        description="Print the directory of euca-boto's botocore service models, for tools "
                    "that read AWS_DATA_PATH: AWS_DATA_PATH=$(euca-boto models-path) aws euprop "
                    "help.",
    )
    path.set_defaults(func=_models_path)

    config = commands.add_parser(
        "config", help="print the effective settings of a profile and where each came from",
        description="Print every euca_ setting of a profile (or of one service of it) with its "
                    "value and where the value came from: the default, the config file, a "
                    "service block, the environment. Exits 2 with the error on a bad "
                    "configuration.",
    )
    config.add_argument("--profile", help="profile name (default: AWS_PROFILE or 'default')")
    config.add_argument("--service", help="show the settings one service sees (e.g. euprop)")
    config.add_argument(
        "--reference", action="store_true", help="print the reference table of every key"
    )
    config.set_defaults(func=_config)
