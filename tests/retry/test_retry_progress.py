"""Progress lines: a call that keeps retrying under the AWS CLI or ``euca-boto run`` is not silent.

Once a call has been going for more than 3 s, each further attempt is announced on stderr in one
line (the endpoint that failed, attempt n of m, why), unless the profile says
``euca_progress = false`` or ``euca-boto run --quiet`` was asked. Code that uses euca-boto
itself shows retries through its own logging (the ``euca_boto.retry`` logger) instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from awsenv import PLUGIN_SECTION, AwsEnv

from euca_boto.retry.context import Outcome, RetryContext
from euca_boto.retry.policy import RetryDecision
from euca_boto.retry.progress import progress_line

AWS = str(Path(sys.executable).with_name("aws"))
PROFILE = "dead"
# Attempts start at about 0, 2, 4 and 6 s: the 3rd and 4th start more than 3 s into the call.
SLOW_RETRIES = ("euca_retry_backoff = fixed", "euca_retry_delay = 2", "euca_retry_max_attempts = 4",
                "euca_connect_timeout = 1")


@pytest.fixture
def dead_endpoint(refused_port: int) -> str:
    """A URL on 127.0.0.1 where every connection is refused at once, for the whole test."""
    return f"http://127.0.0.1:{refused_port}"


def write_profile(aws_env: AwsEnv, endpoint: str, *lines: str) -> dict[str, str]:
    aws_env.config.write_text(
        f"[profile {PROFILE}]\nregion = eucalyptus\neuca_endpoint = {endpoint}/\n"
        + "".join(f"{line}\n" for line in (*SLOW_RETRIES, *lines)) + PLUGIN_SECTION)
    aws_env.credentials.write_text(
        f"[{PROFILE}]\naws_access_key_id = AKIDDEAD\naws_secret_access_key = secret\n")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EUCA_BOTO_"))}
    return {**base, "AWS_CONFIG_FILE": str(aws_env.config), "AWS_PAGER": "",
            "AWS_SHARED_CREDENTIALS_FILE": str(aws_env.credentials), "AWS_PROFILE": PROFILE,
            "EUCA_BOTO_STATE": "memory"}  # every run starts without remembered ejections


def progress(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if " s into the call; " in line]


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


DESCRIBE = ["euprop", "describe-properties"]
RUN = [sys.executable, "-m", "euca_boto.cli", "run"]


@pytest.mark.parametrize("command", [[AWS, *DESCRIBE], [*RUN, "--", AWS, *DESCRIBE]],
                         ids=["aws-plugins", "euca-boto-run"])
def test_each_attempt_after_3_s_is_one_line_on_stderr(aws_env: AwsEnv, dead_endpoint: str,
                                                      command: list[str]) -> None:
    endpoint = dead_endpoint
    result = run(command, write_profile(aws_env, endpoint))
    assert result.returncode == 255, result.stderr
    url = f"{endpoint}/services/Properties"
    lines = progress(result.stderr)
    assert [line.split(": attempt ")[1].split(" in ")[0] for line in lines] == ["3 of 4", "4 of 4"]
    for line in lines:
        assert line.startswith("euca-boto: euprop DescribeProperties: attempt ")
        assert f"failed on {url}" in line or f"failed on {endpoint}" in line
        assert line.endswith("with connection failed (EndpointConnectionError)")
    assert f'Could not connect to the endpoint URL: "{url}' in result.stderr


def test_euca_progress_false_keeps_the_aws_cli_quiet(aws_env: AwsEnv, dead_endpoint: str) -> None:
    result = run([AWS, *DESCRIBE], write_profile(aws_env, dead_endpoint, "euca_progress = false"))
    assert result.returncode == 255, result.stderr
    assert progress(result.stderr) == []
    assert "Could not connect to the endpoint URL" in result.stderr


def test_run_quiet_keeps_the_command_quiet(aws_env: AwsEnv, dead_endpoint: str) -> None:
    result = run([*RUN, "--quiet", "--", AWS, *DESCRIBE], write_profile(aws_env, dead_endpoint))
    assert result.returncode == 255, result.stderr
    assert progress(result.stderr) == []
    assert "Could not connect to the endpoint URL" in result.stderr


def context(attempt: int, elapsed: float) -> RetryContext:
    return RetryContext(service="euprop", operation="DescribeProperties", attempt=attempt,
                        outcome=Outcome.HTTP_ERROR, status=503, error_code="ServiceUnavailable",
                        endpoint="https://cloud.example.com:8773", elapsed=elapsed)


def test_the_line_names_the_endpoint_the_attempt_and_why() -> None:
    decision = RetryDecision.retry_in(1.5, "backoff")
    assert progress_line(context(3, 2.0), decision, 6) == (
        "euca-boto: euprop DescribeProperties: attempt 4 of 6 in 1.5 s (backoff), 3.5 s into "
        "the call; attempt 3 failed on https://cloud.example.com:8773 with HTTP 503 "
        "ServiceUnavailable")


def test_no_line_while_the_next_attempt_starts_within_3_s() -> None:
    assert progress_line(context(2, 1.0), RetryDecision.retry_in(1.5, "backoff"), 6) is None


def test_a_policy_without_a_limit_has_no_m() -> None:
    line = progress_line(context(7, 30.0), RetryDecision.retry_in(0.0, "Retry-After 0 s"), None)
    assert line is not None and ": attempt 8 in 0.0 s (Retry-After 0 s), 30.0 s into" in line
