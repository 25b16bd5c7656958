"""Running the real ``aws`` next to the test interpreter, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

AWS = str(Path(sys.executable).with_name("aws"))
PROFILE = "localcloud"

# Quick, bounded retries: the tests inject short bursts of failures.
QUICK = ("euca_retry_base_delay = 0.01", "euca_retry_delay = 0.05")

Aws = Callable[..., "subprocess.CompletedProcess[str]"]


def run_aws(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``aws ARGS...`` with ``env`` over an environment free of AWS and euca-boto
    variables (so the caller's shell cannot leak in)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EUCA_BOTO_"))}
    return subprocess.run([AWS, *args], capture_output=True, text=True, timeout=120,
                          env={**base, **env, "AWS_PAGER": ""})
