"""Fixtures of the state-file tests: the module's LocalCloud (two endpoints) fresh for each test,
and a profile for it with the AWS CLI plugin, for the processes :mod:`state_support` runs."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from state_support import PROFILE

from euca_boto.testing import LocalCloud


@pytest.fixture
def env(fresh_cloud: LocalCloud, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> Callable[..., dict[str, str]]:
    """Write the cloud's profile with the CLI plugin and ``extra`` lines; the environment of
    a process that uses it (with this test's own XDG_CACHE_HOME)."""
    for name in list(os.environ):
        if name.startswith(("EUCA_BOTO_", "AWS_")):
            monkeypatch.delenv(name)

    def write(*extra: str) -> dict[str, str]:
        config, credentials = fresh_cloud.write_aws_files(tmp_path / "aws", profile=PROFILE)
        header = f"[profile {PROFILE}]\n"
        lines = "".join(f"{line}\n" for line in extra)
        text = config.read_text().replace(header, header + lines, 1)
        config.write_text(text + "\n[plugins]\neuca = euca_boto.awscli_plugin\n")
        values = {
            "AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
            "AWS_PROFILE": PROFILE,
            "AWS_PAGER": "",
        }
        for key, value in values.items():
            monkeypatch.setenv(key, value)
        return {**os.environ, **values}

    return write
