"""What the outcome of a web-service call says about the service: failure, answer or nothing.

A call reaches its breaker after retry and failover are done with it, so an error here is the
final word: retries exhausted on a retriable HTTP status, a connection that could not be made or
was lost, a timeout. Those count as failures. Any other answer from the service (a 4xx that means
a bad request or no permission) shows it is up. Errors raised before anything was sent (bad
parameters, no credentials) and interruptions say nothing about it.
"""

from __future__ import annotations

from collections.abc import Collection

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ReadTimeoutError,
)
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from euca_boto.circuit.breaker import NOT_COUNTED, CircuitOpenError, Classifier, Verdict

_TIMEOUTS = (ConnectTimeoutError, ReadTimeoutError)
_CONNECTION = (
    EndpointConnectionError, ConnectionClosedError, BotocoreConnectionError, HTTPClientError
)


def web_service_failures(retry_statuses: Collection[int]) -> Classifier:
    """A classifier for botocore calls; ``retry_statuses`` are ``euca_retry_status_codes``."""
    statuses = frozenset(retry_statuses)

    def classify(error: BaseException) -> Verdict:
        if isinstance(error, CircuitOpenError):
            return NOT_COUNTED
        if isinstance(error, _TIMEOUTS):
            return Verdict("timeout", failure=True)
        if isinstance(error, _CONNECTION):
            return Verdict("connection", failure=True)
        if isinstance(error, ClientError):
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status in statuses:
                return Verdict(f"http-{status}", failure=True)
            return Verdict(f"http-{status}")
        return NOT_COUNTED

    return classify
