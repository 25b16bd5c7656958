"""The async examples run as a user runs them, against their embedded LocalCloud."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from modes import needs_aiobotocore

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(autouse=True)
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No AWS files or EUCA_BOTO_ variables of the machine reach the examples."""
    for name in list(os.environ):
        if name.startswith(("EUCA_BOTO_", "AWS_")):
            monkeypatch.delenv(name)
    for name in ("config", "credentials"):
        (tmp_path / name).write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))


def run(name: str) -> str:
    done = subprocess.run([sys.executable, str(EXAMPLES / name)], capture_output=True,
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


@needs_aiobotocore
def test_async_aiobotocore_example() -> None:
    output = run("async_aiobotocore.py")
    assert "50 concurrent calls: 50 answered" in output
    assert "after two 503s: {'Attempts': 3" in output
    assert re.search(r"refused without a request: circuit breaker "
                     r"'default/euprop@127\.0\.0\.1:\d+\+fail_max=3' is open", output)

