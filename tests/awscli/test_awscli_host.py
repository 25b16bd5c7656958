"""Retries, endpoint failover, breakers, the wire log and delegation inside the real ``aws``.

The AWS CLI 1.46 and later runs on its own fork of botocore (``awscli.botocore``, imported
under the name ``botocore``); older releases run on plain botocore. Both are hosts: the same
tests run wherever ``aws`` is installed next to the interpreter.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_support import QUICK, Aws

from euca_boto.testing import LocalCloud

DESCRIBE = ("euprop", "describe-properties", "--properties", "dns.enabled")


@pytest.fixture(autouse=True)
def no_requests(cloud: LocalCloud) -> None:
    cloud.clear_requests()


def described(stdout: str) -> list[str]:
    return [p["Name"] for p in json.loads(stdout)["Properties"]]


def attempts(cloud: LocalCloud, action: str) -> list[tuple[int, int | None]]:
    """(endpoint, status) of every request of ``action`` the cloud received, in order."""
    return [(r.endpoint, r.status) for r in cloud.requests() if r.action == action]


def records(wire: Path) -> list[str]:
    """The first line of every wire-log record in the file."""
    return re.findall(r"euca_boto\.wire\.\S+ INFO (.+)", wire.read_text())


def describe_through_503s(
    cloud: LocalCloud, write_profile: Callable[..., dict[str, str]], aws: Aws,
    max_attempts: int, failures: int,
) -> subprocess.CompletedProcess[str]:
    """Run DESCRIBE under a profile allowing ``max_attempts`` while endpoint 0 answers the
    next ``failures`` requests with 503."""
    env = write_profile(f"euca_retry_max_attempts = {max_attempts}", *QUICK)
    cloud.endpoint(0).fail(503, count=failures)
    return aws(env, *DESCRIBE)


def test_the_wire_log_records_every_attempt(
    cloud: LocalCloud, write_profile: Callable[..., dict[str, str]], aws: Aws, tmp_path: Path
) -> None:
    wire = tmp_path / "wire.log"
    env = write_profile("euca_wire_log = euprop", f"euca_wire_log_file = {wire}", *QUICK)
    cloud.endpoint(0).fail(503, count=1)
    result = aws(env, *DESCRIBE)
    assert result.returncode == 0, result.stderr
    assert described(result.stdout) == ["dns.enabled"]
    assert records(wire) == [
        "euprop DescribeProperties attempt 1 as the session's credentials",
        "euprop DescribeProperties attempt 2 as the session's credentials",
    ]
    text = wire.read_text()
    assert "< 503 in" in text and "< 200 in" in text
    assert "Property.1=dns.enabled" in text
    assert "Signature=<redacted>" in text
    assert cloud.secret_key not in text


def test_a_burst_of_503s_is_retried_as_the_profile_says(
    cloud: LocalCloud, write_profile: Callable[..., dict[str, str]], aws: Aws
) -> None:
    result = describe_through_503s(cloud, write_profile, aws, max_attempts=4, failures=3)
    assert result.returncode == 0, result.stderr
    assert described(result.stdout) == ["dns.enabled"]
    assert attempts(cloud, "DescribeProperties") == [(0, 503), (0, 503), (0, 503), (0, 200)]


def test_retries_stop_at_the_profiles_limit(
    cloud: LocalCloud, write_profile: Callable[..., dict[str, str]], aws: Aws
) -> None:
    # The CLI's own retry mode would try five times; the profile says two.
    result = describe_through_503s(cloud, write_profile, aws, max_attempts=2, failures=5)
    assert result.returncode == 255, result.stderr
    assert "An error occurred (ServiceUnavailable)" in result.stderr
    assert attempts(cloud, "DescribeProperties") == [(0, 503), (0, 503)]


def test_a_stopped_endpoint_is_failed_over(
    cloud: LocalCloud, write_profile: Callable[..., dict[str, str]], aws: Aws
) -> None:
    urls = ", ".join(e.url for e in cloud.endpoints)
    env = write_profile(f"euca_endpoint_urls = {urls}", *QUICK, services=False)
    cloud.endpoint(0).stop()
    result = aws(env, *DESCRIBE)
    assert result.returncode == 0, result.stderr
    assert described(result.stdout) == ["dns.enabled"]
    assert attempts(cloud, "DescribeProperties") == [(1, 200)]
    assert (f"euprop endpoint {cloud.service_url('euprop', 0)} failed "
            "(EndpointConnectionError") in result.stderr


def test_the_breaker_opens_after_fail_max_failed_calls(
    cloud: LocalCloud, write_profile: Callable[..., dict[str, str]], aws: Aws
) -> None:
    env = write_profile("euca_breaker_fail_max = 1", "euca_retry_max_attempts = 1", *QUICK)
    cloud.endpoint(0).fail(503, count=1)
    result = aws(env, *DESCRIBE)
    assert result.returncode == 255, result.stderr
    port = cloud.endpoint(0).url.rsplit(":", 1)[1].rstrip("/")
    assert (f"breaker localcloud/euprop@127.0.0.1:{port}+fail_max=1: closed -> open"
            in result.stderr)
    assert attempts(cloud, "DescribeProperties") == [(0, 503)]


def test_a_delegated_call_is_retried_and_logged_as_the_account(
    cloud: LocalCloud, write_profile: Callable[..., dict[str, str]], aws: Aws, tmp_path: Path
) -> None:
    wire = tmp_path / "wire.log"
    env = write_profile("euca_wire_log = iam", f"euca_wire_log_file = {wire}", *QUICK)
    created = aws(env, "iam", "create-account", "--account-name", "cli-host")
    assert created.returncode == 0, created.stderr
    cloud.endpoint(0).fail(503, count=1)
    users = aws(env, "iam", "list-users", "--delegate-account", "cli-host")
    assert users.returncode == 0, users.stderr
    assert [u["UserName"] for u in json.loads(users.stdout)["Users"]] == ["admin"]
    assert [(status, r["DelegateAccount"]) for status, r in (
        (r.status, r.params) for r in cloud.requests() if r.action == "ListUsers")] == [
        (503, "cli-host"), (200, "cli-host")]
    assert records(wire)[-2:] == [
        "iam ListUsers attempt 1 as the session's credentials",
        "iam ListUsers attempt 2 as the session's credentials",
    ]
    assert "DelegateAccount=cli-host" in wire.read_text()
