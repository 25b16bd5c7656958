"""The errors the resource-change tracker raises; each message says what to do next."""

from __future__ import annotations

from euca_boto.errors import EucaBotoError


class TrackerError(EucaBotoError):
    """Base class of the tracker's own errors."""


class StoreError(TrackerError):
    """The feed store cannot be opened or migrated (bad URL, newer schema, unreachable), or a
    connection to it was lost in the middle of a call."""


class CursorExpired(TrackerError):
    """A catch-up cursor points at entries already removed by retention.

    The reader cannot resume without a gap: it has to list the resources again and continue from
    ``resume_from``.
    """

    def __init__(self, cursor: int, oldest_kept: int) -> None:
        self.cursor = cursor
        self.resume_from = oldest_kept
        super().__init__(
            f"cursor {cursor} is older than the feed's retention (entries up to "
            f"{oldest_kept} were removed); list the resources again, then read changes "
            f"with since={oldest_kept}"
        )


class UnknownResource(TrackerError):
    """A hook names a resource the tracker has not seen for the caller's account."""


class InvalidRequest(TrackerError, ValueError):
    """An argument (hook URL, cursor, limit, resource type) is malformed."""


class AuthenticationError(TrackerError):
    """A tracker API request is unsigned or its signed identity proof was rejected.

    ``status`` is 401 when no usable proof or session token was sent, 403 when the cloud
    refused the proof and 503 when it could not be asked; ``code`` is the API's error code
    (``SessionRejected`` for a refused session token; by default one per status).
    """

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or {401: "Unauthenticated", 403: "Forbidden"}.get(status, "Unavailable")


class TrackerAPIError(TrackerError):
    """The tracker's HTTP API answered with an error (raised by ``TrackerClient``)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def one_line(error: BaseException) -> str:
    """An exception as one log line: its type and message, whitespace folded."""
    text = " ".join(str(error).split()) or "(no message)"
    return f"{type(error).__name__}: {text[:500]}"
