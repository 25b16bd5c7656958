"""Fixtures shared by the test folders that need a LocalCloud and a profile for it.

One LocalCloud per module, a profile pointing at it (``aws_files``), installed sessions with
quick bounded retries (``session``) and the wire records of a test (``wire``). A folder whose
tests need another cloud defines its own ``cloud`` fixture, which takes precedence.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

import euca_boto
from euca_boto import process
from euca_boto.testing import LocalCloud

PROFILE = "localcloud"


@pytest.fixture(autouse=True)
def isolated_process() -> Iterator[None]:
    """Breakers, metrics, Redis clients, wire-log files ... are process-wide: every test
    starts and leaves with the process as it was after import."""
    process.reset()
    yield
    process.reset()


@pytest.fixture(autouse=True)
def isolated_state_file(tmp_path_factory: pytest.TempPathFactory,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    """``euca_state = local`` (the AWS CLI's default) keeps state under XDG_CACHE_HOME: one
    directory per test, so no test inherits another's ejections or open breakers."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(endpoints=2, partitions=1) as started:
        yield started


@pytest.fixture
def fresh_cloud(cloud: LocalCloud) -> Iterator[LocalCloud]:
    """The module's cloud with no faults, every endpoint running and empty request logs."""
    cloud.clear()
    cloud.clear_requests()
    yield cloud
    cloud.clear()


@pytest.fixture
def aws_files(
    cloud: LocalCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[str], Path]:
    """Write the cloud's profile (plus ``extra`` lines inside it) and point botocore at it."""
    for name in list(os.environ):
        if name.startswith("EUCA_BOTO_") or name in ("AWS_PROFILE", "AWS_RETRY_MODE"):
            monkeypatch.delenv(name)
    cloud.clear()
    cloud.clear_requests()

    def write(extra: str = "") -> Path:
        config, credentials = cloud.write_aws_files(tmp_path, profile=PROFILE)
        text = config.read_text()
        header = f"[profile {PROFILE}]\n"
        config.write_text(text.replace(header, header + extra, 1))
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
        return config

    write()
    return write


@pytest.fixture
def session(aws_files: Callable[[str], Path]) -> Callable[..., boto3.session.Session]:
    """A euca-boto session on the cloud's profile with quick, bounded retries."""

    def make(**settings: Any) -> boto3.session.Session:
        settings.setdefault("euca_retry_base_delay", 0.001)
        settings.setdefault("euca_retry_delay", 0.01)
        return euca_boto.session(profile_name=PROFILE, **settings)

    return make


@pytest.fixture
def wire(caplog: pytest.LogCaptureFixture) -> Callable[[], list[logging.LogRecord]]:
    """The wire records emitted so far in this test."""
    caplog.set_level(logging.INFO, logger="euca_boto.wire")

    def records() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name.startswith("euca_boto.wire.")]

    return records
