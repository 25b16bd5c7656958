"""``EUCA_TEST_SHARD=k/n`` (tests/conftest.py), which CI's runs on the other Pythons take one
each of: the shares of a run hold every test of the run once, whole modules, of about the same
size; a malformed share is refused with one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# The harness of CI's runs on the other Pythons: checked where the whole suite runs.
pytestmark = pytest.mark.environments

TESTS = Path(__file__).resolve().parents[1]
FOLDERS = ["tests/typed", "tests/clientconfig", "tests/models"]


def collected(shard: str | None) -> tuple[int, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.pop("EUCA_TEST_SHARD", None)
    if shard is not None:
        env["EUCA_TEST_SHARD"] = shard
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "-p", "no:randomly", *FOLDERS],
        cwd=TESTS.parent, env=env, capture_output=True, text=True, timeout=300,
    )
    return run.returncode, [line for line in run.stdout.splitlines() if "::" in line]


def test_the_shares_hold_every_test_once_by_whole_modules() -> None:
    code, everything = collected(None)
    assert code == 0 and len(everything) > 30
    shares = []
    for share in range(3):
        code, tests = collected(f"{share}/3")
        assert code == 0, tests
        shares.append(tests)
    assert sorted(test for tests in shares for test in tests) == sorted(everything)
    modules = [{test.split("::")[0] for test in tests} for tests in shares]
    assert not (modules[0] & modules[1] or modules[0] & modules[2] or modules[1] & modules[2])
    assert all(tests for tests in shares)


def test_a_malformed_share_is_refused_with_one_line() -> None:
    env = {**os.environ, "EUCA_TEST_SHARD": "3/3"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
         "tests/typed"],
        cwd=TESTS.parent, env=env, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode != 0
    assert "EUCA_TEST_SHARD='3/3': expected k/n" in run.stdout + run.stderr
