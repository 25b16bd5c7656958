"""Fixtures for the foundation tests: an isolated AWS configuration per test."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_aws_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point botocore at empty files in tmp_path and drop settings from the environment."""
    for name in list(os.environ):
        if name.startswith(("EUCA_BOTO_", "AWS_")):
            monkeypatch.delenv(name)
    config = tmp_path / "config"
    config.write_text("")
    credentials = tmp_path / "credentials"
    credentials.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    yield


@pytest.fixture
def aws_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write the text of ~/.aws/config for this test."""

    def write(text: str) -> Path:
        path = tmp_path / "config"
        path.write_text(text)
        return path

    return write
