"""The ``euca-boto`` command: inspect settings and models, run the local cloud and the demo.

Each subcommand is a small function taking the parsed arguments and returning an exit status.
What goes wrong is reported here, in one place (:func:`explain`): one line on stderr, status 2
for a bad configuration or bad arguments, 1 for an operation that failed. Commands whose
modules need an optional extra are still listed by a bare install and say which extra to
install.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

from euca_boto.errors import ConfigError, EucaBotoError, MissingExtra
from euca_boto.extras import extra_providing
from euca_boto.models import models_path
from euca_boto.redact import url_passwords

PROG = "euca-boto"

# The subcommands, each a module with ``add_commands(subparsers)``; a module that cannot be
# imported without its extra is stood in for by a command of the same name saying so.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("cloud", "euca_boto.testing.command", "run a local cloud; inject faults into it"),
    ("demo", "euca_boto.demo", "a guided tour against an embedded LocalCloud"),
    ("admin", "euca_boto.admin", "admin tasks against a cloud"),
    ("breakers", "euca_boto.circuit.command", "list a fleet's circuit breakers"),
    ("tracker", "euca_boto.tracker.command", "the resource-change tracker"),
    ("endpoints", "euca_boto.endpoints.command", "show each service's endpoints"),
    ("run", "euca_boto.run", "run a command with euca-boto"),
    ("models", "euca_boto.usermodels", "install the admin service models"),
)

# Commands that set up logging themselves; the others show retries and warnings as lines.
_OWN_LOGGING = frozenset({"demo", "tracker", "cloud", "run"})


class Parser(argparse.ArgumentParser):
    """argparse, with a bad argument reported in one line instead of usage plus error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _models_path(args: argparse.Namespace) -> int:
    print(models_path())
    return 0


def _config(args: argparse.Namespace) -> int:
    import botocore.session

    from euca_boto.settings import (
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


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog=PROG, description="Eucalyptus for boto3, botocore and the AWS CLI.")
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

    for name, module, summary in COMMANDS:
        try:
            add_commands = importlib.import_module(module).add_commands
        except ModuleNotFoundError as error:
            extra = extra_providing(error.name)
            if extra is None:
                raise
            _stand_in(commands, name, summary, extra)
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


def explain(error: BaseException, profile: str | None = None) -> tuple[str, int] | None:
    """What a user is told about ``error``: one line, and the exit status (2: fix the
    configuration or the arguments; 1: the operation failed). None for an error nobody
    expected, which is then shown with its traceback."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
        ProfileNotFound,
        UnknownServiceError,
    )

    from euca_boto.retry.errors import RetryError

    where = profile or os.environ.get("AWS_PROFILE") or "default"
    config_file = os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config"
    if isinstance(error, ModuleNotFoundError) and not isinstance(error, MissingExtra):
        extra = extra_providing(error.name)
        if extra is None:
            return None
        error = MissingExtra(f"{error.name} is not installed: this", [extra])
    if isinstance(error, (MissingExtra, ConfigError)):
        prefix = "" if isinstance(error, MissingExtra) else "configuration error: "
        return prefix + str(error), 2
    if isinstance(error, ProfileNotFound):
        return (f"configuration error: profile {error.kwargs.get('profile', where)!r} was not "
                f"found in the AWS config files ({config_file})", 2)
    if isinstance(error, NoRegionError):
        return (f"configuration error: profile {where!r} has no region: add "
                f"region = eucalyptus (your cloud's region) to it in {config_file}", 2)
    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        return (f"configuration error: {error} for profile {where!r}: add aws_access_key_id "
                "and aws_secret_access_key to it in ~/.aws/credentials", 2)
    if isinstance(error, UnknownServiceError):
        # botocore lists every service it knows (hundreds) after the first sentence.
        return f"configuration error: {str(error).split('. Valid service names', 1)[0]}", 2
    if isinstance(error, RetryError) and error.__cause__ is not None:
        # Each attempt was shown as it failed; the history need not be repeated.
        return f"{error.__cause__} ({error.attempts} attempts; {error.stop_reason})", 1
    if isinstance(error, (ClientError, BotoCoreError, EucaBotoError)):
        # A cloud's answer, a connection that failed for good, a breaker that refused the
        # call, a topology or DNS lookup that failed: the operation failed, the setup may not.
        return str(error), 1
    return None


def one_line(text: str) -> str:
    """``text`` on one line (botocore's messages may span several)."""
    return " ".join(text.split())


@contextlib.contextmanager
def errors_reported(prog: str, profile: str | None = None) -> Iterator[None]:
    """Report the errors :func:`explain` knows in one line on stderr and exit with its status;
    for scripts (the examples) that want the command line's behaviour."""
    try:
        yield
    except Exception as error:
        explained = explain(error, profile)
        if explained is None:
            raise
        message, status = explained
        print(f"{prog}: {one_line(message)}", file=sys.stderr)
        raise SystemExit(status) from None


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
    if arguments[:1] == ["run"] and not {"-h", "--help"} & set(arguments[1:2]):
        # Straight to the command: every tool started through run pays for this start-up.
        from euca_boto.run import run

        return run(arguments[1:])
    args = build_parser().parse_args(arguments)
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


if __name__ == "__main__":
    sys.exit(main())
