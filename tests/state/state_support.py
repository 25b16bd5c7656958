"""Real processes against the state tests' cloud: the ``aws`` command, ``euca-boto`` and short
Python scripts, each in the environment the ``env`` fixture wrote."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from euca_boto.testing import LocalCloud

PROFILE = "localcloud"
BIN = Path(sys.executable).parent
WORKER = Path(__file__).with_name("state_worker.py")


def run(env: dict[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)


def aws(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run(env, str(BIN / "aws"), *args)


def describe(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return aws(env, "euprop", "describe-properties", "--properties", "dns.enabled")


def euca_boto_command(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run(env, str(BIN / "euca-boto"), *args)


def script(env: dict[str, str], calls: int, *settings: str) -> subprocess.CompletedProcess[str]:
    """A Python process making ``calls`` calls through ``euca_boto.session(..., settings)``."""
    return run(env, sys.executable, str(WORKER), "calls", PROFILE, str(calls), *settings)


def hits(cloud: LocalCloud, i: int) -> int:
    return sum(1 for r in cloud.endpoint(i).requests if r.action == "DescribeProperties")
