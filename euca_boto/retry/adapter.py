"""The one place that reads botocore's ``needs-retry`` kwargs: it turns them into a
:class:`~euca_boto.retry.context.RetryContext`.

It classifies botocore's exceptions into :class:`~euca_boto.retry.context.Outcome`, decides
whether the operation may change state, and reads the delay the server asked for.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ProxyConnectionError,
    ReadTimeoutError,
)

from euca_boto.core.parsing import parse_failure
from euca_boto.retry.context import Outcome, RetryContext, may_change_state

if TYPE_CHECKING:
    from botocore.model import OperationModel

# Members of an error body that carry a delay in seconds (query/EC2 XML or JSON errors).
_BODY_DELAY_KEYS = ("RetryAfter", "RetryAfterSeconds", "retryAfterSeconds")


def classify(exception: BaseException) -> Outcome:
    """The outcome an exception caught by botocore stands for."""
    if isinstance(exception, ReadTimeoutError):
        return Outcome.READ_TIMEOUT
    # Refused, DNS failure, connect timeout, proxy refused: nothing reached the server.
    # (ConnectTimeoutError and ProxyConnectionError are not EndpointConnectionErrors.)
    if isinstance(exception, (EndpointConnectionError, ConnectTimeoutError, ProxyConnectionError)):
        return Outcome.CONNECT_FAILED
    if isinstance(exception, (ConnectionClosedError, HTTPClientError)):
        return Outcome.CONNECTION_LOST
    return Outcome.OTHER_ERROR


_DEFAULT_PORTS = {"http": 80, "https": 443}


def endpoint_of(url: str) -> str:
    """The endpoint a request URL addresses: its scheme, host and port (``http://host:8773``),
    the default port spelled out; paths, queries and user names do not make other endpoints."""
    scheme, separator, authority = url.partition("://")
    if not separator:
        return url
    for stop in "/?#":
        authority = authority.partition(stop)[0]
    return _endpoint(scheme, authority)


@functools.lru_cache(maxsize=256)
def _endpoint(scheme: str, authority: str) -> str:
    scheme = scheme.lower()
    parts = urlsplit(f"{scheme}://{authority}")
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:  # a port that is not a number: keep what was written
        return f"{scheme}://{authority.rpartition('@')[2].lower()}"
    return f"{scheme}://{host}:{port}" if port else f"{scheme}://{host}"


def server_delay(
    headers: Mapping[str, str], error: Mapping[str, Any] | None, now: float
) -> tuple[float, str] | tuple[None, None]:
    """The delay the server asked for, in seconds, and where it was found.

    Looks at ``Retry-After`` (seconds, or an HTTP date, measured from the response's ``Date``
    header when there is one so that clock skew does not matter, else from ``now``, a Unix
    time), then ``x-amz-retry-after`` (milliseconds), then a ``RetryAfter`` member of the error
    body (seconds). Unparsable or negative values are ignored.
    """
    raw = headers.get("Retry-After")
    if raw is not None:
        seconds = _seconds(raw)
        if seconds is None:
            seconds = _until_date(raw, headers.get("Date"), now)
        if seconds is not None:
            return seconds, "Retry-After"
    raw = headers.get("x-amz-retry-after")
    if raw is not None:
        millis = _seconds(raw)
        if millis is not None:
            return millis / 1000.0, "x-amz-retry-after"
    for key in _BODY_DELAY_KEYS:
        if error and key in error:
            seconds = _seconds(error[key])
            if seconds is not None:
                return seconds, "error body"
    return None, None


def _seconds(raw: Any) -> float | None:
    try:
        value = float(str(raw).strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _until_date(raw: str, date_header: str | None, now: float) -> float | None:
    try:
        when = parsedate_to_datetime(raw).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    if date_header:
        try:
            now = parsedate_to_datetime(date_header).timestamp()
        except (TypeError, ValueError, IndexError):
            pass
    return max(0.0, when - now)


class RetryEventAdapter:
    """Builds the policy's context from botocore's ``needs-retry`` kwargs."""

    def __init__(self, service_id: str) -> None:
        self.service_id = service_id

    def context(
        self,
        kwargs: Mapping[str, Any],
        *,
        elapsed: float,
        slept: float,
        attempt_duration: float,
        wall_now: float,
    ) -> RetryContext:
        operation: OperationModel = kwargs["operation"]
        response = kwargs.get("response")
        exception = kwargs.get("caught_exception")
        request_dict = kwargs.get("request_dict") or {}
        status = error_code = delay = source = None
        error: Mapping[str, Any] | None = None
        if exception is not None:
            outcome = classify(exception)
        elif response is not None:
            http_response, parsed = response
            status = http_response.status_code
            error = parsed.get("Error") if isinstance(parsed, dict) else None
            if status < 400 and parse_failure(parsed) is not None:
                outcome = Outcome.MALFORMED
            elif status < 400:
                outcome = Outcome.SUCCESS
            else:
                outcome = Outcome.HTTP_ERROR
                error_code = (error or {}).get("Code") or None
                delay, source = server_delay(http_response.headers, error, wall_now)
        else:
            outcome = Outcome.OTHER_ERROR
        return RetryContext(
            service=self.service_id,
            operation=operation.name,
            attempt=kwargs["attempts"],
            outcome=outcome,
            status=status,
            error_code=error_code,
            exception=exception,
            endpoint=endpoint_of(request_dict.get("url", "")),
            mutating=may_change_state(operation.name, operation.idempotent_members),
            server_delay=delay,
            server_delay_source=source,
            elapsed=elapsed,
            slept=slept,
            attempt_duration=attempt_duration,
        )
