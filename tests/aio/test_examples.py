"""The async examples run as a user runs them, against their embedded LocalCloud."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from awsenv import AwsEnv
from modes import HAVE_AIOBOTOCORE, needs_aiobotocore

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(autouse=True)
def clean_env(aws_env: AwsEnv) -> None:
    """No AWS files or EUCA_BOTO_ variables of the machine reach the examples."""


def run(name: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_async_futures_example() -> None:
    output = run("async_futures.py")
    assert "dns.: 2 properties" in output
    assert "done callbacks saw 6 answers: [200]" in output


def test_async_wrap_example() -> None:
    output = run("async_wrap.py")
    assert "gave up waiting; calls still running: 1" in output
    assert ("euprop DescribeProperties: ran to its end after its caller stopped waiting "
            "(cancelled)") in output


def test_async_wrap_example_against_a_profile_shows_the_line_it_refers_to(
    profile: Callable[[str], str],
) -> None:
    output = run("async_wrap.py", "--profile", profile())
    assert "gave up waiting; calls still running: 1" in output
    assert ("euprop DescribeProperties: ran to its end after its caller stopped waiting "
            "(cancelled)") in output
    assert "see the log line above" in output


@needs_aiobotocore
def test_async_aiobotocore_example() -> None:
    output = run("async_aiobotocore.py")
    assert "50 concurrent calls: 50 answered" in output
    assert "after two 503s: {'Attempts': 3" in output
    assert re.search(r"refused without a request: circuit breaker "
                     r"'default/euprop@127\.0\.0\.1:\d+\+fail_max=3' is open", output)



@pytest.mark.skipif(HAVE_AIOBOTOCORE, reason="aiobotocore is here: the example runs (above)")
def test_async_aiobotocore_example_says_how_to_get_an_environment_with_aiobotocore() -> None:
    done = subprocess.run([sys.executable, str(EXAMPLES / "async_aiobotocore.py")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert "needs aiobotocore" in line
    assert ("python3 -m venv .venv-aiobotocore && .venv-aiobotocore/bin/pip install -e "
            "'.[aio,cloud]'") in line
    assert ".venv-aiobotocore/bin/python examples/async_aiobotocore.py" in line
