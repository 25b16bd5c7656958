"""One endpoint dead for good among three: every call succeeds by failover, for as long as the
process runs, and the dead endpoint is tried no more often than its ejection schedule says."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from euca_boto.testing import LocalCloud

READ = {"Properties": ["dns.enabled"]}


@pytest.fixture
def stopped_one(profile: Callable[..., Path], fresh_cloud: LocalCloud) -> LocalCloud:
    """The cloud's three endpoints in the profile, endpoint 1 stopped."""
    profile("euca_endpoint_urls = " + ", ".join(e.url for e in fresh_cloud.endpoints))
    fresh_cloud.endpoint(1).stop()
    return fresh_cloud


def failures(client: Any, calls: int, between: Callable[[], None]) -> list[str]:
    failed = []
    for _ in range(calls):
        between()
        try:
            client.describe_properties(**READ)
        except Exception as error:  # noqa: BLE001 - what fails is what is checked
            failed.append(f"{type(error).__name__}: {error}")
    return failed


def test_failover_from_a_stopped_endpoint_keeps_working_call_after_call(
    stopped_one: LocalCloud, make_session: Callable[..., Any], clock: Any
) -> None:
    # Each call comes after the dead endpoint's ejection is over, so each one probes it first
    # and fails over: as a program calling every few minutes does at the default ejection.
    session = make_session(euca_breaker=False, euca_eject_time=0.05, euca_eject_max_time=0.05)
    failed = failures(session.client("euprop"), 300, lambda: clock.advance(0.06))
    assert failed == [], f"{len(failed)} of 300 calls failed, the first: {failed[0]}"
