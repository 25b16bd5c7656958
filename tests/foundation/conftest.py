"""Fixtures for the foundation tests: an isolated AWS configuration per test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from awsenv import AwsEnv


@pytest.fixture(autouse=True)
def isolated(aws_env: AwsEnv) -> AwsEnv:
    """Every test here starts with empty AWS files and no AWS_ or EUCA_BOTO_ variables."""
    return aws_env


@pytest.fixture
def aws_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write the text of ~/.aws/config for this test."""

    def write(text: str) -> Path:
        path = tmp_path / "config"
        path.write_text(text)
        return path

    return write
