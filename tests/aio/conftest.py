"""Fixtures of the async tests: one LocalCloud per module, a profile pointing at it (plus extra
lines), clean breaker and metrics registries, and a clock whose sleeps are recorded."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from euca_boto.testing import LocalCloud


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(endpoints=2, partitions=1) as started:
        yield started




@pytest.fixture
def profile(fresh_cloud: LocalCloud, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Callable[[str], str]:
    """Write a fresh profile for the cloud (``extra`` lines inside it) and return its name.

    Names never repeat, so neither do breaker names (``<profile>/<service>@<host:port>``).
    """
    for name in list(os.environ):
        if name.startswith(("EUCA_BOTO_", "AWS_")):
            monkeypatch.delenv(name)

    def write(extra: str = "") -> str:
        name = f"p{uuid.uuid4().hex[:8]}"
        config, credentials = fresh_cloud.write_aws_files(tmp_path, profile=name)
        header = f"[profile {name}]\n"
        config.write_text(config.read_text().replace(header, header + extra, 1))
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
        return name

    return write
