"""SDKs without euca-boto: the AWS SDK for JavaScript v3 (``@aws-sdk/client-sts``,
``client-ec2`` from npm) and the AWS CLI v1 without the plugin, through the standard endpoint
configuration ``euca-boto endpoints export`` writes and the variables ``euca-boto run`` sets.

(Debian's AWS CLI v2, 2.9.19, predates configured endpoints, added in 2.13: it gets the cloud
through the plugin, tests/tools/test_aws_cli_v2.py.)"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from toolrun import ATTEMPTS, BIN, Tool

SCRIPT = Path(__file__).parent / "scripts" / "sdk_calls.cjs"

pytestmark = pytest.mark.tools


def exported(tool: Tool) -> Tool:
    result = tool.run(BIN / "euca-boto", "endpoints", "export", "--profile", tool.profile)
    assert result.returncode == 0, result.stderr
    return tool


def javascript(tool: Tool, node_sdk: Path, run: bool = False) -> dict[str, dict[str, object]]:
    command = ("node", SCRIPT)
    env = {"NODE_SDK": str(node_sdk)}
    result = tool.euca_run(*command, extra_env=env) if run else tool.run(*command, extra_env=env)
    assert result.returncode == 0, result.stderr
    answer: dict[str, dict[str, object]] = json.loads(result.stdout)
    return answer


def test_the_javascript_sdk_reaches_the_cloud_through_the_exported_endpoints(
    tool: Callable[..., Tool], node_sdk: Path,
) -> None:
    t = tool(wire=None)
    before = javascript(t, node_sdk)  # what it does without: AWS's endpoints (no DNS here)
    assert "amazonaws.com" in str(before["sts"]["message"])
    assert javascript(exported(t), node_sdk) == {
        "sts": {"account": "123456789012", "attempts": 1},
        "ec2": {"reservations": 0, "attempts": 1},
    }
    assert [(r.endpoint, r.action) for r in t.cloud.requests()] == [
        (0, "GetCallerIdentity"), (0, "DescribeInstances")]


def test_the_javascript_sdk_retries_as_the_profile_says(
    tool: Callable[..., Tool], node_sdk: Path,
) -> None:
    t = exported(tool(wire=None))
    t.cloud.endpoint(0).fail(503, count=1)
    assert javascript(t, node_sdk)["sts"] == {"account": "123456789012", "attempts": 2}
    t.cloud.endpoint(0).fail(503, count=50)
    failed = javascript(t, node_sdk)["sts"]
    assert (failed["status"], failed["attempts"]) == (503, ATTEMPTS)  # max_attempts, exported


def test_the_javascript_sdk_reaches_the_cloud_under_run(
    tool: Callable[..., Tool], node_sdk: Path,
) -> None:
    t = tool(wire=None)
    assert javascript(t, node_sdk, run=True) == {
        "sts": {"account": "123456789012", "attempts": 1},
        "ec2": {"reservations": 0, "attempts": 1},
    }
    assert [r.endpoint for r in t.cloud.requests()] == [0, 0]


def test_the_aws_cli_without_the_plugin_uses_the_exported_endpoints(
    tool: Callable[..., Tool],
) -> None:
    t = exported(tool(wire=None))
    aws = [BIN / "aws"]  # v1, no [plugins], not under run
    identity = t.run(*aws, "sts", "get-caller-identity")
    assert identity.returncode == 0, identity.stderr
    assert json.loads(identity.stdout)["Account"] == "123456789012"
    t.cloud.endpoint(0).fail(503, count=50)
    failed = t.run(*aws, "sts", "get-caller-identity")
    assert failed.returncode != 0
    assert [r.status for r in t.cloud.requests() if r.action == "GetCallerIdentity"] == [
        200, *[503] * ATTEMPTS]
