"""The exceptions euca-boto raises on its own account.

Errors that come back from a cloud stay botocore's ``ClientError`` family; these are for what the
plugin itself finds wrong (configuration, arguments) before or around a call.
"""

from __future__ import annotations

from collections.abc import Sequence


class EucaBotoError(Exception):
    """Base class of every error raised by euca-boto itself."""


class ConfigError(EucaBotoError, ValueError):
    """A setting is missing, malformed or unknown.

    The message names where the setting came from (profile, service block, environment variable
    or argument), the key, the value and what was expected.
    """


class MissingExtra(EucaBotoError, ImportError):
    """Something needs a package of an optional extra that is not installed.

    ``extras`` names the extras; the message says how to install them.
    """

    def __init__(self, what: str, extras: Sequence[str], hint: str = "") -> None:
        names = " and ".join(repr(extra) for extra in extras)
        plural = "s" if len(extras) > 1 else ""
        super().__init__(
            f"{what} needs the {names} extra{plural}: pip install 'euca-boto[{','.join(extras)}]'"
            + (f" ({hint})" if hint else "")
        )
        self.extras = tuple(extras)
