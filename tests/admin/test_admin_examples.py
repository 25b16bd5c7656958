"""The admin examples run as a user runs them (against an embedded LocalCloud by default)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                          text=True, timeout=120, cwd=EXAMPLES)


@pytest.mark.parametrize(("name", "expected"), [
    ("list_services.py", "ENABLED   PARTI01"),
    ("properties.py", "after reset:   dns.enabled = true"),
    ("create_account.py", "users of example-acme: admin"),
])
def test_example_runs_and_prints_its_result(name: str, expected: str) -> None:
    result = run(name)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


@pytest.mark.parametrize("name", ["list_services.py", "properties.py", "create_account.py",
                                  "async_futures.py", "async_wrap.py"])
def test_an_example_with_a_missing_profile_says_so_in_one_line(
    name: str, profile_env: dict[str, str]
) -> None:
    result = run(name, "--profile", "nosuch")
    assert result.returncode == 2
    assert result.stderr == (
        f"{name}: configuration error: profile 'nosuch' was not found in the AWS config files "
        f"({profile_env['AWS_CONFIG_FILE']})\n")


def test_create_account_runs_twice_against_the_same_cloud(profile_env: dict[str, str]) -> None:
    for _ in range(2):
        result = run("create_account.py", "--profile", "localcloud")
        assert result.returncode == 0, result.stderr
        assert "deleted account example-acme" in result.stdout
