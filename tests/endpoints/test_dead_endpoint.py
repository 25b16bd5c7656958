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


def probes_allowed(seconds: float, base: float, cap: float) -> int:
    """How often the ejection schedule lets an endpoint that always fails be tried in
    ``seconds``: once, then once at the end of each ejection period, which doubles from
    ``base`` up to ``cap``."""
    tries, elapsed, period = 1, 0.0, base
    while elapsed + period <= seconds:
        tries, elapsed, period = tries + 1, elapsed + period, min(2 * period, cap)
    return tries


def test_a_dead_endpoint_is_tried_no_more_often_than_its_ejection_schedule(
    profile: Callable[..., Path], fresh_cloud: LocalCloud, make_session: Callable[..., Any],
    clock: Any,
) -> None:
    profile("euca_endpoint_urls = " + ", ".join(e.url for e in fresh_cloud.endpoints))
    fresh_cloud.endpoint(1).reset(count=10**6)  # up, but every request it gets is lost
    session = make_session(euca_eject_time=0.05, euca_eject_max_time=0.4)
    calls, step = 2000, 0.01  # 20 s of the selector's clock
    failed = failures(session.client("euprop"), calls, lambda: clock.advance(step))
    assert failed == [], f"{len(failed)} of {calls} calls failed, the first: {failed[0]}"
    tried = len(fresh_cloud.endpoint(1).requests)
    allowed = probes_allowed(calls * step, 0.05, 0.4)
    assert tried <= allowed
    # ... and no less often: each try waits for the next call, up to one step late (and the
    # first for the call that lands on it), so the schedule slips by a step per try at most.
    assert tried >= probes_allowed((calls - allowed - 3) * step, 0.05, 0.4)
    assert sum(len(e.requests) for e in fresh_cloud.endpoints) == calls + tried
