"""Fixtures of the retry tests: one LocalCloud per module, and a clock whose sleeps are recorded
instead of waited."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from retry_helpers import FakeTime, settled

from euca_boto.testing import LocalCloud


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(endpoints=2, partitions=1) as started:
        yield started


@pytest.fixture
def aws_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No user AWS files or EUCA_BOTO_ variables leak into a test."""
    config = tmp_path / "config"
    config.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    for name in list(os.environ):
        if name.startswith("EUCA_BOTO_") or name in ("AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS",
                                                     "AWS_PROFILE"):
            monkeypatch.delenv(name)
    return config


@pytest.fixture
def fresh_cloud(cloud: LocalCloud, aws_env: Path) -> LocalCloud:
    """The module's cloud with no faults and empty request logs."""
    _clean(cloud)
    return cloud


def _clean(cloud: LocalCloud) -> None:
    cloud.clear()
    for endpoint in cloud.endpoints:
        settled(endpoint)
    cloud.clear_requests()
