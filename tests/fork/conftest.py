"""Fixtures of the deployment tests: a LocalCloud of three endpoints whose topology the clients
read (DescribeServices, reloaded every 100 ms), with a state file and a wire-log file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from awsenv import PROFILE, AwsEnv, lines

from euca_boto.core.localstate import state_file
from euca_boto.testing import LocalCloud


@pytest.fixture(scope="module")
def cloud_shape() -> dict[str, Any]:
    return {"endpoints": 3, "partitions": 2}


@pytest.fixture
def deployment(fresh_cloud: LocalCloud, aws_env: AwsEnv, tmp_path: Path) -> dict[str, str]:
    """The profile of the deployed application; the environment variables that select it."""
    state = tmp_path / "state.sqlite3"
    aws_env.use(*aws_env.write_profile(fresh_cloud, PROFILE, lines(
        "euca_topology = describe-services", "euca_topology_refresh = 100ms",
        f"euca_state = {state}", "euca_wire_log = euprop",
        f"euca_wire_log_file = {tmp_path / 'wire.log'}",
        "euca_retry_base_delay = 0.01", "euca_retry_delay = 0.02")))
    file = state_file(str(state))
    assert file is not None and file.ejections() == {}  # made, in write-ahead-log mode
    return {"AWS_PROFILE": PROFILE, "STATE_FILE": str(state)}
