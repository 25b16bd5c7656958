"""What every AWS CLI host must do with euca-boto, v1 or v2, with [plugins] or under
``euca-boto run``: one function per behaviour, given a tool's profile and a way to run ``aws``
(tests/tools/test_aws_cli.py for v1, test_aws_cli_v2.py for v2)."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable

import pytest
from toolrun import ATTEMPTS, Tool

DESCRIBE = ("euprop", "describe-properties", "--properties", "dns.enabled")

Aws = Callable[..., "subprocess.CompletedProcess[str]"]


def admin_and_aws_calls_work(t: Tool, aws: Aws) -> None:
    result = aws(*DESCRIBE)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Properties"][0]["Name"] == "dns.enabled"
    identity = aws("sts", "get-caller-identity")
    assert identity.returncode == 0, identity.stderr
    assert json.loads(identity.stdout)["Account"] == "123456789012"
    assert [r.action for r in t.cloud.requests()] == ["DescribeProperties", "GetCallerIdentity"]


def a_burst_of_503s_is_retried_as_the_profile_says(t: Tool, aws: Aws) -> None:
    """(The profile has euca_breaker = false.)"""
    t.cloud.endpoint(0).fail(503, count=1)
    t.cloud.endpoint(1).fail(503, count=1)
    assert ATTEMPTS == 3
    result = aws(*DESCRIBE)
    assert result.returncode == 0, result.stderr
    assert sum(t.hits()) == 3
    t.cloud.clear()
    t.cloud.clear_requests()
    t.cloud.endpoint(0).fail(503, count=50)
    t.cloud.endpoint(1).fail(503, count=50)
    failed = aws(*DESCRIBE)
    assert failed.returncode != 0
    assert "ServiceUnavailable" in failed.stderr
    assert sum(t.hits()) == ATTEMPTS  # euca_retry_max_attempts, not the CLI's own


def a_stopped_endpoint_is_failed_over_and_remembered(t: Tool, aws: Aws) -> None:
    t.cloud.endpoint(0).stop()
    first = aws(*DESCRIBE)
    assert first.returncode == 0, first.stderr
    failed = f"euprop endpoint {t.cloud.service_url('euprop', 0)} failed (EndpointConnectionError"
    assert failed in first.stderr
    second = aws(*DESCRIBE)
    assert second.returncode == 0, second.stderr
    assert failed not in second.stderr  # the next command knew: it did not try it again
    assert t.hits() == [0, 2]


def a_breaker_opens(t: Tool, aws: Aws) -> None:
    t.cloud.endpoint(0).fail(503, count=50)
    t.cloud.endpoint(1).fail(503, count=50)
    result = aws(*DESCRIBE)
    assert result.returncode != 0
    # Named after the cloud it protects: <profile>/<service>@<host:port>+<settings>.
    assert re.search(rf"breaker {re.escape(t.profile)}/euprop@\S+: closed -> open",
                     result.stderr)
    assert sum(t.hits()) == ATTEMPTS


def the_wire_log_records_every_attempt(t: Tool, aws: Aws) -> None:
    t.cloud.endpoint(0).fail(503, count=1)
    result = aws(*DESCRIBE)
    assert result.returncode == 0, result.stderr
    records = t.wire_records()
    assert re.findall(r"euprop DescribeProperties attempt \d", records) == [
        "euprop DescribeProperties attempt 1", "euprop DescribeProperties attempt 2"]
    assert "< 503 in" in records and "< 200 in" in records
    assert "Signature=<redacted>" in records
    assert t.cloud.secret_key not in records


def the_euca_property_is_sent_with_allow_script_execution(t: Tool, aws: Aws) -> None:
    """The option the refusal message names works (under run it used to be unknown)."""
    command = ("euprop", "modify-property-value", "--name", "euca", "--value", "1")
    refused = aws(*command)
    assert refused.returncode != 0
    assert "--allow-script-execution" in refused.stderr
    assert t.cloud.requests() == []
    sent = aws(*command, "--allow-script-execution")
    assert "Unknown options" not in sent.stderr
    # LocalCloud runs no code: it answers the call it received with an error of its own.
    assert "does not execute code through the 'euca' property" in sent.stderr
    assert [r.action for r in t.cloud.requests()] == ["ModifyPropertyValue"]


#: The checks every host passes with any profile of the matrix (the 503 burst needs one
#: without a breaker).
EVERY_HOST = pytest.mark.parametrize("check", [
    admin_and_aws_calls_work,
    a_stopped_endpoint_is_failed_over_and_remembered,
    a_breaker_opens,
    the_wire_log_records_every_attempt,
    the_euca_property_is_sent_with_allow_script_execution,
], ids=lambda check: check.__name__)
