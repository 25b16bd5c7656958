"""The ``euca-boto`` command: every command and the demo, built on the feature packages.

:mod:`.main` parses the command line and runs a command, :mod:`.errors` says what went wrong;
each other module is one command (:mod:`.endpoints` is ``euca-boto endpoints``, :mod:`.cloud`
is ``cloud`` and ``fault``, ...) and :mod:`.scenes` holds the demo's scenes. The features never
import from here: the command line depends on them, not the reverse.

``euca-boto run`` goes straight to its launcher (:mod:`.run`, standard library only): every
tool started through it pays for this start-up, so nothing else is imported on the way.
"""

from __future__ import annotations

import sys

from euca_boto.core.namesakes import keep_functions, lazy_names

TYPE_CHECKING = False  # not typing's: see euca_boto/__init__.py
if TYPE_CHECKING:
    from collections.abc import Sequence

    from euca_boto.cli.errors import errors_reported
    from euca_boto.cli.main import build_parser

__all__ = ["build_parser", "errors_reported", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments[:1] == ["run"] and not {"-h", "--help"} & set(arguments[1:2]):
        from euca_boto.cli.run import run

        return run(arguments[1:])
    from euca_boto.cli.main import main as run_command

    return run_command(arguments)


__getattr__ = lazy_names(__name__, {"build_parser": "euca_boto.cli.main",
                                     "errors_reported": "euca_boto.cli.errors"})


keep_functions(__name__, "main")
