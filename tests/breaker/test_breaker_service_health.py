"""A breaker opens when its service is failing, not when one endpoint or a few calls are: LocalCloud
answers 503 to a share of the calls, or is down altogether, and the default breaker of an
installed session is watched from outside (refused calls, requests that reached the cloud)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from awsenv import AwsEnv
from botocore.exceptions import BotoCoreError, ClientError

import euca_boto
from euca_boto.testing import LocalCloud

READ = {"Properties": ["dns.enabled"]}
QUICK = {"euca_retry_base_delay": 0.001, "euca_retry_delay": 0.002}


class Clock:
    """The wall clock of one breaker, moved by the test instead of waited for."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def outcome(client: Any) -> str:
    try:
        client.describe_properties(**READ)
    except euca_boto.CircuitOpenError:
        return "refused"
    except (ClientError, BotoCoreError) as error:
        return type(error).__name__
    return "ok"


def requests_at(cloud: LocalCloud, i: int) -> int:
    return sum(1 for r in cloud.endpoint(i).requests if r.action == "DescribeProperties")


def thirty_percent(calls: int, seed: int = 3) -> list[bool]:
    """Which of ``calls`` calls fail: 30 % at random, six of them in a row half way."""
    rng = random.Random(seed)
    middle = set(range(calls // 2 - 1, calls // 2 + 7))
    failing = set(range(calls // 2, calls // 2 + 6))
    failing |= set(rng.sample(sorted(set(range(calls)) - middle), calls * 3 // 10 - 6))
    return [i in failing for i in range(calls)]


def test_a_service_failing_thirty_percent_of_calls_keeps_its_breaker_closed(
    cloud: LocalCloud, profile: str
) -> None:
    # Retries off: every 503 reaches the breaker as a failed call.
    euprop = euca_boto.session(profile, euca_retry_max_attempts=1).client("euprop")
    pattern = thirty_percent(600)
    results = []
    for fails in pattern:
        if fails:
            cloud.endpoint(0).fail(503, count=1)
        results.append(outcome(euprop))
    assert results.count("refused") == 0
    assert results.count("ClientError") == sum(pattern) == 180
    assert euprop.breaker.info().state == "closed"


def test_a_service_failing_every_call_opens_its_breaker_within_the_window(
    cloud: LocalCloud, profile: str
) -> None:
    euprop = euca_boto.session(profile, euca_retry_max_attempts=1).client("euprop")
    cloud.endpoint(0).fail(503, count=10**6)
    results = [outcome(euprop) for _ in range(40)]
    # The default window: at least 20 calls, half of them failed.
    assert results == ["ClientError"] * 20 + ["refused"] * 20
    assert requests_at(cloud, 0) == 20  # the refused calls sent nothing


@pytest.fixture
def every_endpoint(cloud: LocalCloud, aws_env: AwsEnv) -> Iterator[str]:
    """A fresh profile whose calls go to every endpoint of ``cloud``, failing over."""
    profile = f"p{uuid.uuid4().hex[:8]}"
    urls = ", ".join(e.url for e in cloud.endpoints)
    aws_env.use(*aws_env.write_profile(cloud, profile, f"euca_endpoint_urls = {urls}\n"))
    cloud.clear()
    cloud.clear_requests()
    yield profile
    cloud.clear()


def test_a_call_that_succeeds_by_failover_is_a_success_for_the_breaker(
    cloud: LocalCloud, every_endpoint: str
) -> None:
    # Short ejections: the failing endpoint is tried again every 50 ms, and failed over from.
    # Without a retry budget: each failover from a 503 reached a server and costs a token, and
    # on a machine slow enough that every call outlasts the ejection, the budget's ten tokens
    # and a fifth of the successes run out before the 60 calls do (its own tests cover that).
    session = euca_boto.session(every_endpoint, euca_eject_time=0.05, euca_eject_max_time=0.05,
                                euca_retry_budget=False, **QUICK)
    euprop = session.client("euprop")
    cloud.endpoint(1).fail(503, count=10**6)
    assert [outcome(euprop) for _ in range(60)] == ["ok"] * 60
    info = euprop.breaker.info()
    assert (info.state, info.calls, info.failure_rate) == ("closed", 60, 0.0)
    # ... and a failure for the endpoint it failed over from, every time it was tried.
    [row] = [r for r in euca_boto.selector_of(session).rows("euprop")
             if r.endpoint.url.startswith(cloud.endpoint(1).url)]
    assert row.health.failures == requests_at(cloud, 1) > 0
    assert row.health.last_error == "HTTP 503"


def test_with_every_endpoint_down_the_breaker_opens_then_recovers_with_one_probe(
    cloud: LocalCloud, every_endpoint: str
) -> None:
    euprop = euca_boto.session(every_endpoint, **QUICK).client("euprop")
    clock = Clock(euprop.breaker.clock())
    euprop.breaker.clock = clock
    for endpoint in cloud.endpoints:
        endpoint.stop()
    try:
        results = [outcome(euprop) for _ in range(25)]
    finally:
        for endpoint in cloud.endpoints:
            endpoint.start()
    assert results == ["EndpointConnectionError"] * 20 + ["refused"] * 5
    cloud.clear_requests()
    # Back up, but the breaker does not know yet: until its reset timeout it refuses.
    assert outcome(euprop) == "refused"
    clock.now += euprop.breaker.config.reset_timeout
    assert outcome(euprop) == "ok"  # the probe
    assert euprop.breaker.info().state == "closed"
    assert [outcome(euprop) for _ in range(5)] == ["ok"] * 5
    assert sum(requests_at(cloud, i) for i in range(len(cloud.endpoints))) == 6


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("euca_breaker_failure_rate", "150", "a percentage above 0 and at most 100"),
    ("euca_breaker_window", "100", "a number of calls such as 100 calls, or a duration"),
])
def test_a_bad_window_setting_is_one_line_naming_the_range(
    profile: str, key: str, value: str, expected: str
) -> None:
    with pytest.raises(euca_boto.ConfigError) as raised:
        euca_boto.session(profile, **{key: value})
    message = str(raised.value)
    assert "\n" not in message and f"{key} = {value!r} is not valid; expected {expected}" in message


def test_consecutive_failures_and_a_window_setting_together_are_refused(profile: str) -> None:
    session = euca_boto.session(profile, euca_breaker_fail_max=3, euca_breaker_failure_rate=30)
    with pytest.raises(euca_boto.ConfigError, match="euca_breaker_failure_rate would not apply"):
        session.client("euprop")
