"""How the ``euca-boto`` command reports what went wrong: one line on stderr and an exit status,
2 for a bad configuration or bad arguments, 1 for an operation that failed.

:func:`errors_reported` gives scripts (the examples) the command line's behaviour.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

from euca_boto.core.extras import extra_providing
from euca_boto.errors import ConfigError, EucaBotoError, MissingExtra


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
