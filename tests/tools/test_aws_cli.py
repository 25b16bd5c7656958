"""(b) The AWS CLI (v1, on its own copy of botocore), unmodified: under ``euca-boto run`` and with
the ``[plugins]`` section of ~/.aws/config. (botocore's plugin variable does nothing here: the CLI
creates every client with client plugins disabled.)"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from toolrun import ATTEMPTS, BIN, Tool

AWS = BIN / "aws"
DESCRIBE = ("euprop", "describe-properties", "--properties", "dns.enabled")


def aws(tool: Tool, mode: str, *args: str) -> subprocess.CompletedProcess[str]:
    if mode == "run":
        return tool.euca_run(AWS, *args)
    config = Path(tool.env["AWS_CONFIG_FILE"])
    if "[plugins]" not in config.read_text():
        with open(config, "a") as handle:
            handle.write("\n[plugins]\neuca = euca_boto.awscli_plugin\n")
    return tool.run(AWS, *args)


MODES = pytest.mark.parametrize("mode", ["run", "plugins-section"])


@MODES
def test_admin_and_aws_calls_work(tool: Callable[..., Tool], mode: str) -> None:
    t = tool(wire=None)
    result = aws(t, mode, *DESCRIBE)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Properties"][0]["Name"] == "dns.enabled"
    identity = aws(t, mode, "sts", "get-caller-identity")
    assert identity.returncode == 0, identity.stderr
    assert json.loads(identity.stdout)["Account"] == "123456789012"
    assert [r.action for r in t.cloud.requests()] == ["DescribeProperties", "GetCallerIdentity"]


@MODES
def test_a_burst_of_503s_is_retried_as_the_profile_says(tool: Callable[..., Tool],
                                                        mode: str) -> None:
    t = tool("euca_breaker = false\n", wire=None)
    t.cloud.endpoint(0).fail(503, count=1)
    t.cloud.endpoint(1).fail(503, count=1)
    assert ATTEMPTS == 3
    result = aws(t, mode, *DESCRIBE)
    assert result.returncode == 0, result.stderr
    assert sum(t.hits()) == 3
    t.cloud.clear()
    t.cloud.clear_requests()
    t.cloud.endpoint(0).fail(503, count=50)
    t.cloud.endpoint(1).fail(503, count=50)
    failed = aws(t, mode, *DESCRIBE)
    assert failed.returncode != 0
    assert "HTTP 503" in failed.stderr
    assert sum(t.hits()) == ATTEMPTS  # euca_retry_max_attempts, not the CLI's own 5 (legacy)


@MODES
def test_a_stopped_endpoint_is_failed_over(tool: Callable[..., Tool], mode: str) -> None:
    t = tool(wire=None)
    t.cloud.endpoint(0).stop()
    for _ in range(2):
        result = aws(t, mode, *DESCRIBE)
        assert result.returncode == 0, result.stderr
    assert t.hits() == [0, 2]


@MODES
def test_a_breaker_opens(tool: Callable[..., Tool], mode: str) -> None:
    t = tool(wire=None)
    t.cloud.endpoint(0).fail(503, count=50)
    t.cloud.endpoint(1).fail(503, count=50)
    result = aws(t, mode, *DESCRIBE)
    assert result.returncode != 0
    # Named after the cloud it protects: <profile>/<service>@<host:port>+<settings>.
    assert re.search(rf"breaker {re.escape(t.profile)}/euprop@\S+: closed -> open",
                     result.stderr)
    assert sum(t.hits()) == ATTEMPTS


@MODES
def test_wire_log_records_appear(tool: Callable[..., Tool], mode: str) -> None:
    t = tool()
    result = aws(t, mode, *DESCRIBE)
    assert result.returncode == 0, result.stderr
    records = t.wire_records()
    assert "DescribeProperties" in records
    assert t.cloud.secret_key not in records


@MODES
def test_a_bad_setting_is_reported_in_one_line(tool: Callable[..., Tool], mode: str) -> None:
    """Under run as with [plugins]: the CLI's plugin reports it, the CLI's way."""
    t = tool("euca_eject_time = soon\n", wire=None)
    result = aws(t, mode, *DESCRIBE)
    assert result.returncode == 255
    assert result.stderr.strip().splitlines() == [
        f"profile '{t.profile}': euca_eject_time = 'soon' is not valid; expected a duration "
        f"such as 10, 2.5, 500ms, 2m or 1h, at least 0.001 s"]
    assert t.cloud.requests() == []


@MODES
def test_the_euca_property_is_sent_with_allow_script_execution(tool: Callable[..., Tool],
                                                               mode: str) -> None:
    """The option the refusal message names works under run too (it used to be unknown)."""
    t = tool(wire=None)
    refused = aws(t, mode, "euprop", "modify-property-value", "--name", "euca", "--value", "1")
    assert refused.returncode == 255
    assert "--allow-script-execution" in refused.stderr
    assert t.cloud.requests() == []
    sent = aws(t, mode, "euprop", "modify-property-value", "--name", "euca", "--value", "1",
               "--allow-script-execution")
    assert "Unknown options" not in sent.stderr
    # LocalCloud runs no code: it answers the call it received with an error of its own.
    assert "does not execute code through the 'euca' property" in sent.stderr
    assert [r.action for r in t.cloud.requests()] == ["ModifyPropertyValue"]
