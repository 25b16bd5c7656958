"""The real-tool matrix: unmodified tools, run as a user runs them, against LocalCloud.

Every test writes its own profile (two endpoints, quick bounded retries, a wire-log file, a
breaker that opens at the first failed call) and its own HOME, and runs the tool in a child
process: under ``euca-boto run``, or with botocore's plugin variable. Ansible, Cloud Custodian
and s3fs pin botocore and each other, so they come from a separate, cached environment built by
``tools/tools-venv.sh`` on first use (tests marked ``tools``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from toolrun import ATTEMPTS, BIN, INSTALL_TIMEOUT, REPO, TOOLS_BUILD_TIMEOUT, Tool

from euca_boto.testing import LocalCloud


@pytest.fixture
def tool(cloud: LocalCloud, tmp_path: Path) -> Callable[..., Tool]:
    """Write a profile (``extra`` lines appended) and return the :class:`Tool` for it."""
    cloud.clear()
    cloud.clear_requests()

    def make(extra: str = "", *, endpoints: Sequence[int] = (0, 1),
             wire: str | None = "all") -> Tool:
        profile = f"tools-{uuid.uuid4().hex[:8]}"
        home = tmp_path / "home"
        (home / ".aws").mkdir(parents=True, exist_ok=True)
        urls = ", ".join(cloud.endpoint(i).url for i in endpoints)
        config = home / ".aws" / "config"
        config.write_text(
            f"[profile {profile}]\n"
            f"region = {cloud.region}\n"
            f"euca_endpoint_urls = {urls}\n"
            f"euca_retry_max_attempts = {ATTEMPTS}\n"
            "euca_retry_base_delay = 0.01\n"
            "euca_retry_delay = 0.02\n"
            "euca_breaker_fail_max = 1\n"
            + (f"euca_wire_log = {wire}\neuca_wire_log_file = {tmp_path / 'wire.log'}\n"
               if wire else "")
            + extra
        )
        credentials = home / ".aws" / "credentials"
        credentials.write_text(cloud.credentials_text(profile))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("AWS_", "EUCA_BOTO_", "BOTOCORE_", "PYTHON", "XDG_"))}
        env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), AWS_PROFILE=profile,
                   AWS_PAGER="",
                   AWS_CONFIG_FILE=str(config), AWS_SHARED_CREDENTIALS_FILE=str(credentials),
                   PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
        return Tool(cloud, tmp_path, profile, env)

    return make


def _installed(script: str, what: str, *args: str, timeout: float = INSTALL_TIMEOUT) -> Path:
    """The path a tools/ install script prints (installing on first use), or a skip saying
    why the tests that need it did not run."""
    if shutil.which("flock") is None:
        pytest.skip(f"REAL-TOOL TESTS NOT RUN: flock (util-linux) is missing, so "
                    f"tools/{script} cannot install {what}")
    try:
        built = subprocess.run([str(REPO / "tools" / script), *args], capture_output=True,
                               text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.skip(f"REAL-TOOL TESTS NOT RUN: installing {what} took more than "
                    f"{timeout:.0f} s (tools/{script})")
    if built.returncode != 0:
        tail = built.stderr.strip().splitlines()[-3:]
        pytest.skip(f"REAL-TOOL TESTS NOT RUN: tools/{script} could not install {what}: "
                    + " | ".join(tail))
    return Path(built.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def tools_bin() -> Path:
    """The bin directory of the cached tools environment (built on first use)."""
    venv = REPO / ".venv-tools"
    return _installed("tools-venv.sh", f"the tools environment {venv}", str(venv),
                      timeout=TOOLS_BUILD_TIMEOUT) / "bin"


@pytest.fixture(scope="session")
def aws_v2() -> Path:
    """The AWS CLI v2 (Debian's package, on the system Python; installed on first use)."""
    return _installed("awscli-v2.sh", "the AWS CLI v2")


@pytest.fixture(scope="session")
def node_sdk() -> Path:
    """The directory holding the AWS SDK for JavaScript v3 clients (installed on first use)."""
    return REPO / _installed("node-sdk.sh", "the AWS SDK for JavaScript v3")
