"""The ``euca-boto`` command line: its parser, built from the command modules, and its run.

Each subcommand is a small function taking the parsed arguments and returning an exit status;
what goes wrong is reported in one place (:mod:`euca_boto.cli.errors`). Commands whose modules
need an optional extra are still listed by a bare install and say which extra to install.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import sys
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

from euca_boto.cli.errors import errors_reported
from euca_boto.cli.version import VersionAction
from euca_boto.core.extras import extra_providing
from euca_boto.errors import MissingExtra

PROG = "euca-boto"

# The subcommands, in the order --help lists them: each a module with
# ``add_commands(subparsers)`` adding the commands named, imported only to build the parser. A
# module that cannot be imported without its extra is stood in for by a command of the first
# name saying so.
COMMANDS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("models-path", "config"), "euca_boto.cli.config",
     "the effective settings; where the models are"),
    (("cloud", "fault"), "euca_boto.cli.cloud", "run a local cloud; inject faults into it"),
    (("demo",), "euca_boto.cli.demo", "a guided tour against an embedded LocalCloud"),
    (("admin",), "euca_boto.cli.admin", "admin tasks against a cloud"),
    (("breakers",), "euca_boto.cli.breakers", "list a fleet's circuit breakers"),
    (("tracker",), "euca_boto.cli.tracker", "the resource-change tracker"),
    (("endpoints",), "euca_boto.cli.endpoints", "show each service's endpoints"),
    (("run",), "euca_boto.cli.run", "run a command with euca-boto"),
    (("awscli",), "euca_boto.cli.awscli", "enable the plugin in the AWS CLI"),
    (("models",), "euca_boto.cli.models", "install the admin service models"),
    (("completion",), "euca_boto.cli.completion", "print a shell completion script"),
)

# Commands that set up logging themselves; the others show retries and warnings as lines.
_OWN_LOGGING = frozenset({"demo", "tracker", "cloud", "run"})


class Parser(argparse.ArgumentParser):
    """argparse, with a bad argument reported in one line instead of usage plus error, and
    with what it was given kept where the completion script finds it (argparse keeps its
    options and commands in private attributes): ``options``, the actions of its options and
    arguments, and ``command_groups``, whose ``choices`` map each command to its parser."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.options: list[argparse.Action] = []  # before argparse adds --help
        self.command_groups: list[argparse.Action] = []
        super().__init__(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        self.options.append(action)
        return action

    def add_mutually_exclusive_group(self, **kwargs: Any) -> Any:
        return _Recorded(super().add_mutually_exclusive_group(**kwargs), self.options)

    def add_subparsers(self, **kwargs: Any) -> Any:
        commands = super().add_subparsers(**kwargs)
        self.command_groups.append(commands)
        return commands

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


class _Recorded:
    """An argument group whose arguments its parser also records."""

    def __init__(self, group: Any, options: list[argparse.Action]) -> None:
        self._group = group
        self._options = options

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action: argparse.Action = self._group.add_argument(*args, **kwargs)
        self._options.append(action)
        return action


def build_parser(command: str | None = None) -> Parser:
    """The parser of the whole command line, with every command's arguments; or, given the
    name of a command, of that command alone (the one a command line names first), so that a
    command imports the modules it runs and not every other command's."""
    parser = Parser(prog=PROG, description="Eucalyptus for boto3, botocore and the AWS CLI.")
    parser.add_argument("--version", action=VersionAction)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    chosen = [entry for entry in COMMANDS if command in entry[0]]
    for names, module, summary in chosen or COMMANDS:
        try:
            add_commands = importlib.import_module(module).add_commands
        except ModuleNotFoundError as error:
            extra = extra_providing(error.name)
            if extra is None:
                raise
            _stand_in(commands, names[0], summary, extra)
            continue
        add_commands(commands)
    return parser


def _stand_in(commands: Any, name: str, summary: str, extra: str) -> None:
    """A command whose extra is missing: its --help and any use of it say what to install."""
    needs = str(MissingExtra(f"the {name} command", [extra]))
    stand_in = commands.add_parser(name, help=f"{summary} (needs the {extra!r} extra)",
                                   description=needs[0].upper() + needs[1:] + ".",
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    stand_in.add_argument("arguments", nargs=argparse.REMAINDER, help="as with the extra")

    def missing(args: argparse.Namespace) -> int:
        raise MissingExtra(f"the {name} command", [extra])

    stand_in.set_defaults(func=missing)


@contextlib.contextmanager
def _progress_shown() -> Iterator[None]:
    """Show each retry (one line) and the plugin's warnings while a command runs, so a call
    that keeps failing is never silent."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(f"{PROG}: %(message)s"))
    handler.addFilter(lambda r: r.levelno >= logging.WARNING or r.name == "euca_boto.retry")
    plugin, retry = logging.getLogger("euca_boto"), logging.getLogger("euca_boto.retry")
    level = retry.level
    plugin.addHandler(handler)
    if level == logging.NOTSET:
        retry.setLevel(logging.INFO)
    try:
        yield
    finally:
        plugin.removeHandler(handler)
        retry.setLevel(level)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(arguments[0] if arguments else None).parse_args(arguments)
    profile = getattr(args, "profile", None)
    try:
        with (contextlib.nullcontext() if args.command in _OWN_LOGGING else _progress_shown(),
              errors_reported(PROG, profile[0] if isinstance(profile, list) else profile)):
            status: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 1
    return status
