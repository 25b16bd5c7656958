"""The adapter's readings of the wire (server delays, exceptions) and the retry budget."""

from __future__ import annotations

from email.utils import formatdate

import pytest
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
    SSLError,
)

from euca_boto import EucaBotoError
from euca_boto.retry import TTL, Outcome, RetryBudget, RetryError
from euca_boto.retry.adapter import classify, endpoint_of, server_delay
from euca_boto.retry.errors import AttemptRecord, retry_error

NOW = 1_800_000_000.0


def test_retry_after_in_seconds() -> None:
    assert server_delay({"Retry-After": "7"}, None, NOW) == (7.0, "Retry-After")


def test_retry_after_as_an_http_date_counts_from_the_response_date() -> None:
    headers = {"Retry-After": formatdate(NOW + 30, usegmt=True),
               "Date": formatdate(NOW, usegmt=True)}
    # The local clock is an hour off; the server's own Date header is the reference.
    assert server_delay(headers, None, NOW + 3600) == (30.0, "Retry-After")


def test_retry_after_as_an_http_date_without_a_date_header_counts_from_now() -> None:
    headers = {"Retry-After": formatdate(NOW + 12, usegmt=True)}
    assert server_delay(headers, None, NOW) == (12.0, "Retry-After")


def test_retry_after_date_in_the_past_is_no_delay() -> None:
    headers = {"Retry-After": formatdate(NOW - 60, usegmt=True)}
    assert server_delay(headers, None, NOW) == (0.0, "Retry-After")


def test_x_amz_retry_after_is_milliseconds() -> None:
    assert server_delay({"x-amz-retry-after": "1500"}, None, NOW) == (1.5, "x-amz-retry-after")


def test_retry_after_in_the_error_body() -> None:
    error = {"Code": "SlowDown", "RetryAfter": "4"}
    assert server_delay({}, error, NOW) == (4.0, "error body")


@pytest.mark.parametrize("value", ["soon", "-5", "nan", "inf", ""])
def test_unusable_retry_after_values_are_ignored(value: str) -> None:
    assert server_delay({"Retry-After": value}, {"RetryAfter": value}, NOW) == (None, None)


def test_the_header_wins_over_the_body() -> None:
    assert server_delay({"Retry-After": "2"}, {"RetryAfter": "9"}, NOW) == (2.0, "Retry-After")


@pytest.mark.parametrize(("exception", "outcome"), [
    (EndpointConnectionError(endpoint_url="http://x"), Outcome.CONNECT_FAILED),
    (ConnectTimeoutError(endpoint_url="http://x"), Outcome.CONNECT_FAILED),
    (ReadTimeoutError(endpoint_url="http://x"), Outcome.READ_TIMEOUT),
    (ConnectionClosedError(endpoint_url="http://x"), Outcome.CONNECTION_LOST),
    (SSLError(endpoint_url="http://x", error="bad cert"), Outcome.OTHER_ERROR),
    (ValueError("unparsable"), Outcome.OTHER_ERROR),
])
def test_exceptions_are_classified(exception: Exception, outcome: Outcome) -> None:
    assert classify(exception) is outcome


@pytest.mark.parametrize("url, endpoint", [
    ("http://127.0.0.1:8773/services/Tokens?Action=X", "http://127.0.0.1:8773"),
    ("http://127.0.0.1:8773/services/objectstorage/bucket/a/b", "http://127.0.0.1:8773"),
    ("https://User:pw@Cloud.Example.com/services/Euare", "https://cloud.example.com:443"),
    ("http://[::1]:8773", "http://[::1]:8773"),
    ("http://cloud?Action=X", "http://cloud:80"),
])
def test_endpoint_is_the_server_of_the_url(url: str, endpoint: str) -> None:
    assert endpoint_of(url) == endpoint


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def spent(budget: RetryBudget) -> int:
    """Spend every token left; how many there were."""
    count = 0
    while budget.try_spend():
        count += 1
    return count


def test_budget_keeps_a_reserve_of_its_minimum_rate_over_its_ttl() -> None:
    budget = RetryBudget(clock=Clock())
    assert spent(budget) == int(TTL)  # one a second, over the last 10 s
    assert budget.tokens() == 0


def test_budget_retries_count_until_they_are_older_than_its_ttl() -> None:
    clock = Clock()
    budget = RetryBudget(percent=0, min_rate=2, clock=clock)
    assert spent(budget) == 20
    clock.now += TTL / 2
    assert spent(budget) == 0
    clock.now += TTL / 2
    assert spent(budget) == 20


def test_budget_grows_by_its_percentage_of_the_successful_calls() -> None:
    budget = RetryBudget(percent=25, min_rate=0, clock=Clock())
    assert spent(budget) == 0
    for _ in range(100):
        budget.deposit()
    assert spent(budget) == 25  # a busy scope may retry in bursts as large as its share


def test_budget_forgets_successes_older_than_its_ttl() -> None:
    clock = Clock()
    budget = RetryBudget(percent=50, min_rate=0, clock=clock)
    for _ in range(10):
        budget.deposit()
    clock.now += TTL
    assert spent(budget) == 0


def test_budget_counts_only_the_successes_of_its_ttl_however_many_came_in_between() -> None:
    clock = Clock()
    budget = RetryBudget(percent=100, min_rate=0, clock=clock)
    for _ in range(10):
        budget.deposit()
    clock.now += TTL  # the same slot of the ring, ten seconds on
    for _ in range(5):
        budget.deposit()
    clock.now += TTL / 2
    for _ in range(200):
        budget.deposit()
    assert spent(budget) == 205
    clock.now += TTL / 2
    assert budget.tokens() == 200 - 205  # the 5 earlier successes are out, the retries in


def test_budget_that_is_off_pays_every_retry() -> None:
    budget = RetryBudget(percent=0, min_rate=0, enabled=False, clock=Clock())
    assert all(budget.try_spend() for _ in range(1000))


def test_retry_error_keeps_the_original_class_and_tells_the_history() -> None:
    original = EndpointConnectionError(endpoint_url="http://127.0.0.1:1/")
    history = [AttemptRecord(1, "connection failed (EndpointConnectionError)", "retry", 0.5),
               AttemptRecord(2, "connection failed (EndpointConnectionError)", "give_up")]
    error = retry_error(original, "all 2 attempts failed", history)
    assert isinstance(error, EndpointConnectionError)
    assert isinstance(error, RetryError) and isinstance(error, EucaBotoError)
    assert error.kwargs == {"endpoint_url": "http://127.0.0.1:1/"}
    assert (error.attempts, error.stop_reason) == (2, "all 2 attempts failed")
    assert str(error) == 'Could not connect to the endpoint URL: "http://127.0.0.1:1/"'
    assert error.report() == (
        "euca-boto retry: 2 attempts, stopped: all 2 attempts failed; 1: connection failed "
        "(EndpointConnectionError), retried after 0.5 s; 2: connection failed "
        "(EndpointConnectionError)"
    )
    assert error.__notes__ == [error.report()]
