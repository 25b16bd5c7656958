"""A call's worst case is bounded by default: a read timeout per attempt and a deadline per call,
so a black-holed endpoint costs one read timeout once, and a call whose every endpoint is
black-holed ends near its deadline instead of after six full timeouts. LocalCloud's blackhole
fault over real sockets; the timeouts are scaled down, the defaults' ratios kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError

from euca_boto import RetryError
from euca_boto.core.settings import BY_KEY
from euca_boto.retry import RetryPolicy
from euca_boto.testing import LocalCloud


def urls(cloud: LocalCloud) -> str:
    return ", ".join(e.url for e in cloud.endpoints)


def test_the_defaults_bound_a_call() -> None:
    read, connect = BY_KEY["euca_read_timeout"].default, BY_KEY["euca_connect_timeout"].default
    policy = RetryPolicy.from_settings({})
    assert (connect, read, policy.deadline) == (10.0, 30.0, 90.0)
    # A call may move on after one endpoint timed out: the second attempt fits the deadline.
    assert 2 * read + policy.backoff.cap < policy.deadline  # type: ignore[attr-defined]


def test_a_default_client_uses_the_bounded_timeouts(profile: Callable[..., Any],
                                                    make_session: Callable[..., Any]) -> None:
    profile()
    config = make_session().client("euprop").meta.config
    assert (config.connect_timeout, config.read_timeout) == (10.0, 30.0)


# The defaults, divided by 30: a 1 s read timeout and a 3 s deadline.
SCALED = {"euca_read_timeout": 1.0, "euca_connect_timeout": 0.5, "euca_retry_deadline": 3.0}


def test_one_black_holed_endpoint_costs_one_read_timeout_once(
        profile: Callable[..., Any], fresh_cloud: LocalCloud,
        make_session: Callable[..., Any]) -> None:
    profile(f"euca_endpoint_urls = {urls(fresh_cloud)}")
    euprop = make_session(**SCALED).client("euprop")
    fresh_cloud.endpoint(1).blackhole()
    answers = [euprop.describe_properties(Properties=["dns.enabled"]) for _ in range(9)]
    assert all(a["Properties"][0]["Name"] == "dns.enabled" for a in answers)
    # One attempt ran into the black hole (one read timeout); every other went elsewhere.
    assert sum(a["ResponseMetadata"]["RetryAttempts"] for a in answers) == 1
    assert len(fresh_cloud.endpoint(1).requests) == 0  # held, never answered
    assert len(fresh_cloud.endpoint(0).requests) + len(fresh_cloud.endpoint(2).requests) == 9


def test_a_call_with_every_endpoint_black_holed_ends_near_its_deadline(
        profile: Callable[..., Any], fresh_cloud: LocalCloud,
        make_session: Callable[..., Any]) -> None:
    profile(f"euca_endpoint_urls = {urls(fresh_cloud)}")
    euprop = make_session(**SCALED).client("euprop")
    for endpoint in fresh_cloud.endpoints:
        endpoint.blackhole()
    with pytest.raises(ReadTimeoutError) as raised:
        euprop.describe_properties(Properties=["dns.enabled"])
    assert isinstance(raised.value, RetryError)
    # Two read timeouts fit the deadline, a third would not: 2 attempts, not 6.
    assert raised.value.attempts == 2
    assert raised.value.stop_reason.startswith("deadline: a retry after ")
