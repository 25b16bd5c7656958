"""A test's AWS settings, kept apart from the developer's: what the ``aws_env`` fixture gives.

botocore reads ``~/.aws/config``, ``~/.aws/credentials`` and many ``AWS_*`` variables, and
euca-boto its ``EUCA_BOTO_*`` ones; a test that let any of them through would pass or fail with
the machine it runs on. :class:`AwsEnv` drops those variables, points botocore at files in the
test's own directory, and writes a LocalCloud's profile there when a test wants one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from euca_boto.testing import LocalCloud

PROFILE = "localcloud"
PLUGIN_SECTION = "\n[plugins]\neuca = euca_boto.awscli_plugin\n"
# An image of the local cloud's catalogue to run instances of: tests name it rather than take the
# first of ``describe_images``, whose 1,366 images cost nearly 2 s of CPU to list and parse.
IMAGE = "ami-12c6146b"


def clear_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Drop every ``AWS_*`` and ``EUCA_BOTO_*`` variable (restored with ``monkeypatch``)."""
    for name in list(os.environ):
        if name.startswith(("EUCA_BOTO_", "AWS_")):
            monkeypatch.delenv(name)


class AwsEnv:
    """No AWS or euca-boto variables from outside; botocore reads ``config`` and
    ``credentials`` in ``directory`` (empty until a test writes them)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
        self.monkeypatch = monkeypatch
        self.directory = directory
        self.config = directory / "config"
        self.credentials = directory / "credentials"
        clear_aws_env(monkeypatch)
        self.config.write_text("")
        self.credentials.write_text("")
        self.use(self.config, self.credentials)

    def use(self, config: Path, credentials: Path, **variables: str) -> dict[str, str]:
        """Point botocore at these files (plus ``variables``); the variables set."""
        values = {
            "AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
            **variables,
        }
        for key, value in values.items():
            self.monkeypatch.setenv(key, value)
        return values

    def write_profile(
        self,
        cloud: LocalCloud,
        profile: str = PROFILE,
        extra: str = "",
        *,
        plugin: bool = False,
        directory: Path | None = None,
    ) -> tuple[Path, Path]:
        """Write ``cloud``'s profile (``extra`` text at the top of its section; the AWS CLI
        plugin in ``[plugins]`` if ``plugin``) and return the config and credentials files.
        The environment is left as it is: :meth:`use` them."""
        config, credentials = cloud.write_aws_files(directory or self.directory, profile=profile)
        header = f"[profile {profile}]\n"
        text = config.read_text().replace(header, header + extra, 1)
        config.write_text(text + (PLUGIN_SECTION if plugin else ""))
        return config, credentials


def lines(*extra: str) -> str:
    """``key = value`` lines as profile text."""
    return "".join(f"{line}\n" for line in extra)
