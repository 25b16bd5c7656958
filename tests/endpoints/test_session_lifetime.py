"""Sessions are not kept alive by euca-boto: a session its application has dropped, with its
clients, is freed by the garbage collector, and a background topology updater stops reloading
what only that session used."""

from __future__ import annotations

import gc
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest

import euca_boto
from euca_boto.endpoints import keep_topology_updated
from euca_boto.install import botocore_session_of
from euca_boto.testing import LocalCloud

ROLE = "arn:aws:iam::123456789012:role/operator"


def _use_and_drop(settings: dict[str, Any]) -> weakref.ref[Any]:
    """Make an installed session, use a few of its clients, and return a weak reference."""
    session = euca_boto.session("localcloud", **settings)
    euprop = session.client("euprop")
    euprop.describe_properties(Properties=["dns.enabled"])
    session.client("euserv").describe_services()
    with euca_boto.caller_context(role_arn=ROLE, session_name="lifetime"):
        session.client("ec2").describe_availability_zones()
    return weakref.ref(botocore_session_of(session))


def test_dropped_sessions_and_their_clients_are_freed(
    profile: Callable[..., Path], fresh_cloud: LocalCloud
) -> None:
    profile("euca_topology = describe-services")
    refs = [_use_and_drop({"euca_retry_max_attempts": 1}) for _ in range(8)]
    gc.collect()
    assert [ref for ref in refs if ref() is not None] == []


def test_sessions_of_the_plugin_variable_are_freed(
    profile: Callable[..., Path], fresh_cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Unmodified boto3 code, given the plugin by botocore's plugin variable.
    profile()
    monkeypatch.setenv("BOTOCORE_EXPERIMENTAL__PLUGINS", "euca=euca_boto")
    refs = []
    for _ in range(4):
        session = boto3.Session(profile_name="localcloud")
        zones = session.client("ec2").describe_availability_zones()["AvailabilityZones"]
        assert zones
        refs.append(weakref.ref(session._session))
        del session
    gc.collect()
    assert [ref for ref in refs if ref() is not None] == []
    assert any(r.action == "DescribeAvailabilityZones" for r in fresh_cloud.requests())


def _describe_services_on(cloud: LocalCloud, endpoint: int) -> int:
    return len([r for r in cloud.endpoint(endpoint).requests if r.action == "DescribeServices"])


def test_a_topology_updater_stops_reloading_for_a_dropped_session(
    profile: Callable[..., Path], fresh_cloud: LocalCloud
) -> None:
    profile("euca_topology = describe-services", "euca_topology_refresh = 100ms")
    # Each session reads the topology from its own bootstrap endpoint, which tells their
    # reloads apart on the wire.
    kept = euca_boto.session("localcloud", euca_endpoint=fresh_cloud.endpoint(1).url)
    kept.client("euprop").describe_properties(Properties=["dns.enabled"])
    dropped = _use_and_drop({"euca_endpoint": fresh_cloud.endpoint(0).url})
    gc.collect()
    assert dropped() is None

    with ThreadPoolExecutor(1) as executor:
        updater = keep_topology_updated(executor, tick=0.02)
        try:
            fresh_cloud.clear_requests()
            deadline = time.monotonic() + 5
            while _describe_services_on(fresh_cloud, 1) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            updater.stop()

    assert _describe_services_on(fresh_cloud, 1) >= 3  # the live session's topology is kept fresh
    assert _describe_services_on(fresh_cloud, 0) == 0  # the dropped one's is not reloaded
