"""The real ``aws`` (AWS CLI v1) with the plugin in ``[plugins]``, against one LocalCloud."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_support import PROFILE, Aws, run_aws

from euca_boto.testing import LocalCloud


@pytest.fixture(scope="module")
def cloud_shape() -> dict[str, Any]:
    return {"endpoints": 3, "partitions": 1}


@pytest.fixture(autouse=True)
def healthy(cloud: LocalCloud) -> Iterator[None]:
    """Every test starts with no fault and every endpoint up, and leaves it so."""
    cloud.clear()
    yield
    cloud.clear()


@pytest.fixture
def write_profile(cloud: LocalCloud, tmp_path: Path) -> Callable[..., dict[str, str]]:
    """Write a profile for the cloud with ``lines`` in it and the plugin enabled; return the
    environment that selects it. ``services=False`` leaves out the ``services`` section, so
    euca-boto chooses the endpoints."""

    def write(*lines: str, services: bool = True) -> dict[str, str]:
        config, credentials = cloud.write_aws_files(tmp_path, profile=PROFILE)
        text = config.read_text() if services else (
            f"[profile {PROFILE}]\nregion = {cloud.region}\neuca_endpoint = {cloud.url}\n")
        header = f"[profile {PROFILE}]\n"
        text = text.replace(header, header + "".join(f"{line}\n" for line in lines))
        config.write_text(text + "\n[plugins]\neuca = euca_boto.awscli_plugin\n")
        return {
            "AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
            "AWS_PROFILE": PROFILE,
            # Endpoint and breaker state the CLI remembers across commands: this test's own.
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
        }

    return write


@pytest.fixture
def aws() -> Aws:
    return run_aws
