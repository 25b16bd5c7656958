"""Fixtures of the async tests: a profile for the module's cloud (plus extra lines) under a
name of its own."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from awsenv import AwsEnv

from euca_boto.testing import LocalCloud


@pytest.fixture
def profile(fresh_cloud: LocalCloud, aws_env: AwsEnv) -> Callable[[str], str]:
    """Write a fresh profile for the cloud (``extra`` lines inside it) and return its name.

    Names never repeat, so neither do breaker names (``<profile>/<service>@<host:port>``).
    """

    def write(extra: str = "") -> str:
        name = f"p{uuid.uuid4().hex[:8]}"
        aws_env.use(*aws_env.write_profile(fresh_cloud, name, extra))
        return name

    return write
