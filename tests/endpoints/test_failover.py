"""Static endpoints against LocalCloud's three endpoints: spread, failover, ejection and
re-admission, over real sockets."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from euca_boto.endpoints import State, selector_of
from euca_boto.testing import LocalCloud


def hits(cloud: LocalCloud) -> list[int]:
    return [len(e.requests) for e in cloud.endpoints]


def urls(cloud: LocalCloud) -> str:
    return ", ".join(e.url for e in cloud.endpoints)


def prop_url(cloud: LocalCloud, i: int) -> str:
    return cloud.service_url("euprop", i)


@pytest.fixture
def three(profile: Callable[..., Path], fresh_cloud: LocalCloud,
          make_session: Callable[..., Any]) -> Any:
    """A session whose profile lists the cloud's three endpoints."""
    profile(f"euca_endpoint_urls = {urls(fresh_cloud)}")
    return make_session()


def call(client: Any) -> str:
    return str(client.describe_properties(Properties=["dns.enabled"])["Properties"][0]["Name"])


def test_calls_are_spread_across_the_endpoints(three: Any, fresh_cloud: LocalCloud) -> None:
    euprop = three.client("euprop")
    assert [call(euprop) for _ in range(6)] == ["dns.enabled"] * 6
    assert hits(fresh_cloud) == [2, 2, 2]


def test_stopping_an_endpoint_mid_run_fails_no_call(
    three: Any, fresh_cloud: LocalCloud, caplog: pytest.LogCaptureFixture
) -> None:
    euprop = three.client("euprop")
    caplog.set_level(logging.INFO, logger="euca_boto.endpoints")
    results = [call(euprop) for _ in range(3)]
    fresh_cloud.endpoint(1).stop()
    results += [call(euprop) for _ in range(9)]
    assert results == ["dns.enabled"] * 12
    assert hits(fresh_cloud)[1] == 1  # only the call before it stopped
    assert sum(hits(fresh_cloud)) == 12
    health = selector_of(three).board.health(prop_url(fresh_cloud, 1))
    assert health.state is State.EJECTED and health.failures == 1
    assert f"euprop endpoint {prop_url(fresh_cloud, 1)} failed (EndpointConnectionError" in (
        caplog.text)
    assert f"the next attempt goes to {prop_url(fresh_cloud, 2)}" in caplog.text


def test_a_black_holed_endpoint_costs_only_the_first_call_its_timeout(
    three: Any, fresh_cloud: LocalCloud
) -> None:
    # One second: long enough that a healthy endpoint on a busy machine is never taken for a
    # black hole too (0.3 s was not, with three suites on two cores).
    euprop = three.client("euprop", config=Config(read_timeout=1.0, connect_timeout=1.0))
    fresh_cloud.endpoint(0).blackhole()
    answers = [euprop.describe_properties(Properties=["dns.enabled"]) for _ in range(7)]
    assert [a["ResponseMetadata"]["RetryAttempts"] for a in answers] == [1, 0, 0, 0, 0, 0, 0]
    assert sum(hits(fresh_cloud)[1:]) == 7  # every answer came from the other two
    health = selector_of(three).board.health(prop_url(fresh_cloud, 0))
    assert health.state is State.EJECTED
    assert (health.last_error or "").startswith("ReadTimeoutError")


def test_a_retriable_5xx_moves_the_call_and_ejects_the_endpoint(
    three: Any, fresh_cloud: LocalCloud
) -> None:
    euprop = three.client("euprop")
    fresh_cloud.endpoint(0).fail(503)
    answer = euprop.describe_properties(Properties=["dns.enabled"])
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    assert [r.status for r in fresh_cloud.endpoint(0).requests] == [503]
    assert [r.status for r in fresh_cloud.endpoint(1).requests] == [200]
    board = selector_of(three).board
    assert board.health(prop_url(fresh_cloud, 0)).last_error == "HTTP 503"


def test_a_client_error_leaves_the_endpoint_in_rotation(
    three: Any, fresh_cloud: LocalCloud
) -> None:
    euprop = three.client("euprop")
    fresh_cloud.endpoint(0).fail(400)
    with pytest.raises(ClientError) as caught:
        call(euprop)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert hits(fresh_cloud) == [1, 0, 0]
    board = selector_of(three).board
    assert board.health(prop_url(fresh_cloud, 0)).state is State.HEALTHY


def test_a_recovered_endpoint_is_readmitted_after_a_successful_probe(
    three: Any, fresh_cloud: LocalCloud, clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    euprop = three.client("euprop")
    caplog.set_level(logging.INFO, logger="euca_boto.endpoints")
    fresh_cloud.endpoint(0).stop()
    [call(euprop) for _ in range(4)]
    fresh_cloud.endpoint(0).start()
    [call(euprop) for _ in range(4)]
    assert hits(fresh_cloud)[0] == 0  # still ejected: its 5 s are not over
    clock.advance(5.0)
    call(euprop)
    assert hits(fresh_cloud)[0] == 1  # the probe
    board = selector_of(three).board
    assert board.health(prop_url(fresh_cloud, 0)).state is State.HEALTHY
    assert f"euprop endpoint {prop_url(fresh_cloud, 0)} answered again" in caplog.text
    [call(euprop) for _ in range(6)]
    assert hits(fresh_cloud)[0] == 3


def test_clients_of_one_session_share_endpoint_health(
    three: Any, fresh_cloud: LocalCloud
) -> None:
    first, second = three.client("euprop"), three.client("euprop")
    fresh_cloud.endpoint(0).stop()
    call(first)  # fails over from endpoint 0 and ejects it
    rows = selector_of(three).rows("euprop")
    assert [r.endpoint.url for r in rows][-1] == prop_url(fresh_cloud, 0)
    assert rows[-1].health.state is State.EJECTED
    assert [call(second) for _ in range(4)] == ["dns.enabled"] * 4
    assert sum(hits(fresh_cloud)) == 5


def test_threads_sharing_a_client_all_succeed_while_an_endpoint_dies(
    three: Any, fresh_cloud: LocalCloud
) -> None:
    euprop = three.client("euprop")
    results: list[str] = []
    errors: list[BaseException] = []
    started = threading.Barrier(5)

    def worker() -> None:
        started.wait(timeout=10)
        for _ in range(15):
            try:
                results.append(call(euprop))
            except BaseException as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    started.wait(timeout=10)
    fresh_cloud.endpoint(2).stop()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(results) == 60


def test_botocore_services_section_alone_keeps_its_single_endpoint(
    profile: Callable[..., Path], fresh_cloud: LocalCloud, make_session: Callable[..., Any]
) -> None:
    profile()
    session = make_session()
    euprop = session.client("euprop")
    assert euprop.meta.endpoint_url == prop_url(fresh_cloud, 0)
    [call(euprop) for _ in range(3)]
    assert hits(fresh_cloud) == [3, 0, 0]
    assert "euprop" not in selector_of(session).routes


def test_aws_endpoint_url_variable_comes_first_among_static_endpoints(
    profile: Callable[..., Path], fresh_cloud: LocalCloud, make_session: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    profile(f"euca_endpoint_urls = {fresh_cloud.endpoint(0).url}, {fresh_cloud.endpoint(1).url}")
    monkeypatch.setenv("AWS_ENDPOINT_URL_EUPROP", prop_url(fresh_cloud, 2))
    session = make_session()
    euprop = session.client("euprop")
    assert euprop.meta.endpoint_url == prop_url(fresh_cloud, 2)
    rows = selector_of(session).rows("euprop")
    assert [r.endpoint.url for r in rows] == [prop_url(fresh_cloud, i) for i in (2, 0, 1)]
    call(euprop)
    assert hits(fresh_cloud) == [0, 0, 1]


def test_euca_endpoint_alone_gives_admin_clients_their_service_url(
    profile: Callable[..., Path], fresh_cloud: LocalCloud, make_session: Callable[..., Any]
) -> None:
    profile(services_section=False)
    euprop = make_session().client("euprop")
    assert euprop.meta.endpoint_url == prop_url(fresh_cloud, 0)
    assert call(euprop) == "dns.enabled"


def test_an_explicit_endpoint_url_pins_the_client(
    three: Any, fresh_cloud: LocalCloud
) -> None:
    euprop = three.client("euprop", endpoint_url=prop_url(fresh_cloud, 2))
    [call(euprop) for _ in range(4)]
    assert hits(fresh_cloud) == [0, 0, 4]


def test_aws_services_fail_over_too(three: Any, fresh_cloud: LocalCloud) -> None:
    ec2 = three.client("ec2")
    fresh_cloud.endpoint(0).stop()
    regions = [ec2.describe_regions()["Regions"] for _ in range(3)]
    assert all(regions)
    assert hits(fresh_cloud) == [0, 2, 1]


def test_s3_fails_over_with_path_style_urls(three: Any, fresh_cloud: LocalCloud) -> None:
    s3 = three.client("s3")
    s3.create_bucket(Bucket="failover-test")
    fresh_cloud.endpoint(1).stop()
    fresh_cloud.endpoint(2).stop()
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert "failover-test" in names
    last = fresh_cloud.endpoint(0).requests[-1]
    assert (last.method, last.path, last.status) == ("GET", "/services/objectstorage", 200)


def test_a_session_told_to_ignore_configured_endpoints_sends_its_next_clients_to_the_cloud(
    profile: Callable[..., Path], fresh_cloud: LocalCloud, make_session: Callable[..., Any]
) -> None:
    # botocore's configuration can change between two clients of one session
    # (set_config_variable): what the first client's endpoint was computed from is not kept.
    profile(f"euca_endpoint_urls = {fresh_cloud.endpoint(1).url}")
    session = make_session()
    assert session.client("euprop").meta.endpoint_url == prop_url(fresh_cloud, 0)
    session._session.set_config_variable("ignore_configured_endpoint_urls", True)
    euprop = session.client("euprop")
    assert euprop.meta.endpoint_url == prop_url(fresh_cloud, 1)
    assert call(euprop) == "dns.enabled"
    assert hits(fresh_cloud) == [0, 1, 0]
