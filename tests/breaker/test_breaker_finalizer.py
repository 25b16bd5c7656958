"""A call the client plugin's breaker admitted but that was never sent is settled when its
request context is dropped: by the next call, never by the garbage collector's thread."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from awsenv import AwsEnv, lines

from euca_boto.core.models import models_path
from euca_boto.testing import LocalCloud

WORKER = Path(__file__).with_name("finalizer_worker.py")


def test_a_probe_finalized_inside_the_state_files_lock_neither_deadlocks_nor_is_lost(
    cloud: LocalCloud, aws_env: AwsEnv, tmp_path: Path
) -> None:
    state_file = tmp_path / "state.sqlite3"
    aws_env.use(*aws_env.write_profile(cloud, "finalizer", lines(
        "euca_breaker_fail_max = 1", "euca_breaker_reset_timeout = 0",
        "euca_retry_max_attempts = 1", f"euca_state = {state_file}")))
    cloud.clear()
    cloud.endpoint(0).fail(503)
    try:
        done = subprocess.run(
            [sys.executable, str(WORKER), "finalizer", str(state_file)],
            env={**os.environ, "BOTOCORE_EXPERIMENTAL__PLUGINS": "euca=euca_boto",
                 "AWS_DATA_PATH": str(models_path())},
            capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired as hung:
        raise AssertionError(f"the process deadlocked; it printed: {hung.stdout!r}") from None
    finally:
        cloud.clear()
    assert done.stdout.splitlines() == ["error 503", "abandoned", "refused", "ok", "closed"], (
        done.stdout + done.stderr)
