"""The admin examples run as a user runs them (against an embedded LocalCloud by default)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(EXAMPLES / name)], capture_output=True,
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
