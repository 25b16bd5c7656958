"""The admin tests' cloud (three endpoints in two partitions) and a profile for it with the AWS
CLI plugin."""

from __future__ import annotations

from typing import Any

import pytest
from awsenv import PROFILE, AwsEnv

import euca_boto
from euca_boto.testing import LocalCloud


@pytest.fixture(scope="module")
def cloud_shape() -> dict[str, Any]:
    return {"endpoints": 3, "partitions": 2}


@pytest.fixture
def profile_env(cloud: LocalCloud, aws_env: AwsEnv) -> dict[str, str]:
    """AWS_CONFIG_FILE and friends pointing at a profile for the cloud, with the CLI plugin."""
    config, credentials = aws_env.write_profile(cloud, PROFILE, plugin=True)
    return aws_env.use(config, credentials, AWS_PROFILE=PROFILE)


@pytest.fixture
def session(profile_env: dict[str, str]) -> Any:
    return euca_boto.session(profile_name=PROFILE)
