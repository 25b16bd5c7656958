"""Endpoints from DescribeServices, against LocalCloud's three endpoints in two partitions
(endpoints 0 and 2 in PARTI00, endpoint 1 in PARTI01)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import euca_boto
from euca_boto import ConfigError
from euca_boto.endpoints import keep_topology_updated, selector_of
from euca_boto.endpoints.model import DESCRIBE_SERVICES
from euca_boto.testing import LocalCloud


def hits(cloud: LocalCloud, service: str = "properties") -> list[int]:
    return [len([r for r in e.requests if r.service == service]) for e in cloud.endpoints]


def describe_calls(cloud: LocalCloud) -> list[dict[str, Any]]:
    return [r.params for r in cloud.requests() if r.action == "DescribeServices"]


def call(client: Any) -> str:
    return str(client.describe_properties(Properties=["dns.enabled"])["Properties"][0]["Name"])


@pytest.fixture
def topology_profile(profile: Callable[..., Path]) -> Callable[..., Path]:
    def write(*extra: str) -> Path:
        return profile("euca_topology = describe-services", *extra)

    return write


@pytest.fixture
def described_session(
    topology_profile: Callable[..., Path], make_session: Callable[..., Any]
) -> Any:
    """A session of a profile whose endpoints come from DescribeServices."""
    topology_profile()
    return make_session()


@pytest.fixture
def stale_euprop(described_session: Any, clock: Any) -> Any:
    """A euprop client whose topology was loaded once and has since gone stale (60 s later)."""
    euprop = described_session.client("euprop")
    call(euprop)
    clock.advance(60)
    return euprop


def test_calls_prefer_the_configured_zone(
    topology_profile: Callable[..., Path], fresh_cloud: LocalCloud,
    make_session: Callable[..., Any]
) -> None:
    topology_profile("euca_zone = PARTI01")
    session = make_session()
    euprop = session.client("euprop")
    [call(euprop) for _ in range(4)]
    assert hits(fresh_cloud) == [0, 4, 0]
    rows = selector_of(session).rows("euprop")
    assert [(r.endpoint.partition, r.endpoint.source) for r in rows] == [
        ("PARTI01", DESCRIBE_SERVICES), ("PARTI00", DESCRIBE_SERVICES),
        ("PARTI00", DESCRIBE_SERVICES)]


def test_when_the_zone_fails_the_other_zones_share_the_calls(
    topology_profile: Callable[..., Path], fresh_cloud: LocalCloud,
    make_session: Callable[..., Any]
) -> None:
    topology_profile("euca_zone = PARTI01")
    euprop = make_session().client("euprop")
    call(euprop)
    fresh_cloud.endpoint(1).stop()
    assert [call(euprop) for _ in range(4)] == ["dns.enabled"] * 4
    assert hits(fresh_cloud) == [2, 1, 2]


def test_without_a_zone_every_enabled_endpoint_shares_the_calls(
    topology_profile: Callable[..., Path], fresh_cloud: LocalCloud,
    make_session: Callable[..., Any]
) -> None:
    topology_profile()
    euprop = make_session().client("euprop")
    [call(euprop) for _ in range(6)]
    assert hits(fresh_cloud) == [2, 2, 2]
    assert [p.get("ListAll") for p in describe_calls(fresh_cloud)] == ["true"]


def test_the_topology_follows_an_endpoint_that_stops_and_comes_back(
    described_session: Any, fresh_cloud: LocalCloud, clock: Any
) -> None:
    euprop = described_session.client("euprop")
    selector = selector_of(described_session)
    call(euprop)

    def urls() -> list[str]:
        return sorted(r.endpoint.url for r in selector.rows("euprop"))

    assert len(urls()) == 3
    fresh_cloud.endpoint(2).stop()
    clock.advance(60)
    call(euprop)  # finds the topology stale: the epoch changed, so it is read again
    assert urls() == sorted(fresh_cloud.service_url("euprop", i) for i in (0, 1))
    fresh_cloud.endpoint(2).start()
    clock.advance(60)
    call(euprop)
    assert len(urls()) == 3
    fresh_cloud.clear_requests()
    [call(euprop) for _ in range(3)]
    assert hits(fresh_cloud) == [1, 1, 1]


def test_an_unchanged_epoch_costs_one_small_call(
    stale_euprop: Any, fresh_cloud: LocalCloud
) -> None:
    call(stale_euprop)
    assert [(p.get("ListAll"), p.get("ByServiceType")) for p in describe_calls(fresh_cloud)] == [
        ("true", None), (None, "bootstrap")]


def test_a_dead_bootstrap_endpoint_is_replaced_by_another_from_the_topology(
    described_session: Any, fresh_cloud: LocalCloud, clock: Any
) -> None:
    euprop = described_session.client("euprop")
    call(euprop)
    fresh_cloud.endpoint(0).stop()
    clock.advance(60)
    assert call(euprop) == "dns.enabled"
    rows = selector_of(described_session).rows("euprop")
    assert fresh_cloud.service_url("euprop", 0) not in [r.endpoint.url for r in rows]
    assert [r.endpoint for r in fresh_cloud.requests() if r.action == "DescribeServices"][-1] in (
        1, 2)


def test_a_failed_refresh_keeps_the_last_topology_and_says_so(
    topology_profile: Callable[..., Path], fresh_cloud: LocalCloud,
    make_session: Callable[..., Any], clock: Any, caplog: pytest.LogCaptureFixture
) -> None:
    topology_profile()
    euprop = make_session().client("euprop")
    call(euprop)
    for endpoint in fresh_cloud.endpoints:
        endpoint.fail(500)  # the next request of each: the reload's DescribeServices calls
    clock.advance(60)
    with caplog.at_level(logging.WARNING, logger="euca_boto.endpoints"):
        assert call(euprop) == "dns.enabled"
    bootstrap = fresh_cloud.service_url("euserv", 0)
    assert (f"topology from {bootstrap}: reload failed, keeping the last good answer: "
            f"DescribeServices failed on every bootstrap endpoint: {bootstrap}: ") in caplog.text
    assert "InternalError" in caplog.text


def test_one_caller_reloads_a_stale_topology_while_the_others_go_on(
    stale_euprop: Any, fresh_cloud: LocalCloud
) -> None:
    fresh_cloud.endpoint(0).latency(0.3)  # the bootstrap answers slowly
    barrier = threading.Barrier(4)
    results: list[str] = []

    def worker() -> None:
        barrier.wait(timeout=10)
        results.append(call(stale_euprop))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results == ["dns.enabled"] * 4
    assert len(describe_calls(fresh_cloud)) == 2  # the first load, then one epoch check


def test_describe_services_needs_a_bootstrap_endpoint(tmp_path: Path) -> None:
    (tmp_path / "config").write_text(
        "[profile bare]\nregion = eucalyptus\neuca_topology = describe-services\n")
    with pytest.raises(ConfigError) as caught:
        bare: Any = euca_boto.session("bare")
        bare.client("euprop")
    assert str(caught.value) == (
        "euca_topology = describe-services (file (profile bare)) needs euca_endpoint, the URL "
        "of a host that runs the bootstrap service")


def test_a_background_updater_reloads_without_any_call(
    topology_profile: Callable[..., Path], fresh_cloud: LocalCloud
) -> None:
    topology_profile("euca_topology_refresh = 100ms")
    session: Any = euca_boto.session("localcloud")
    euprop = session.client("euprop")
    call(euprop)
    selector = selector_of(session)
    with ThreadPoolExecutor(1) as executor:
        updater = keep_topology_updated(executor, tick=0.02)
        try:
            fresh_cloud.endpoint(1).stop()
            deadline = time.monotonic() + 5
            while len(selector.rows("euprop")) == 3 and time.monotonic() < deadline:
                time.sleep(0.02)
        finally:
            updater.stop()
    assert sorted(r.endpoint.url for r in selector.rows("euprop")) == sorted(
        fresh_cloud.service_url("euprop", i) for i in (0, 2))
    assert hits(fresh_cloud)[1] <= 1
    assert not updater.running


def test_keep_topology_updated_needs_an_executor() -> None:
    with pytest.raises(TypeError, match="takes a concurrent.futures.Executor"):
        keep_topology_updated(object())  # type: ignore[arg-type]
