"""Fixtures of the retry tests: the module's LocalCloud settled between tests, and a clock whose
sleeps are recorded instead of waited."""

from __future__ import annotations

import pytest
from awsenv import AwsEnv
from retry_helpers import FakeTime, settled

from euca_boto.testing import LocalCloud


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def fresh_cloud(cloud: LocalCloud, aws_env: AwsEnv) -> LocalCloud:
    """The module's cloud with no faults and empty request logs."""
    _clean(cloud)
    return cloud


def _clean(cloud: LocalCloud) -> None:
    cloud.clear()
    for endpoint in cloud.endpoints:
        settled(endpoint)
    cloud.clear_requests()
