"""What the server says and what the caller gets back: 413 and Retry-After honoured as the server
means them, the server's error text kept intact, the attempt history beside it, errors that
cross process boundaries, and malformed answers. Real sockets to LocalCloud on 127.0.0.1."""

from __future__ import annotations

import logging
import pickle
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError
from retry_helpers import FakeTime, installed_session, settled

import euca_boto
from euca_boto import RetryError, configure_retry
from euca_boto.testing import LocalCloud

pytestmark = pytest.mark.usefixtures("fresh_cloud")


def client(cloud: LocalCloud, service: str, fake: FakeTime, i: int = 0, **settings: Any) -> Any:
    made = installed_session(cloud, **settings).client(
        service, endpoint_url=cloud.service_url(service, i))
    configure_retry(made, sleep=fake.sleep, clock=fake.clock)
    return made


def sent(cloud: LocalCloud, at_least: int, i: int = 0) -> list[tuple[str, int | None]]:
    return [(r.action, r.status) for r in settled(cloud.endpoint(i), at_least)]


# -- 413: a payload too large does not get smaller -------------------------------------------------

def test_a_plain_413_is_never_resent_for_a_mutating_call(cloud: LocalCloud,
                                                         fake_time: FakeTime) -> None:
    iam = client(cloud, "iam", fake_time)
    cloud.endpoint(0).fail(413, count=5)
    with pytest.raises(ClientError) as raised:
        iam.create_user(UserName="too-large")
    assert sent(cloud, 1) == [("CreateUser", 413)]
    assert fake_time.sleeps == []
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413


def test_a_plain_413_is_not_retried_for_a_read_either(cloud: LocalCloud,
                                                      fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time)
    cloud.endpoint(0).fail(413, count=5)
    with pytest.raises(ClientError):
        sts.get_caller_identity()
    assert sent(cloud, 1) == [("GetCallerIdentity", 413)]


def test_a_413_with_retry_after_is_a_rate_limit_and_is_retried(cloud: LocalCloud,
                                                               fake_time: FakeTime) -> None:
    iam = client(cloud, "iam", fake_time)
    cloud.endpoint(0).fail(413, retry_after=2)
    iam.create_user(UserName="rate-limited")
    assert sent(cloud, 2) == [("CreateUser", 413), ("CreateUser", 200)]
    assert fake_time.sleeps == [2.0]


# -- Retry-After bounds the backoff from below -----------------------------------------------------

def test_retry_after_zero_does_not_turn_the_backoff_off(cloud: LocalCloud,
                                                        fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time, euca_retry_backoff="fixed", euca_retry_delay=3)
    cloud.endpoint(0).fail(503, count=2, retry_after=0)
    sts.get_caller_identity()
    assert fake_time.sleeps == [3.0, 3.0]


def test_a_retry_after_longer_than_the_backoff_wins(cloud: LocalCloud,
                                                    fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time, euca_retry_backoff="fixed", euca_retry_delay=3)
    cloud.endpoint(0).fail(503, retry_after=8)
    sts.get_caller_identity()
    assert fake_time.sleeps == [8.0]


def test_the_cap_limits_the_server_delay_not_the_backoff(cloud: LocalCloud,
                                                         fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time, euca_retry_backoff="fixed", euca_retry_delay=3,
                 euca_retry_after_max=1)
    cloud.endpoint(0).fail(503, retry_after=3600)
    sts.get_caller_identity()
    assert fake_time.sleeps == [3.0]


# -- the server's message stays the server's -------------------------------------------------------

def test_the_server_error_message_is_not_rewritten(cloud: LocalCloud,
                                                   fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time, euca_retry_max_attempts=3)
    cloud.endpoint(0).fail(503, count=10)
    with pytest.raises(ClientError) as raised:
        sts.get_caller_identity()
    error = raised.value.response["Error"]
    assert error["Message"] == "Injected fault: HTTP 503 from LocalCloud endpoint 0"
    assert "euca-boto retry" not in str(raised.value)
    retry = raised.value.response["ResponseMetadata"]["EucaRetry"]
    assert retry["Attempts"] == 3
    assert retry["StopReason"] == "all 3 attempts failed"
    assert retry["History"][0].startswith("1: HTTP 503 ServiceUnavailable, retried after ")
    assert retry["History"][-1] == "3: HTTP 503 ServiceUnavailable"


def test_the_story_of_a_failed_call_is_logged(cloud: LocalCloud, fake_time: FakeTime,
                                             caplog: pytest.LogCaptureFixture) -> None:
    sts = client(cloud, "sts", fake_time, euca_retry_max_attempts=2)
    cloud.endpoint(0).fail(503, count=10)
    with caplog.at_level(logging.INFO, logger="euca_boto.retry"), pytest.raises(ClientError):
        sts.get_caller_identity()
    last = [r.getMessage() for r in caplog.records if r.name == "euca_boto.retry"][-1]
    assert last.startswith("sts GetCallerIdentity attempt 2 failed: HTTP 503 "
                           "ServiceUnavailable; giving up: all 2 attempts failed")


def refused_twice(cloud: LocalCloud, fake_time: FakeTime) -> BaseException:
    """The error of a call whose two attempts found endpoint 0 stopped."""
    sts = client(cloud, "sts", fake_time, euca_retry_max_attempts=2)
    cloud.endpoint(0).stop()
    try:
        with pytest.raises(EndpointConnectionError) as raised:
            sts.get_caller_identity()
    finally:
        cloud.endpoint(0).start()
    return raised.value


def test_a_connection_error_keeps_its_text_and_carries_its_history(
        cloud: LocalCloud, fake_time: FakeTime) -> None:
    error = refused_twice(cloud, fake_time)
    assert str(error) == f'Could not connect to the endpoint URL: "{cloud.service_url("sts")}"'
    assert isinstance(error, RetryError) and error.attempts == 2
    assert error.__notes__ == [error.report()]
    assert error.report().startswith("euca-boto retry: 2 attempts, stopped: all 2 attempts "
                                     "failed; 1: connection failed (EndpointConnectionError)")


# -- errors cross process boundaries ---------------------------------------------------------------

def _call_a_stopped_endpoint(url: str, region: str, key: str, secret: str) -> None:
    """Runs in a worker process: raises the call's RetryError."""
    session = euca_boto.session(region_name=region, aws_access_key_id=key,
                                aws_secret_access_key=secret, euca_breaker=False,
                                euca_retry_max_attempts=2, euca_retry_base_delay=0.001,
                                euca_retry_delay=0.001)
    session.client("sts", endpoint_url=url).get_caller_identity()


def test_a_retry_error_survives_a_pickle_round_trip(cloud: LocalCloud,
                                                    fake_time: FakeTime) -> None:
    error = refused_twice(cloud, fake_time)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert isinstance(again, EndpointConnectionError) and isinstance(again, RetryError)
    assert isinstance(error, RetryError)
    assert str(again) == str(error)
    assert (again.attempts, again.history, again.stop_reason) == (
        error.attempts, error.history, error.stop_reason)
    assert again.kwargs["endpoint_url"] == error.kwargs["endpoint_url"]
    assert again.__notes__ == error.__notes__


def test_a_process_pool_raises_the_real_retry_error(cloud: LocalCloud) -> None:
    url = cloud.service_url("sts", 1)
    cloud.endpoint(1).stop()
    try:
        with ProcessPoolExecutor(1) as pool:
            future = pool.submit(_call_a_stopped_endpoint, url, cloud.region,
                                 cloud.access_key, cloud.secret_key)
            with pytest.raises(EndpointConnectionError) as raised:
                future.result(timeout=60)
    finally:
        cloud.endpoint(1).start()
    assert isinstance(raised.value, RetryError)
    assert raised.value.attempts == 2
    assert str(raised.value) == f'Could not connect to the endpoint URL: "{url}"'


def test_a_read_timeout_retry_error_pickles(cloud: LocalCloud, fake_time: FakeTime) -> None:
    from botocore.config import Config

    sts = installed_session(cloud).client("sts", endpoint_url=cloud.service_url("sts"),
                                          config=Config(read_timeout=0.2))
    configure_retry(sts, sleep=fake_time.sleep, clock=fake_time.clock,
                    euca_retry_max_attempts=2)
    cloud.endpoint(0).latency(0.6)
    with pytest.raises(ReadTimeoutError) as raised:
        sts.get_caller_identity()
    cloud.endpoint(0).clear()
    settled(cloud.endpoint(0), 2)  # both held requests answered, so none lands in a later test
    again = pickle.loads(pickle.dumps(raised.value))
    assert isinstance(again, ReadTimeoutError) and isinstance(again, RetryError)
    assert str(again) == str(raised.value)


# -- malformed answers -----------------------------------------------------------------------------

def test_a_malformed_answer_to_a_read_is_retried(cloud: LocalCloud,
                                                 fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time)
    cloud.endpoint(0).malformed(count=2)
    identity = sts.get_caller_identity()
    assert identity["Account"]
    assert identity["ResponseMetadata"]["EucaRetry"]["Attempts"] == 3
    assert len(settled(cloud.endpoint(0), 3)) == 3


def test_a_malformed_answer_escapes_in_the_documented_vocabulary(cloud: LocalCloud,
                                                                 fake_time: FakeTime) -> None:
    sts = client(cloud, "sts", fake_time, euca_retry_max_attempts=2)
    cloud.endpoint(0).malformed(count=5)
    with pytest.raises((ClientError, BotoCoreError)) as raised:
        sts.get_caller_identity()
    error = raised.value
    assert isinstance(error, euca_boto.MalformedResponseError)
    assert isinstance(error, BotoCoreError) and isinstance(error, euca_boto.EucaBotoError)
    assert isinstance(error, ResponseParserError)  # what botocore raised before, still caught
    assert error.operation == "GetCallerIdentity" and error.status == 200
    assert error.attempts == 2
    assert "Unable to parse response" in str(error)
    assert len(settled(cloud.endpoint(0), 2)) == 2
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error) and again.attempts == 2


def test_a_malformed_answer_to_a_mutating_call_is_not_resent(cloud: LocalCloud,
                                                             fake_time: FakeTime) -> None:
    iam = client(cloud, "iam", fake_time)
    cloud.endpoint(0).malformed(count=5)
    with pytest.raises(euca_boto.MalformedResponseError) as raised:
        iam.create_user(UserName="answered-badly")
    assert sent(cloud, 1) == [("CreateUser", 200)]
    assert "may have taken effect" in raised.value.stop_reason
