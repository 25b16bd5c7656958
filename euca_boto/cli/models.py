"""``euca-boto models install`` / ``uninstall``: the admin models for every botocore of a user
(:mod:`euca_boto.usermodels` says what that changes)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from euca_boto.errors import EucaBotoError
from euca_boto.msgs import SCRIPT_OPT_IN, SCRIPT_PROPERTY
from euca_boto.usermodels import install, uninstall, user_models_dir


def _services(files: list[str]) -> str:
    names = sorted({Path(f).parts[0] for f in files})
    return ", ".join(names)


def _command(args: argparse.Namespace) -> int:
    target = Path(args.dir) if args.dir else user_models_dir()
    action = args.models_command
    try:
        done = install(target) if action == "install" else uninstall(target)
    except (EucaBotoError, OSError) as error:
        print(f"euca-boto models {action}: {error}", file=sys.stderr)
        return 2
    files = done.files
    if action == "install":
        print(f"installed {len(files)} model files ({_services(files)}) into {target}; every "
              f"botocore of this user now knows these services (undo: euca-boto models "
              f"uninstall)")
        print(f"note: the models do not carry euca-boto's guard: a tool running without "
              f"euca-boto sends ModifyPropertyValue with Name={SCRIPT_PROPERTY!r} (Groovy code the "
              f"cloud controller runs) without asking for {SCRIPT_OPT_IN}")
    elif files:
        print(f"removed {len(files)} model files ({_services(files)}) from {target}")
    elif not done.kept:
        print(f"no euca-boto models installed in {target}")
    for line in done.kept:
        print(f"euca-boto models {action}: {line}", file=sys.stderr)
    # A file left in place is the user's to decide on: a script should not take it for done.
    return 1 if done.kept else 0


def add_commands(commands: Any) -> None:
    """Add ``models install`` and ``models uninstall`` to the ``euca-boto`` command line."""
    models = commands.add_parser(
        "models", help="install the admin service models for every botocore of this user",
        description="Copy euca-boto's service models into botocore's per-user model directory, "
                    "so every botocore of this user knows the admin services (names only: no "
                    "retries, endpoints or breakers without the plugin), or remove them.")
    actions = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    for name, text in (
        ("install", "copy the models into botocore's per-user directory (~/.aws/models)"),
        ("uninstall", "remove the models that install copied"),
    ):
        action = actions.add_parser(name, help=text, description=text)
        action.add_argument("--dir", help="the model directory (default: ~/.aws/models)")
        action.set_defaults(func=_command)
