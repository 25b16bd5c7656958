"""A LocalCloud and a profile for it, shared by the admin tests of this folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import euca_boto
from euca_boto.testing import LocalCloud


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud() as running:
        yield running


@pytest.fixture
def profile_env(
    cloud: LocalCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """AWS_CONFIG_FILE and friends pointing at a profile for the cloud, with the CLI plugin."""
    for name in list(os.environ):
        if name.startswith(("EUCA_BOTO_", "AWS_")):
            monkeypatch.delenv(name)
    config, credentials = cloud.write_aws_files(tmp_path, profile="localcloud")
    with open(config, "a") as handle:
        handle.write("\n[plugins]\neuca = euca_boto.awscli_plugin\n")
    values = {
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_PROFILE": "localcloud",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


@pytest.fixture
def session(profile_env: dict[str, str]) -> Any:
    return euca_boto.session(profile_name="localcloud")
