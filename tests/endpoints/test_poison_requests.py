"""A request that every endpoint answers with HTTP 500 (a poison request) fails alone: it ejects
no healthy endpoint and does not open the service's breaker for everyone else, while what says an
endpoint is sick (503, a stopped endpoint, a 500 where another endpoint answers the same request)
still does. LocalCloud's three endpoints, real sockets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

import euca_boto
from euca_boto.endpoints import State, selector_of
from euca_boto.testing import LocalCloud


def urls(cloud: LocalCloud) -> str:
    return ", ".join(e.url for e in cloud.endpoints)


@pytest.fixture
def three(profile: Callable[..., Any], fresh_cloud: LocalCloud,
          make_session: Callable[..., Any]) -> Any:
    profile(f"euca_endpoint_urls = {urls(fresh_cloud)}")
    return make_session(euca_breaker_fail_max=5)


def poison(cloud: LocalCloud) -> None:
    """The next call's request gets 500 wherever it goes, for every attempt."""
    for endpoint in cloud.endpoints:
        endpoint.fail(500, count=6)


def test_a_poison_request_ejects_no_endpoint(three: Any, fresh_cloud: LocalCloud) -> None:
    euprop = three.client("euprop")
    poison(fresh_cloud)
    with pytest.raises(ClientError) as raised:
        euprop.describe_properties(Properties=["dns.enabled"])
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    board = selector_of(three).board
    states = [board.health(fresh_cloud.service_url("euprop", i)).state for i in range(3)]
    assert states == [State.HEALTHY] * 3
    # Its retries were spread over the endpoints, in case one of them was the cause.
    assert all(len(e.requests) == 2 for e in fresh_cloud.endpoints)


def test_five_poison_requests_do_not_open_the_breaker(three: Any,
                                                      fresh_cloud: LocalCloud) -> None:
    euprop = three.client("euprop")
    for _ in range(5):
        poison(fresh_cloud)
        with pytest.raises(ClientError):
            euprop.describe_properties(Properties=["dns.enabled"])
        fresh_cloud.clear()
    answer = euprop.describe_properties(Properties=["dns.enabled"])
    assert answer["ResponseMetadata"]["RetryAttempts"] == 0
    assert euca_boto.breakers()[0].state == "closed"


def test_a_503_still_ejects_its_endpoint(three: Any, fresh_cloud: LocalCloud) -> None:
    euprop = three.client("euprop")
    fresh_cloud.endpoint(0).fail(503)
    euprop.describe_properties(Properties=["dns.enabled"])
    board = selector_of(three).board
    assert board.health(fresh_cloud.service_url("euprop", 0)).state is State.EJECTED


def test_five_calls_failing_with_503_still_open_the_breaker(three: Any,
                                                            fresh_cloud: LocalCloud) -> None:
    euprop = three.client("euprop")
    for _ in range(5):
        for endpoint in fresh_cloud.endpoints:
            endpoint.fail(503, count=6)
        with pytest.raises(ClientError):
            euprop.describe_properties(Properties=["dns.enabled"])
        fresh_cloud.clear()
    with pytest.raises(euca_boto.CircuitOpenError):
        euprop.describe_properties(Properties=["dns.enabled"])


def test_a_500_another_endpoint_answers_is_the_first_endpoints_failure(
    three: Any, fresh_cloud: LocalCloud
) -> None:
    euprop = three.client("euprop")
    fresh_cloud.endpoint(0).fail(500)  # the first call's first attempt goes to endpoint 0
    euprop.describe_properties(Properties=["dns.enabled"])
    health = selector_of(three).board.health(fresh_cloud.service_url("euprop", 0))
    assert health.state is State.EJECTED
    assert health.last_error is not None and health.last_error.startswith("HTTP 500")


def test_an_endpoint_answering_500_to_everything_is_left_out_and_calls_go_on(
    three: Any, fresh_cloud: LocalCloud
) -> None:
    euprop = three.client("euprop")
    fresh_cloud.endpoint(1).fail(500, count=10**6)
    failed = []
    for _ in range(100):
        try:
            euprop.describe_properties(Properties=["dns.enabled"])
        except ClientError as error:
            failed.append(str(error))
    assert failed == []
    # Tried once, then left out (the selector's clock stands still: no probe is due).
    assert len(fresh_cloud.endpoint(1).requests) == 1


def test_the_endpoint_that_answers_in_the_end_is_not_held_to_its_own_500(
    three: Any, fresh_cloud: LocalCloud
) -> None:
    for endpoint in fresh_cloud.endpoints:
        endpoint.fail(500)  # once each: the fourth attempt, back at endpoint 0, is answered
    answer = three.client("euprop").describe_properties(Properties=["dns.enabled"])
    assert answer["ResponseMetadata"]["RetryAttempts"] == 3
    board = selector_of(three).board
    states = [board.health(fresh_cloud.service_url("euprop", i)).state for i in range(3)]
    assert states == [State.HEALTHY, State.EJECTED, State.EJECTED]
