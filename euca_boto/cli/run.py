"""``euca-boto run -- COMMAND [ARGS...]``: any Python-based AWS tool, unmodified, with euca-boto.

The command runs in place of ``euca-boto`` (same process id, same stdin/stdout/stderr, its exit
status) with two environment variables changed, which every child process inherits:

* ``PYTHONPATH`` starts with ``euca_boto/bootstrap``, whose ``sitecustomize`` installs euca-boto
  on every botocore and aiobotocore session at its first ``create_client``
  (:mod:`euca_boto.autoinstall`);
* ``AWS_DATA_PATH`` starts with the plugin's models, so tools that list services before they
  create a client (the AWS CLI's command table) see the Eucalyptus admin services.

Python started with ``-I`` or ``-E`` ignores ``PYTHONPATH`` and runs without euca-boto.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from euca_boto.core.models import models_path

BOOTSTRAP_DIR = Path(__file__).resolve().parents[1] / "bootstrap"


def _prepend(path: str, current: str | None) -> str:
    parts = [p for p in (current or "").split(os.pathsep) if p]
    return os.pathsep.join([path, *[p for p in parts if p != path]])


def run_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` with euca-boto's start-up hook and models first on the search paths."""
    env = dict(environ)
    env["PYTHONPATH"] = _prepend(str(BOOTSTRAP_DIR), environ.get("PYTHONPATH"))
    env["AWS_DATA_PATH"] = _prepend(str(models_path()), environ.get("AWS_DATA_PATH"))
    return env


def _run(args: argparse.Namespace) -> int:
    return run((["--quiet"] if args.quiet else []) + args.command)


def run(command: list[str]) -> int:
    """Replace this process with ``command`` (``--quiet`` and ``--`` first are taken) in the
    run environment; returns an exit status only when that fails."""
    quiet = command[:1] in (["--quiet"], ["-q"])
    if quiet:
        command = command[1:]
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        print("euca-boto run: no command given; usage: euca-boto run [--quiet] -- COMMAND "
              "[ARGS...]", file=sys.stderr)
        return 2
    env = run_environment(os.environ)
    if quiet:
        env["EUCA_BOTO_PROGRESS"] = "false"
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(command[0], command, env)
    except FileNotFoundError:
        print(f"euca-boto run: {command[0]}: command not found", file=sys.stderr)
        return 127
    except PermissionError:
        print(f"euca-boto run: {command[0]}: permission denied", file=sys.stderr)
        return 126
    except OSError as error:
        print(f"euca-boto run: {command[0]}: {error.strerror or error}", file=sys.stderr)
        return 126
    return 0  # not reached: exec replaced this process


def add_commands(commands: Any) -> None:
    """Add ``run`` to the ``euca-boto`` command line."""
    run = commands.add_parser(
        "run",
        help="run a command with euca-boto on every botocore session of its Python processes",
        description=(
            "Run COMMAND (a script, aws, ansible-playbook, custodian, ...) with euca-boto "
            "installed on every botocore and aiobotocore session created in it and in its "
            "Python child processes, with the settings of the profile each session uses."
        ),
    )
    run.add_argument("-q", "--quiet", action="store_true",
                     help="no progress lines for calls that keep retrying (euca_progress = "
                          "false for every profile)")
    run.add_argument("command", nargs=argparse.REMAINDER, metavar="-- COMMAND [ARGS...]")
    run.set_defaults(func=_run)
