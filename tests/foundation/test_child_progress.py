"""The child runs of the test run (the real-tool group, the second environment) say how far they
are while they run, on the terminal of ``pytest -q``, with or without xdist: a child run of 20
tests, started the way those groups start theirs (``child_pytest.run_child_pytest``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# The harness of the `environments` tests: it runs where they run.
pytestmark = pytest.mark.environments

TESTS = Path(__file__).resolve().parents[1]

CHILD_SUITE = """
import time
import pytest

@pytest.mark.parametrize("n", range(20))
def test_step(n):
    time.sleep(0.05)
"""

PARENT = """
from pathlib import Path
from child_pytest import run_child_pytest

def test_group(pytestconfig):
    here = Path(__file__).parent
    result = run_child_pytest(pytestconfig, "a group", {python!r},
                              ["-p", "no:cacheprovider", "child"], cwd=here, timeout=120)
    assert result.returncode == 0
"""


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["plain", "xdist"])
def test_a_child_run_shows_its_progress_in_pytest_q(tmp_path: Path,
                                                    workers: list[str]) -> None:
    (tmp_path / "child").mkdir()
    (tmp_path / "child" / "test_child.py").write_text(CHILD_SUITE)
    (tmp_path / "test_parent.py").write_text(PARENT.format(python=sys.executable))
    env = {**os.environ, "PYTHONPATH": str(TESTS)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *workers,
         "test_parent.py"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in (result.stdout + result.stderr).splitlines()
             if line.startswith("[a group]")]
    assert lines[0].startswith("[a group] started: -m pytest -v -p no:cacheprovider child")
    assert [line.split("%")[0] for line in lines[1:-1]] == [
        f"[a group] {n}" for n in range(10, 101, 10)]
    assert lines[-1].startswith("[a group] ended, ") and lines[-1].endswith(
        "20 passed in " + lines[-1].rsplit("20 passed in ", 1)[-1])

