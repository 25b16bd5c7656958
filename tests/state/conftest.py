"""Fixtures of the state-file tests: the module's LocalCloud (two endpoints) fresh for each test,
and a profile for it with the AWS CLI plugin, for the processes :mod:`state_support` runs."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from awsenv import AwsEnv, lines
from state_support import PROFILE

from euca_boto.testing import LocalCloud


@pytest.fixture
def env(fresh_cloud: LocalCloud, aws_env: AwsEnv) -> Callable[..., dict[str, str]]:
    """Write the cloud's profile with the CLI plugin and ``extra`` lines; the environment of
    a process that uses it (with this test's own XDG_CACHE_HOME)."""

    def write(*extra: str) -> dict[str, str]:
        config, credentials = aws_env.write_profile(
            fresh_cloud, PROFILE, lines(*extra), plugin=True, directory=aws_env.directory / "aws")
        values = aws_env.use(config, credentials, AWS_PROFILE=PROFILE, AWS_PAGER="")
        return {**os.environ, **values}

    return write
