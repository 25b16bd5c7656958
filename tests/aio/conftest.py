"""Fixtures of the async tests: a profile for the module's cloud (plus extra lines) under a
name of its own, and a slow client whose requests out on the wire are counted."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from awsenv import AwsEnv
from modes import InFlight

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


@pytest.fixture
def slow_euprop(session: Any, fresh_cloud: LocalCloud) -> tuple[Any, InFlight]:
    """A euprop client of the test module's own ``session`` whose endpoint answers after
    1 s, and the count of its requests out on the wire: room to see calls overlap, even on a
    busy machine."""
    fresh_cloud.endpoint(0).latency(1.0)
    client = session.client("euprop")
    return client, InFlight(client, "euprop")
