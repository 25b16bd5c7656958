"""What the outcome of a web-service call says about the service: failure, answer or nothing.

A call reaches its breaker after retry and failover are done with it, so an error here is the
final word: retries exhausted on a retriable HTTP status that says the service is sick (502, 503,
504, 429, 408), a connection that could not be made or was lost, a timeout, an answer that could
not be parsed. Those count as failures. A 500 or a 413 follows the request, not the service (one
poison request gets it from every endpoint), so it does not count; nor does any other answer
from the service (a 4xx that means a bad request or no permission): it shows the service is up.
Errors raised before anything was sent (bad parameters, no credentials) and interruptions say
nothing about it.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Final

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ReadTimeoutError,
)
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from euca_boto.breakers.breaker import NOT_COUNTED, CircuitOpenError, Classifier, Verdict
from euca_boto.core.records import Record
from euca_boto.core.statuses import REQUEST_STATUSES
from euca_boto.errors import MalformedResponseError

_TIMEOUTS = (ConnectTimeoutError, ReadTimeoutError)
_CONNECTION = (
    EndpointConnectionError, ConnectionClosedError, BotocoreConnectionError, HTTPClientError
)


class WebServiceFailures(Record):
    """The classifier of botocore calls; ``statuses`` are the failure statuses it counts.

    Two with the same statuses are equal: a breaker's settings include its classifier.
    """

    __slots__ = ("statuses",)

    def __init__(self, statuses: frozenset[int]) -> None:
        self.statuses: Final = statuses

    def __call__(self, error: BaseException) -> Verdict:
        if isinstance(error, CircuitOpenError):
            return NOT_COUNTED
        if isinstance(error, _TIMEOUTS):
            return Verdict("timeout", failure=True)
        if isinstance(error, _CONNECTION):
            return Verdict("connection", failure=True)
        if isinstance(error, MalformedResponseError):
            return Verdict("malformed", failure=True)
        if isinstance(error, ClientError):
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status in self.statuses:
                return Verdict(f"http-{status}", failure=True)
            return Verdict(f"http-{status}")
        return NOT_COUNTED


def web_service_failures(retry_statuses: Collection[int]) -> Classifier:
    """A classifier for botocore calls; ``retry_statuses`` are ``euca_retry_status_codes``."""
    return WebServiceFailures(frozenset(retry_statuses) - REQUEST_STATUSES)
