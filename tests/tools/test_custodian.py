"""(d) A Cloud Custodian policy over EC2 instances, under ``euca-boto run``.

Custodian accepts only regions botocore lists for AWS, so the policy runs with ``--region
us-east-1``: the region is then only the signing label of the requests.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from toolrun import ATTEMPTS, Tool

pytestmark = pytest.mark.tools

POLICY = Path(__file__).parent / "custodian" / "policy.yml"


def custodian(tool: Tool, tools_bin: Path, *,
              own_launcher: bool = False) -> subprocess.CompletedProcess[str]:
    """The policy under ``euca-boto run`` (``own_launcher``: the tools environment's own, in
    whose process custodian then runs)."""
    launcher = {"launcher": tools_bin / "euca-boto"} if own_launcher else {}
    return tool.euca_run(tools_bin / "custodian", "run", "-s", tool.directory / "out",
                         "--region", "us-east-1", "--profile", tool.profile, POLICY,
                         timeout=300, **launcher)  # type: ignore[arg-type]


def calls(tool: Tool) -> list[tuple[str | None, int | None]]:
    return [(r.action, r.status) for r in sorted(tool.cloud.requests(), key=lambda r: r.time)]


def test_the_policy_runs_against_the_cloud(tool: Callable[..., Tool], tools_bin: Path) -> None:
    t = tool(wire="ec2")
    result = custodian(t, tools_bin)
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads((t.directory / "out" / "euca-instances" / "resources.json").read_text())
    assert found == []
    assert calls(t) == [("GetCallerIdentity", 200), ("DescribeInstances", 200)]
    assert "ec2 DescribeInstances attempt 1" in t.wire_records()


def test_the_policy_runs_in_the_launchers_process_with_euca_boto_of_its_own_environment(
    tool: Callable[..., Tool], tools_bin: Path,
) -> None:
    """euca-boto installed beside custodian: the script runs in the launcher's process."""
    t = tool(wire="ec2")
    t.cloud.endpoint(0).stop()
    result = custodian(t, tools_bin, own_launcher=True)
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads((t.directory / "out" / "euca-instances" / "resources.json").read_text())
    assert found == []
    assert calls(t) == [("GetCallerIdentity", 200), ("DescribeInstances", 200)]
    assert t.hits() == [0, 2]
    assert "ec2 DescribeInstances attempt 1" in t.wire_records()
    assert t.cloud.secret_key not in t.wire_records() + result.stderr


def test_a_burst_of_503s_is_retried_as_the_profile_says(tool: Callable[..., Tool],
                                                        tools_bin: Path) -> None:
    t = tool(wire=None)
    t.cloud.endpoint(0).fail(503, count=1)
    t.cloud.endpoint(1).fail(503, count=1)
    result = custodian(t, tools_bin)
    assert result.returncode == 0, result.stderr[-3000:]
    assert ATTEMPTS == 3
    assert calls(t) == [("GetCallerIdentity", 503), ("GetCallerIdentity", 503),
                        ("GetCallerIdentity", 200), ("DescribeInstances", 200)]


def test_a_stopped_endpoint_is_failed_over(tool: Callable[..., Tool], tools_bin: Path) -> None:
    t = tool(wire=None)
    t.cloud.endpoint(0).stop()
    result = custodian(t, tools_bin)
    assert result.returncode == 0, result.stderr[-3000:]
    assert t.hits() == [0, 2]
    assert "failed (EndpointConnectionError" in result.stderr


def test_a_breaker_opens(tool: Callable[..., Tool], tools_bin: Path) -> None:
    t = tool(wire=None)
    t.cloud.endpoint(0).fail(503, count=50)
    t.cloud.endpoint(1).fail(503, count=50)
    result = custodian(t, tools_bin)
    assert result.returncode != 0
    # One breaker per service: each opens at its first failed call.
    for service in ("sts", "ec2"):
        assert re.search(rf"breaker {re.escape(t.profile)}/{service}@\S+: closed -> open",
                         result.stderr), result.stderr
    made = calls(t)
    assert made.count(("GetCallerIdentity", 503)) == ATTEMPTS
    assert made.count(("DescribeInstances", 503)) == ATTEMPTS
    assert len(made) == 2 * ATTEMPTS  # whatever Custodian tried again was refused unsent
