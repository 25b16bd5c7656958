"""The ``euca-boto`` command: every command and the demo, built on the feature packages.

:mod:`.main` parses the command line and runs a command, :mod:`.errors` says what went wrong;
each other module is one command (:mod:`.endpoints` is ``euca-boto endpoints``, :mod:`.cloud`
is ``cloud`` and ``fault``, ...) and :mod:`.scenes` holds the demo's scenes. The features never
import from here: the command line depends on them, not the reverse.
"""

from euca_boto.cli.errors import errors_reported
from euca_boto.cli.main import build_parser, main

__all__ = ["build_parser", "errors_reported", "main"]
