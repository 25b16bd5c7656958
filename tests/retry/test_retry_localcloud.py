"""The retry handler against LocalCloud: injected faults, real sockets on 127.0.0.1, attempt
counts read from LocalCloud's request log, delays read from an injected sleep."""

from __future__ import annotations

import logging
from email.utils import formatdate
from typing import Any

import boto3
import pytest
from awsenv import AwsEnv
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from retry_helpers import FakeTime, installed_session, settled

import euca_boto
from euca_boto import RetryDecision, RetryError, RetryPolicy, configure_retry
from euca_boto.retry import RetryContext, wait_full_jitter
from euca_boto.testing import LocalCloud

pytestmark = pytest.mark.usefixtures("fresh_cloud")

# Real sleeps stay tiny where a test does not inject its own.
QUICK = {"euca_retry_base_delay": 0.001, "euca_retry_delay": 0.002}


def client(cloud: LocalCloud, service: str, fake: FakeTime | None = None, i: int = 0,
           config: Config | None = None, **settings: Any) -> Any:
    made = installed_session(cloud, **settings).client(
        service, endpoint_url=cloud.service_url(service, i), config=config)
    if fake is not None:
        configure_retry(made, sleep=fake.sleep, clock=fake.clock)
    return made


def statuses(cloud: LocalCloud, at_least: int, i: int = 0) -> list[int | None]:
    return [r.status for r in settled(cloud.endpoint(i), at_least)]


# -- which statuses are retried ------------------------------------------------------------------

@pytest.mark.parametrize("status", [408, 413, 429, 500, 502, 503, 504])
def test_each_default_status_is_retried_until_success(cloud: LocalCloud, fake_time: FakeTime,
                                                      status: int) -> None:
    sts = client(cloud, "sts", fake_time)
    # A 413 is a rate limit only when the server names a delay (a plain one is final).
    cloud.endpoint(0).fail(status, count=2, retry_after=0 if status == 413 else None)
    metadata = sts.get_caller_identity()["ResponseMetadata"]
    assert statuses(cloud, 3) == [status, status, 200]
    assert metadata["RetryAttempts"] == 2
    assert metadata["EucaRetry"] == {"Attempts": 3, "Slept": sum(fake_time.sleeps)}
    assert len(fake_time.sleeps) == 2


@pytest.mark.parametrize("status", [400, 403, 404])
def test_unlisted_statuses_are_not_retried(cloud: LocalCloud, fake_time: FakeTime,
                                           status: int) -> None:
    sts = client(cloud, "sts", fake_time)
    cloud.endpoint(0).fail(status, count=2)
    with pytest.raises(ClientError) as raised:
        sts.get_caller_identity()
    assert statuses(cloud, 1) == [status]
    assert fake_time.sleeps == []
    assert raised.value.response["ResponseMetadata"]["EucaRetry"] == {"Attempts": 1,
                                                                      "Slept": 0.0}
    assert "euca-boto retry" not in str(raised.value)  # nothing to tell: one attempt, final


def test_status_codes_are_configurable(cloud: LocalCloud, fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time, euca_retry_status_codes="418")
    cloud.endpoint(0).fail(418)
    sts.get_caller_identity()
    cloud.endpoint(0).fail(503)
    with pytest.raises(ClientError):
        sts.get_caller_identity()
    assert statuses(cloud, 3) == [418, 200, 503]


# -- botocore's handler is replaced, not stacked ---------------------------------------------------

@pytest.mark.parametrize("mode", ["standard", "legacy", "adaptive"])
@pytest.mark.parametrize("max_attempts", [1, 2, 6])
def test_attempts_are_exactly_max_attempts_whatever_botocore_mode(
    cloud: LocalCloud, mode: str, max_attempts: int
) -> None:
    # No configure_retry here: this is the handler install() registers, as is.
    sts = client(cloud, "sts", config=Config(retries={"mode": mode, "total_max_attempts": 4}),
                 euca_retry_max_attempts=max_attempts, **QUICK)
    cloud.endpoint(0).fail(503, count=10)
    with pytest.raises(ClientError) as raised:
        sts.get_caller_identity()
    assert statuses(cloud, max_attempts) == [503] * max_attempts
    metadata = raised.value.response["ResponseMetadata"]
    assert metadata["RetryAttempts"] == max_attempts - 1
    assert metadata["EucaRetry"]["Attempts"] == max_attempts


def test_default_is_six_attempts(cloud: LocalCloud, fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time)
    cloud.endpoint(0).fail(503, count=10)
    with pytest.raises(ClientError) as raised:
        sts.get_caller_identity()
    assert statuses(cloud, 6) == [503] * 6
    retry = raised.value.response["ResponseMetadata"]["EucaRetry"]
    assert retry["StopReason"] == "all 6 attempts failed"
    for attempt in range(1, 6):
        assert retry["History"][attempt - 1].startswith(
            f"{attempt}: HTTP 503 ServiceUnavailable, retried after ")
    assert retry["History"][5] == "6: HTTP 503 ServiceUnavailable"


# -- delays ----------------------------------------------------------------------------------------

def test_fixed_mode_always_sleeps_the_cap(cloud: LocalCloud, fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time, euca_retry_backoff="fixed", euca_retry_delay=10)
    cloud.endpoint(0).fail(503, count=3)
    assert sts.get_caller_identity()["ResponseMetadata"]["EucaRetry"] == {"Attempts": 4,
                                                                         "Slept": 30.0}
    assert fake_time.sleeps == [10.0, 10.0, 10.0]


def test_exponential_mode_draws_below_a_doubling_ceiling(cloud: LocalCloud,
                                                          fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time, euca_retry_base_delay=0.5, euca_retry_delay=3)
    cloud.endpoint(0).fail(503, count=5)
    sts.get_caller_identity()
    ceilings = [0.5, 1.0, 2.0, 3.0, 3.0]
    assert len(fake_time.sleeps) == 5
    assert all(0 <= slept <= cap for slept, cap in zip(fake_time.sleeps, ceilings, strict=True))


def test_exponential_ceilings_with_a_pinned_random_source(cloud: LocalCloud,
                                                          fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time)
    configure_retry(sts, RetryPolicy(
        backoff=wait_full_jitter(0.5, 10, uniform=lambda low, high: high)))
    cloud.endpoint(0).fail(503, count=5)
    sts.get_caller_identity()
    assert fake_time.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0]


def test_retry_after_seconds_is_the_delay(cloud: LocalCloud, fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time, euca_retry_backoff="fixed", euca_retry_delay=1)
    cloud.endpoint(0).fail(503, retry_after=7)
    sts.get_caller_identity()
    assert fake_time.sleeps == [7.0]


def test_retry_after_http_date_is_the_delay(cloud: LocalCloud, fake_time: FakeTime) -> None:
    import time

    sts = client(cloud, "sts", fake_time, euca_retry_backoff="fixed", euca_retry_delay=1)
    cloud.endpoint(0).fail(429, retry_after=formatdate(time.time() + 30, usegmt=True))
    sts.get_caller_identity()
    assert len(fake_time.sleeps) == 1
    assert 28.0 <= fake_time.sleeps[0] <= 31.0  # HTTP dates have whole seconds


def test_retry_after_in_the_error_body_is_the_delay(cloud: LocalCloud,
                                                    fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time, euca_retry_backoff="fixed", euca_retry_delay=1)
    body = ('<?xml version="1.0"?><Response><Errors><Error><Code>SlowDown</Code>'
            "<Message>busy</Message><RetryAfter>4</RetryAfter></Error></Errors>"
            "<RequestID>r-1</RequestID></Response>")
    cloud.endpoint(0).fail(503, body=body)
    sts.get_caller_identity()
    assert fake_time.sleeps == [4.0]


def test_retry_after_is_cut_to_its_maximum(cloud: LocalCloud, fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time, euca_retry_deadline="none")
    cloud.endpoint(0).fail(503, count=2, retry_after=3600)
    sts.get_caller_identity()
    assert fake_time.sleeps == [60.0, 60.0]

    short = client(cloud, "sts", fake_time, euca_retry_after_max="5s")
    cloud.endpoint(0).fail(503, retry_after=3600)
    short.get_caller_identity()
    assert fake_time.sleeps[2:] == [5.0]


def test_no_retry_starts_that_would_end_after_the_deadline(cloud: LocalCloud,
                                                            fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time, euca_retry_backoff="fixed", euca_retry_delay=1,
                 euca_retry_deadline=3)
    cloud.endpoint(0).fail(503, count=10)
    with pytest.raises(ClientError) as raised:
        sts.get_caller_identity()
    # Retries after 0, 1 and 2 s end by 3 s; a fourth would end at 4 s.
    assert fake_time.sleeps == [1.0, 1.0, 1.0]
    assert statuses(cloud, 4) == [503] * 4
    assert raised.value.response["ResponseMetadata"]["EucaRetry"]["StopReason"] == (
        "deadline: a retry after 1 s would end at about 4 s, after the call's deadline of 3 s")


# -- idempotency -----------------------------------------------------------------------------------

def test_mutating_call_is_sent_once_after_a_500(cloud: LocalCloud, fake_time: FakeTime) -> None:
    iam = client(cloud, "iam", fake_time)
    cloud.endpoint(0).fail(500)
    with pytest.raises(ClientError) as raised:
        iam.create_user(UserName="once-after-500")
    assert [(r.action, r.status) for r in settled(cloud.endpoint(0), 1)] == [("CreateUser", 500)]
    assert fake_time.sleeps == []
    assert raised.value.response["ResponseMetadata"]["EucaRetry"]["StopReason"] == (
        "CreateUser may change state and after HTTP 500 InternalError the request may have "
        "taken effect (set euca_retry_non_idempotent = true to retry such calls)")


@pytest.mark.parametrize("status", [408, 413, 429, 503])
def test_mutating_call_is_retried_when_the_server_did_nothing(
    cloud: LocalCloud, fake_time: FakeTime, status: int
) -> None:
    iam = client(cloud, "iam", fake_time)
    cloud.endpoint(0).fail(status, retry_after=0 if status == 413 else None)
    iam.create_user(UserName=f"after-{status}")
    assert [(r.action, r.status) for r in settled(cloud.endpoint(0), 2)] == [
        ("CreateUser", status), ("CreateUser", 200)]


def test_mutating_call_is_retried_after_a_500_when_allowed(cloud: LocalCloud,
                                                           fake_time: FakeTime) -> None:
    iam = client(cloud, "iam", fake_time, euca_retry_non_idempotent="true")
    cloud.endpoint(0).fail(500)
    iam.create_user(UserName="allowed-after-500")
    assert statuses(cloud, 2) == [500, 200]


def test_call_with_an_idempotency_token_is_retried_after_a_500(cloud: LocalCloud,
                                                               fake_time: FakeTime) -> None:
    # CreateVolume has a ClientToken member (like RunInstances), which botocore fills in.
    ec2 = client(cloud, "ec2", fake_time)
    cloud.endpoint(0).fail(500)
    ec2.create_volume(AvailabilityZone=f"{cloud.region}a", Size=1)
    records = settled(cloud.endpoint(0), 2)
    assert [(r.action, r.status) for r in records] == [("CreateVolume", 500),
                                                       ("CreateVolume", 200)]
    assert records[0].params["ClientToken"] == records[1].params["ClientToken"]


def test_mutating_call_is_not_resent_after_a_read_timeout(cloud: LocalCloud,
                                                          fake_time: FakeTime) -> None:
    iam = client(cloud, "iam", fake_time, config=Config(read_timeout=0.3))
    cloud.endpoint(0).latency(0.8)
    with pytest.raises(ReadTimeoutError) as raised:
        iam.create_user(UserName="slow-user")
    assert isinstance(raised.value, RetryError)
    assert raised.value.attempts == 1
    # The server did create the user, late: exactly why the call must not be resent.
    assert [(r.action, r.status) for r in settled(cloud.endpoint(0), 1)] == [("CreateUser", 200)]


def test_read_timeout_of_a_read_only_call_is_retried(cloud: LocalCloud,
                                                     fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time, config=Config(read_timeout=0.3),
                 euca_retry_max_attempts=2)
    cloud.endpoint(0).latency(0.8)
    with pytest.raises(ReadTimeoutError) as raised:
        sts.get_caller_identity()
    assert isinstance(raised.value, RetryError) and raised.value.attempts == 2
    assert "2 attempts, stopped: all 2 attempts failed; 1: read timeout (ReadTimeoutError)" \
        in raised.value.report()
    assert len(settled(cloud.endpoint(0), 2)) == 2


def test_reset_connection_of_a_read_only_call_is_retried(cloud: LocalCloud,
                                                         fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time)
    cloud.endpoint(0).reset(count=2)
    assert sts.get_caller_identity()["ResponseMetadata"]["EucaRetry"]["Attempts"] == 3
    assert statuses(cloud, 3) == [None, None, 200]


def test_refused_connection_of_a_mutating_call_is_retried(cloud: LocalCloud) -> None:
    endpoint = cloud.endpoint(0)
    slept: list[float] = []

    def sleep_then_heal(seconds: float) -> None:
        slept.append(seconds)
        endpoint.start()

    iam = client(cloud, "iam")
    configure_retry(iam, sleep=sleep_then_heal)
    endpoint.stop()
    iam.create_user(UserName="after-refused")
    assert len(slept) == 1
    assert [(r.action, r.status) for r in settled(endpoint, 1)] == [("CreateUser", 200)]


def test_connection_error_after_the_last_attempt_tells_the_history(cloud: LocalCloud,
                                                                   fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time, euca_retry_max_attempts=3)
    cloud.endpoint(0).stop()
    with pytest.raises(EndpointConnectionError) as raised:
        sts.get_caller_identity()
    error = raised.value
    assert isinstance(error, RetryError) and isinstance(error, euca_boto.EucaBotoError)
    assert error.attempts == 3
    assert [record.reason for record in error.history] == [
        "connection failed (EndpointConnectionError)"] * 3
    assert error.report().startswith(
        "euca-boto retry: 3 attempts, stopped: all 3 attempts failed; 1: connection failed "
        "(EndpointConnectionError), retried after ")


def test_giving_up_raises_the_botocore_error_on_every_supported_python(
    cloud: LocalCloud, fake_time: FakeTime
) -> None:
    # Python 3.10 has no BaseException.add_note: the history's note must not need it.
    sts = client(cloud, "sts", fake_time, euca_retry_max_attempts=2)
    cloud.endpoint(0).stop()
    with pytest.raises(EndpointConnectionError) as raised:
        sts.get_caller_identity()
    assert raised.value.__notes__ == [raised.value.report()]
    assert str(raised.value).startswith('Could not connect to the endpoint URL: "http://127.0.0.1:')


# -- budget ----------------------------------------------------------------------------------------

def test_a_spent_budget_surfaces_the_error_at_once(cloud: LocalCloud, fake_time: FakeTime) -> None:
    # No deposits: the reserve, one retry a second over the last 10 s, is all there is.
    session = installed_session(cloud, euca_retry_budget_percent=0, euca_retry_budget_min_rate=1)
    first, second = (session.client("sts", endpoint_url=cloud.service_url("sts", 1))
                     for _ in range(2))
    for made in (first, second):
        configure_retry(made, sleep=fake_time.sleep, clock=fake_time.clock)
    cloud.endpoint(1).fail(503, count=100)
    attempts = []
    for made in (first, first, second):
        with pytest.raises(ClientError) as raised:
            made.get_caller_identity()
        attempts.append(raised.value.response["ResponseMetadata"]["EucaRetry"]["Attempts"])
    # Two calls of 5 retries spend the 10 tokens; the budget is the service's, shared by its
    # clients.
    assert attempts == [6, 6, 1]
    assert statuses(cloud, 13, i=1) == [503] * 13
    assert raised.value.response["ResponseMetadata"]["EucaRetry"]["StopReason"].startswith(
        "the retry budget of sts is spent (retries that reach a server are limited to 0 % of "
        "the successful calls plus 1 a second, over the last 10 s)")


def test_successes_fill_the_budget(cloud: LocalCloud, fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time, euca_retry_budget_percent=50,
                 euca_retry_budget_min_rate=0)
    cloud.endpoint(0).fail(503, count=1)
    with pytest.raises(ClientError):  # no reserve, no successes yet: no retry
        sts.get_caller_identity()
    for _ in range(10):  # half a token each
        sts.get_caller_identity()
    cloud.endpoint(0).fail(503, count=5)
    assert sts.get_caller_identity()["ResponseMetadata"]["EucaRetry"]["Attempts"] == 6
    cloud.endpoint(0).fail(503, count=1)
    with pytest.raises(ClientError):  # the last success's half token cannot pay for one
        sts.get_caller_identity()
    assert statuses(cloud, 18) == [503] + [200] * 10 + [503] * 5 + [200, 503]


def test_a_busy_service_may_retry_in_bursts_as_large_as_its_share(
    cloud: LocalCloud, fake_time: FakeTime
) -> None:
    sts = client(cloud, "sts", fake_time)  # the defaults: 20 %, one a second
    for _ in range(100):
        sts.get_caller_identity()
    # A moment when 25 calls in a row meet a 503 once each: 20 tokens from the successes and
    # the reserve of 10 pay for every retry.
    retried = []
    for _ in range(25):
        cloud.endpoint(0).fail(503, count=1)
        retried.append(sts.get_caller_identity()["ResponseMetadata"]["EucaRetry"]["Attempts"])
    assert retried == [2] * 25


def test_retries_after_a_connection_never_made_cost_nothing(cloud: LocalCloud,
                                                           fake_time: FakeTime) -> None:
    session = installed_session(cloud, euca_retry_budget_percent=0, euca_retry_budget_min_rate=1)
    sts = session.client("sts", endpoint_url=cloud.service_url("sts", 1))
    configure_retry(sts, sleep=fake_time.sleep, clock=fake_time.clock)
    cloud.endpoint(1).stop()
    for _ in range(5):  # 25 retries, against a budget of 10
        with pytest.raises(EndpointConnectionError) as raised:
            sts.get_caller_identity()
        assert isinstance(raised.value, RetryError) and raised.value.attempts == 6
    cloud.endpoint(1).start()
    cloud.endpoint(1).fail(503, count=100)
    with pytest.raises(ClientError) as answered:
        sts.get_caller_identity()  # the budget is whole: retries after answers spend it
    assert answered.value.response["ResponseMetadata"]["EucaRetry"]["Attempts"] == 6


# -- overrides, custom policies, reporting --------------------------------------------------------

def test_service_block_of_the_profile_overrides_the_profile(
    cloud: LocalCloud, aws_env: AwsEnv, fake_time: FakeTime
) -> None:
    profile = cloud.profile_text("euca").replace(
        "[services euca]",
        "euca_breaker = false\neuca_retry_max_attempts = 4\n"
        "sts =\n    euca_retry_max_attempts = 2\n\n[services euca]")
    aws_env.config.write_text(profile)
    aws_env.credentials.write_text(cloud.credentials_text("euca"))
    session = euca_boto.session(profile_name="euca")
    sts = session.client("sts", endpoint_url=cloud.service_url("sts"))
    iam = session.client("iam", endpoint_url=cloud.service_url("iam"))
    for made in (sts, iam):
        configure_retry(made, sleep=fake_time.sleep, clock=fake_time.clock)
    cloud.endpoint(0).fail(503, count=100)
    with pytest.raises(ClientError):
        sts.get_caller_identity()
    with pytest.raises(ClientError):
        iam.list_users()
    actions = [r.action for r in settled(cloud.endpoint(0), 6)]
    assert actions == ["GetCallerIdentity"] * 2 + ["ListUsers"] * 4


def test_one_client_can_be_overridden_from_python(cloud: LocalCloud,
                                                  fake_time: FakeTime) -> None:
    session = installed_session(cloud, euca_retry_backoff="fixed", euca_retry_delay=2)
    url = cloud.service_url("sts")
    changed, unchanged = (session.client("sts", endpoint_url=url) for _ in range(2))
    configure_retry(changed, sleep=fake_time.sleep, clock=fake_time.clock,
                    euca_retry_max_attempts=2)
    configure_retry(unchanged, sleep=fake_time.sleep, clock=fake_time.clock)
    cloud.endpoint(0).fail(503, count=4)
    with pytest.raises(ClientError):
        changed.get_caller_identity()
    unchanged.get_caller_identity()
    assert statuses(cloud, 5) == [503, 503, 503, 503, 200]
    assert fake_time.sleeps == [2.0, 2.0, 2.0]  # the session's fixed 2 s kept by both


def test_a_custom_policy_is_used(cloud: LocalCloud, fake_time: FakeTime) -> None:
    seen: list[tuple[str, int, int | None]] = []

    class OneQuickRetry:
        def decide(self, ctx: RetryContext) -> RetryDecision:
            seen.append((ctx.operation, ctx.attempt, ctx.status))
            if ctx.failed and ctx.attempt == 1:
                return RetryDecision.retry_in(0.25, "one quick retry")
            return RetryDecision.stop("enough")

    sts = client(cloud, "sts", fake_time)
    configure_retry(sts, OneQuickRetry())
    cloud.endpoint(0).fail(500, count=5)
    with pytest.raises(ClientError) as raised:
        sts.get_caller_identity()
    assert seen == [("GetCallerIdentity", 1, 500), ("GetCallerIdentity", 2, 500)]
    assert fake_time.sleeps == [0.25]
    assert raised.value.response["ResponseMetadata"]["EucaRetry"]["History"][0] == (
        "1: HTTP 500 InternalError, retried after 0.25 s (one quick retry)")


def test_a_plain_boto3_client_can_use_the_policy(cloud: LocalCloud,
                                                 fake_time: FakeTime) -> None:
    plain = boto3.session.Session(
        region_name=cloud.region, aws_access_key_id=cloud.access_key,
        aws_secret_access_key=cloud.secret_key,
    ).client("sts", endpoint_url=cloud.service_url("sts"))
    configure_retry(plain, sleep=fake_time.sleep, clock=fake_time.clock,
                    euca_retry_max_attempts=5)
    cloud.endpoint(0).fail(503, count=10)
    with pytest.raises(ClientError):
        plain.get_caller_identity()
    assert statuses(cloud, 5) == [503] * 5  # botocore's standard mode alone would stop at 3


def test_reinstalling_with_new_settings_applies_to_new_clients(cloud: LocalCloud) -> None:
    session = installed_session(cloud, euca_retry_max_attempts=4, **QUICK)
    session.client("sts", endpoint_url=cloud.service_url("sts"))
    euca_boto.install(session, euca_retry_max_attempts=2, **QUICK)
    sts = session.client("sts", endpoint_url=cloud.service_url("sts"))
    cloud.endpoint(0).fail(503, count=10)
    with pytest.raises(ClientError):
        sts.get_caller_identity()
    assert statuses(cloud, 2) == [503, 503]


def test_state_is_fresh_for_every_call(cloud: LocalCloud, fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time, euca_retry_backoff="fixed", euca_retry_delay=1)
    cloud.endpoint(0).fail(503, count=2)
    assert sts.get_caller_identity()["ResponseMetadata"]["EucaRetry"] == {"Attempts": 3,
                                                                         "Slept": 2.0}
    assert sts.get_caller_identity()["ResponseMetadata"]["EucaRetry"] == {"Attempts": 1,
                                                                         "Slept": 0.0}


def test_each_retry_is_logged(cloud: LocalCloud, fake_time: FakeTime,
                              caplog: pytest.LogCaptureFixture) -> None:
    sts = client(cloud, "sts", fake_time, euca_retry_backoff="fixed", euca_retry_delay=1.5)
    cloud.endpoint(0).fail(503, count=2)
    with caplog.at_level(logging.INFO, logger="euca_boto.retry"):
        sts.get_caller_identity()
    records = [r for r in caplog.records if r.name == "euca_boto.retry"]
    assert [r.getMessage() for r in records] == [
        f"sts GetCallerIdentity attempt {n} failed: HTTP 503 ServiceUnavailable; "
        f"retrying in 1.500 s (backoff)" for n in (1, 2)
    ]
    assert [(r.euca_service, r.euca_operation, r.euca_attempt, r.euca_reason, r.euca_delay)
            for r in records] == [
        ("sts", "GetCallerIdentity", n, "HTTP 503 ServiceUnavailable", 1.5) for n in (1, 2)]
