"""The exceptions euca-boto raises on its own account.

Errors that come back from a cloud stay botocore's ``ClientError`` family (an HTTP answer with an
error code); everything else a call can raise is a ``BotoCoreError`` (nothing usable came back,
or nothing was sent), so ``except (ClientError, BotoCoreError)`` catches every failure of a call.
The plugin's own errors are also :class:`EucaBotoError`. docs/errors.md lists them all.
"""

from __future__ import annotations

from collections.abc import Sequence

from botocore.exceptions import BotoCoreError
from botocore.parsers import ResponseParserError


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


class CallError(BotoCoreError, EucaBotoError):
    """Base of euca-boto's own errors that end a call without an answer from the service (no
    endpoint found, a caller context that cannot be applied): ``BotoCoreError``s, as botocore's
    own errors of the kind are (``EndpointConnectionError``, ``ParamValidationError``)."""

    fmt = "{message}"

    def __init__(self, message: str) -> None:
        self.kwargs = {"message": message}  # as BotoCoreError keeps them, for pickling
        Exception.__init__(self, message)


class MalformedResponseError(BotoCoreError, ResponseParserError, EucaBotoError):
    """The server answered, but its answer could not be parsed (a truncated or garbled body).

    A ``BotoCoreError``, and a ``ResponseParserError`` as botocore raises in this case, so both
    kinds of ``except`` clause catch it. Read-only calls are retried before it is raised; a call
    that may change state is not (the server answered, so the request may have taken effect).
    ``operation``, ``status`` (HTTP), ``attempts`` and ``stop_reason`` say what happened.
    """

    fmt = "{operation}: HTTP {status} answer could not be parsed: {detail}"

    def __init__(self, *, operation: str, status: int, detail: str, attempts: int = 1,
                 stop_reason: str = "") -> None:
        # As BotoCoreError does it (message from ``fmt``, ``kwargs`` kept for pickling).
        self.kwargs = {"operation": operation, "status": status, "detail": detail,
                       "attempts": attempts, "stop_reason": stop_reason}
        Exception.__init__(self, self.fmt.format(**self.kwargs))
        self.operation, self.status, self.detail = operation, status, detail
        self.attempts, self.stop_reason = attempts, stop_reason
