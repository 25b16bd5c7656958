"""The AWS CLI v2 (Debian's package: its own Python and its own botocore fork), unmodified: with
the plugin enabled by ``euca-boto awscli enable`` and under ``euca-boto run``."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from toolrun import ATTEMPTS, BIN, Tool

DESCRIBE = ("euprop", "describe-properties", "--properties", "dns.enabled")

pytestmark = pytest.mark.tools


def aws(tool: Tool, cli: Path, mode: str, *args: str) -> subprocess.CompletedProcess[str]:
    if mode == "run":
        return tool.euca_run(cli, *args)
    if "cli_legacy_plugin_path" not in Path(tool.env["AWS_CONFIG_FILE"]).read_text():
        enabled = tool.run(BIN / "euca-boto", "awscli", "enable", "--aws", cli)
        assert enabled.returncode == 0, enabled.stderr
    return tool.run(cli, *args)


MODES = pytest.mark.parametrize("mode", ["enabled", "run"])


def test_enable_prepares_a_plugin_directory_and_disable_removes_it(
    tool: Callable[..., Tool], aws_v2: Path,
) -> None:
    t = tool(wire=None)
    config = Path(t.env["AWS_CONFIG_FILE"])
    before = config.read_text()
    enabled = t.run(BIN / "euca-boto", "awscli", "enable", "--aws", aws_v2,
                    "--profile", t.profile)
    assert enabled.returncode == 0, enabled.stderr
    assert enabled.stdout.startswith("enabled: euca-boto in the AWS CLI 2.")
    plugin_dir = Path(t.env["HOME"]) / ".local" / "share" / "euca-boto" / "awscli-v2"
    assert config.read_text() == before + (f"\n[plugins]\ncli_legacy_plugin_path = {plugin_dir}"
                                           f"\neuca = euca_boto.awscli_plugin\n")
    assert sorted(p.name for p in plugin_dir.iterdir()) == [
        ".euca-boto-plugin", "dns", "euca_boto", "wrapt"]  # no boto3: the CLI never loads it
    answer = t.run(aws_v2, *DESCRIBE)
    assert answer.returncode == 0, answer.stderr

    disabled = t.run(BIN / "euca-boto", "awscli", "disable")
    assert disabled.returncode == 0, disabled.stderr
    assert config.read_text() == before
    assert not plugin_dir.exists()


@MODES
def test_admin_and_aws_calls_work(tool: Callable[..., Tool], aws_v2: Path, mode: str) -> None:
    t = tool(wire=None)
    result = aws(t, aws_v2, mode, *DESCRIBE)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Properties"][0]["Name"] == "dns.enabled"
    identity = aws(t, aws_v2, mode, "sts", "get-caller-identity")
    assert identity.returncode == 0, identity.stderr
    assert json.loads(identity.stdout)["Account"] == "123456789012"
    assert [r.action for r in t.cloud.requests()] == ["DescribeProperties", "GetCallerIdentity"]


@MODES
def test_a_burst_of_503s_is_retried_as_the_profile_says(tool: Callable[..., Tool],
                                                        aws_v2: Path, mode: str) -> None:
    t = tool("euca_breaker = false\n", wire=None)
    t.cloud.endpoint(0).fail(503, count=1)
    t.cloud.endpoint(1).fail(503, count=1)
    result = aws(t, aws_v2, mode, *DESCRIBE)
    assert result.returncode == 0, result.stderr
    assert sum(t.hits()) == 3
    t.cloud.clear()
    t.cloud.clear_requests()
    t.cloud.endpoint(0).fail(503, count=50)
    t.cloud.endpoint(1).fail(503, count=50)
    failed = aws(t, aws_v2, mode, *DESCRIBE)
    assert failed.returncode != 0
    assert "ServiceUnavailable" in failed.stderr
    assert sum(t.hits()) == ATTEMPTS  # euca_retry_max_attempts, not the CLI's own


@MODES
def test_a_stopped_endpoint_is_failed_over_and_remembered_across_commands(
    tool: Callable[..., Tool], aws_v2: Path, mode: str,
) -> None:
    t = tool(wire=None)
    t.cloud.endpoint(0).stop()
    first = aws(t, aws_v2, mode, *DESCRIBE)
    assert first.returncode == 0, first.stderr
    failed = f"euprop endpoint {t.cloud.service_url('euprop', 0)} failed (EndpointConnectionError"
    assert failed in first.stderr
    second = aws(t, aws_v2, mode, *DESCRIBE)
    assert second.returncode == 0, second.stderr
    assert failed not in second.stderr  # the next command knew: it did not try it again
    assert t.hits() == [0, 2]


@MODES
def test_a_breaker_opens(tool: Callable[..., Tool], aws_v2: Path, mode: str) -> None:
    t = tool(wire=None)
    t.cloud.endpoint(0).fail(503, count=50)
    t.cloud.endpoint(1).fail(503, count=50)
    result = aws(t, aws_v2, mode, *DESCRIBE)
    assert result.returncode != 0
    assert re.search(rf"breaker {re.escape(t.profile)}/euprop@\S+: closed -> open",
                     result.stderr)
    assert sum(t.hits()) == ATTEMPTS


@MODES
def test_the_wire_log_records_every_attempt(tool: Callable[..., Tool], aws_v2: Path,
                                            mode: str) -> None:
    t = tool()
    t.cloud.endpoint(0).fail(503, count=1)
    result = aws(t, aws_v2, mode, *DESCRIBE)
    assert result.returncode == 0, result.stderr
    records = t.wire_records()
    assert re.findall(r"euprop DescribeProperties attempt \d", records) == [
        "euprop DescribeProperties attempt 1", "euprop DescribeProperties attempt 2"]
    assert "< 503 in" in records and "< 200 in" in records
    assert "Signature=<redacted>" in records
    assert t.cloud.secret_key not in records


@MODES
def test_a_delegated_call_is_retried_as_the_account(tool: Callable[..., Tool], aws_v2: Path,
                                                    mode: str) -> None:
    t = tool("euca_breaker = false\n", wire=None)
    created = aws(t, aws_v2, mode, "iam", "create-account", "--account-name", f"v2-{mode}")
    assert created.returncode == 0, created.stderr
    t.cloud.endpoint(0).fail(503, count=1)
    t.cloud.endpoint(1).fail(503, count=1)
    users = aws(t, aws_v2, mode, "iam", "list-users", "--delegate-account", f"v2-{mode}")
    assert users.returncode == 0, users.stderr
    assert [u["UserName"] for u in json.loads(users.stdout)["Users"]] == ["admin"]
    sent = sorted((r.status, r.params.get("DelegateAccount")) for r in t.cloud.requests()
                  if r.action == "ListUsers")
    assert sent == [(200, f"v2-{mode}"), (503, f"v2-{mode}"), (503, f"v2-{mode}")]


@MODES
def test_the_euca_property_is_sent_with_allow_script_execution(
    tool: Callable[..., Tool], aws_v2: Path, mode: str,
) -> None:
    t = tool(wire=None)
    refused = aws(t, aws_v2, mode, "euprop", "modify-property-value", "--name", "euca",
                  "--value", "1")
    assert refused.returncode != 0
    assert "--allow-script-execution" in refused.stderr
    assert t.cloud.requests() == []
    sent = aws(t, aws_v2, mode, "euprop", "modify-property-value", "--name", "euca",
               "--value", "1", "--allow-script-execution")
    assert "does not execute code through the 'euca' property" in sent.stderr
    assert [r.action for r in t.cloud.requests()] == ["ModifyPropertyValue"]
