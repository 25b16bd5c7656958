"""One matrix for every way of calling: the same scenarios, run plainly, through futures,
through ``aio.wrap`` and through aiobotocore, must show their callers the same outcomes, send
the same requests, sleep the same delays and leave breakers and metrics in the same state."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import pytest
from modes import MODES, Call, FakeTime, Mode, Outcome, Step

import euca_boto
from euca_boto.metrics import METRICS
from euca_boto.testing import LocalCloud

pytestmark = pytest.mark.parametrize("mode", MODES)

PROPS = Call("describe_properties", {"Properties": ["dns.enabled"]})
FIXED = {"euca_retry_backoff": "fixed", "euca_retry_delay": 0.5}


def statuses(cloud: LocalCloud, i: int = 0, at_least: int = 0) -> list[int | None]:
    # LocalCloud logs a request just after answering it: wait for the log to settle.
    deadline = time.monotonic() + 3
    records = cloud.endpoint(i).requests
    while time.monotonic() < deadline:
        time.sleep(0.01)
        again = cloud.endpoint(i).requests
        if len(again) >= at_least and len(again) == len(records):
            break
        records = again
    return [r.status for r in cloud.endpoint(i).requests]


# -- retries ---------------------------------------------------------------------------------


def test_retries_until_success_with_the_same_delays(
    mode: Mode, profile: Callable[[str], str], fresh_cloud: LocalCloud
) -> None:
    fake = FakeTime()
    steps: list[Step] = [lambda: fresh_cloud.endpoint(0).fail(503, count=2), PROPS]
    outcomes = mode.run(profile(""), "euprop", steps, fake, euca_breaker=False, **FIXED)
    assert outcomes == [Outcome(None, 200, None, 3)]
    assert fake.sleeps == [0.5, 0.5]
    assert statuses(fresh_cloud, at_least=3) == [503, 503, 200]


def test_a_malformed_answer_is_retried_then_typed_the_same_way(
    mode: Mode, profile: Callable[[str], str], fresh_cloud: LocalCloud
) -> None:
    fake = FakeTime()
    steps: list[Step] = [lambda: fresh_cloud.endpoint(0).malformed(count=2), PROPS,
                         lambda: fresh_cloud.endpoint(0).malformed(count=5), PROPS]
    outcomes = mode.run(profile(""), "euprop", steps, fake, euca_breaker=False,
                        euca_retry_max_attempts=3, **FIXED)
    assert outcomes[0] == Outcome(None, 200, None, 3)
    assert (outcomes[1].error, outcomes[1].status) == ("MalformedResponseError", None)
    assert outcomes[1].message.startswith("DescribeProperties: HTTP 200 answer could not be "
                                          "parsed: ")
    assert statuses(fresh_cloud, at_least=6) == [200] * 6


def test_gives_up_after_max_attempts_and_tells_the_story(
    mode: Mode, profile: Callable[[str], str], fresh_cloud: LocalCloud
) -> None:
    fake = FakeTime()
    steps: list[Step] = [lambda: fresh_cloud.endpoint(0).fail(503, count=5), PROPS]
    [outcome] = mode.run(profile(""), "euprop", steps, fake, euca_breaker=False,
                         euca_retry_max_attempts=3, **FIXED)
    assert (outcome.error, outcome.status, outcome.attempts) == ("ClientError", 503, 3)
    # The server's message, as it sent it; the retry story beside it.
    assert outcome.message.endswith(": Injected fault: HTTP 503 from LocalCloud endpoint 0")
    assert outcome.stopped == "all 3 attempts failed"
    assert fake.sleeps == [0.5, 0.5]
    assert statuses(fresh_cloud, at_least=3) == [503, 503, 503]


def test_the_servers_retry_after_is_the_delay(
    mode: Mode, profile: Callable[[str], str], fresh_cloud: LocalCloud
) -> None:
    fake = FakeTime()
    steps: list[Step] = [lambda: fresh_cloud.endpoint(0).fail(503, retry_after=3), PROPS]
    outcomes = mode.run(profile(""), "euprop", steps, fake, euca_breaker=False, **FIXED)
    assert outcomes == [Outcome(None, 200, None, 2)]
    assert fake.sleeps == [3.0]


def test_a_status_not_listed_is_final_at_once(
    mode: Mode, profile: Callable[[str], str], fresh_cloud: LocalCloud
) -> None:
    fake = FakeTime()
    steps: list[Step] = [lambda: fresh_cloud.endpoint(0).fail(400), PROPS]
    [outcome] = mode.run(profile(""), "euprop", steps, fake, euca_breaker=False, **FIXED)
    assert (outcome.error, outcome.status, outcome.attempts) == ("ClientError", 400, 1)
    assert fake.sleeps == []
    assert statuses(fresh_cloud, at_least=1) == [400]


# -- breakers and metrics --------------------------------------------------------------------


def test_the_breaker_opens_and_refuses_without_traffic(
    mode: Mode, profile: Callable[[str], str], fresh_cloud: LocalCloud
) -> None:
    fake = FakeTime()
    name = profile("")
    steps: list[Step] = [lambda: fresh_cloud.endpoint(0).fail(503, count=2), PROPS, PROPS, PROPS]
    outcomes = mode.run(name, "euprop", steps, fake, euca_retry_max_attempts=1,
                        euca_breaker_fail_max=2)
    assert [(o.error, o.status, o.code) for o in outcomes] == [
        ("ClientError", 503, "ServiceUnavailable"),
        ("ClientError", 503, "ServiceUnavailable"),
        ("CircuitOpenError", None, "CircuitOpen"),
    ]
    breaker = f"{name}/euprop@{fresh_cloud.url.split('://')[1].rstrip('/')}+fail_max=2"
    assert f"circuit breaker '{breaker}' is open" in outcomes[2].message
    assert statuses(fresh_cloud, at_least=2) == [503, 503]
    [info] = euca_boto.breakers()
    assert (info.name, info.state, info.failures) == (breaker, "open", 2)
    metrics = METRICS.get("euprop", "DescribeProperties")
    assert (metrics.calls, metrics.short_circuits) == (2, 1)
    assert metrics.failures == {"http-503": 2}


def test_a_probe_after_the_reset_timeout_closes_the_breaker(
    mode: Mode, profile: Callable[[str], str], fresh_cloud: LocalCloud
) -> None:
    fake = FakeTime()
    steps: list[Step] = [lambda: fresh_cloud.endpoint(0).fail(503), PROPS, PROPS,
             lambda: fake.advance(31), PROPS, PROPS]
    outcomes = mode.run(profile(""), "euprop", steps, fake, euca_retry_max_attempts=1,
                        euca_breaker_fail_max=1, euca_breaker_reset_timeout=30)
    assert [o.error or o.status for o in outcomes] == ["ClientError", "CircuitOpenError",
                                                       200, 200]
    assert statuses(fresh_cloud, at_least=3) == [503, 200, 200]
    assert euca_boto.breakers()[0].state == "closed"


def test_metrics_count_one_call_with_its_retries(
    mode: Mode, profile: Callable[[str], str], fresh_cloud: LocalCloud
) -> None:
    fake = FakeTime()
    steps: list[Step] = [lambda: fresh_cloud.endpoint(0).fail(503, count=2), PROPS]
    mode.run(profile(""), "euprop", steps, fake, **FIXED)
    metrics = METRICS.get("euprop", "DescribeProperties")
    assert (metrics.calls, metrics.retries, metrics.failures) == (1, 2, {})


# -- endpoints, wire log, caller context -----------------------------------------------------


def test_failover_moves_attempts_to_the_live_endpoint(
    mode: Mode, profile: Callable[[str], str], fresh_cloud: LocalCloud
) -> None:
    fake = FakeTime()
    urls = ", ".join(e.url for e in fresh_cloud.endpoints)
    name = profile(f"euca_endpoint_urls = {urls}\n")
    steps: list[Step] = [lambda: fresh_cloud.endpoint(0).fail(503, count=100), *[PROPS] * 4]
    outcomes = mode.run(name, "euprop", steps, fake, euca_breaker=False, **FIXED)
    assert [o.status for o in outcomes] == [200] * 4
    assert statuses(fresh_cloud, 1, at_least=4) == [200] * 4
    # Endpoint 0 failed once, was left out, and every later call went to endpoint 1.
    assert statuses(fresh_cloud, 0) == [503]
    assert sum(o.attempts or 0 for o in outcomes) == 5


def test_wire_log_records_every_attempt_redacted(
    mode: Mode, profile: Callable[[str], str], fresh_cloud: LocalCloud,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="euca_boto.wire")
    fake = FakeTime()
    steps: list[Step] = [lambda: fresh_cloud.endpoint(0).fail(503), PROPS]
    mode.run(profile("euca_wire_log = euprop\n"), "euprop", steps, fake, euca_breaker=False,
             **FIXED)
    records = [r for r in caplog.records if r.name == "euca_boto.wire.euprop"]
    fields = [(r.__dict__["euca_attempt"], r.__dict__["euca_status"]) for r in records]
    assert fields == [(1, 503), (2, 200)]
    text = "\n".join(r.getMessage() for r in records)
    assert "DescribeProperties" in text
    assert fresh_cloud.secret_key not in text
    assert "Signature=<redacted>" in text


def test_caller_context_follows_the_call(
    mode: Mode, profile: Callable[[str], str], fresh_cloud: LocalCloud
) -> None:
    fake = FakeTime()
    steps: list[Step] = [Call("list_users", context={"delegate_account": "acme"}),
                         Call("list_users")]
    outcomes = mode.run(profile(""), "iam", steps, fake, euca_breaker=False,
                        euca_retry_max_attempts=1)
    # Whether the cloud lets this account act as "acme" is not the point: what was sent is.
    assert len(outcomes) == 2 and outcomes[1].status == 200
    statuses(fresh_cloud, at_least=2)
    sent = [r.params.get("DelegateAccount") for r in fresh_cloud.endpoint(0).requests
            if r.action == "ListUsers"]
    assert sent == ["acme", None]
