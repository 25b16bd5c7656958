"""The exceptions euca-boto raises on its own account.

Errors that come back from a cloud stay botocore's ``ClientError`` family; these are for what the
plugin itself finds wrong (configuration, arguments) before or around a call.
"""

from __future__ import annotations


class EucaBotoError(Exception):
    """Base class of every error raised by euca-boto itself."""


class ConfigError(EucaBotoError, ValueError):
    """A setting is missing, malformed or unknown.

    The message names where the setting came from (profile, service block, environment variable
    or argument), the key, the value and what was expected.
    """
