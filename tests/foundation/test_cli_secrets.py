"""Passwords inside configured URLs never reach the output of ``euca-boto`` commands: the
settings table, the endpoints table and configuration errors. Run as a user runs them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

SECRET = "s3cr3t-pw"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "euca_boto.cli", *args],
                          capture_output=True, text=True, timeout=60)


PROFILE = (
    "[profile euca]\nregion = eucalyptus\n"
    f"euca_breaker_storage = redis://:{SECRET}@127.0.0.1:6379/0\n"
    f"euca_endpoint_urls = http://admin:{SECRET}@127.0.0.1:9/, http://127.0.0.2:9/\n"
)


def test_config_shows_urls_without_their_passwords(aws_config: Callable[[str], Path]) -> None:
    aws_config(PROFILE)
    result = run("config", "--profile", "euca")
    assert result.returncode == 0, result.stderr
    assert SECRET not in result.stdout + result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[2:]}
    assert rows["euca_breaker_storage"].split()[1] == "redis://:***@127.0.0.1:6379/0"
    assert rows["euca_endpoint_urls"].split()[1] == "http://admin:***@127.0.0.1:9/,"


def test_endpoints_shows_urls_without_their_passwords(aws_config: Callable[[str], Path]) -> None:
    aws_config(PROFILE)
    result = run("endpoints", "--profile", "euca", "--service", "euprop")
    assert result.returncode == 0, result.stderr
    assert SECRET not in result.stdout + result.stderr
    # An endpoint is known by its URL without user information, which botocore never sends.
    assert "  http://127.0.0.1:9/services/Properties  " in result.stdout


def test_a_bad_value_is_reported_without_its_password(aws_config: Callable[[str], Path]) -> None:
    aws_config(f"[profile euca]\neuca_breaker_storage = redis://:{SECRET}@127.0.0.1:port/0\n")
    result = run("config", "--profile", "euca")
    assert result.returncode == 2
    assert SECRET not in result.stdout + result.stderr
    assert "euca_breaker_storage = 'redis://:***@127.0.0.1:port/0' is not valid" in result.stderr
