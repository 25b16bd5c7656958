"""``euca-boto awscli enable`` / ``disable`` with the AWS CLI v1 next to the interpreter: the
``[plugins]`` lines, nothing else touched, and bad input refused with the file as it was.
(The AWS CLI v2 and its plugin directory: tests/tools/test_aws_cli_v2.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import AWS, PROFILE, run_aws

from euca_boto.testing import LocalCloud

BIN = Path(sys.executable).parent
MINE = "# my own settings\n[profile mine]\nregion = us-east-1\ncli_pager =\n"


def euca_boto(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EUCA_BOTO_"))}
    env.update(AWS_CONFIG_FILE=str(config), HOME=str(config.parent))
    return subprocess.run([BIN / "euca-boto", "awscli", *args], capture_output=True, text=True,
                          timeout=300, env=env)


@pytest.fixture
def config(cloud: LocalCloud, tmp_path: Path) -> Path:
    """The cloud's profile (plugin not enabled) after a profile of the user's own."""
    path, _ = cloud.write_aws_files(tmp_path, profile=PROFILE)
    path.write_text(MINE + "\n" + path.read_text())
    return path


def test_enable_adds_the_plugins_lines_and_disable_removes_them(
    cloud: LocalCloud, config: Path,
) -> None:
    before = config.read_text()
    enabled = euca_boto(config, "enable", "--aws", AWS, "--profile", PROFILE)
    assert enabled.returncode == 0, enabled.stderr
    assert enabled.stdout.startswith("enabled: euca-boto in the AWS CLI 1.")
    assert config.read_text() == before + "\n[plugins]\neuca = euca_boto.awscli_plugin\n"

    env = {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE":
           str(config.with_name("credentials")), "AWS_PROFILE": PROFILE,
           "XDG_CACHE_HOME": str(config.parent / "cache")}
    answer = run_aws(env, "euprop", "describe-properties", "--properties", "dns.enabled")
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout)["Properties"][0]["Name"] == "dns.enabled"

    again = euca_boto(config, "enable", "--aws", AWS)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("already enabled:")
    assert config.read_text() == before + "\n[plugins]\neuca = euca_boto.awscli_plugin\n"

    disabled = euca_boto(config, "disable")
    assert disabled.returncode == 0, disabled.stderr
    assert config.read_text() == before


def test_a_config_file_that_cannot_be_parsed_is_left_as_it_was(config: Path) -> None:
    config.write_text(config.read_text().replace("cli_pager =\n", "cli_pager =\nregion = "
                                                                   "eu-west-1\n"))
    before = config.read_bytes()
    result = euca_boto(config, "enable", "--aws", AWS)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"euca-boto awscli enable: {config}, line 5: 'region' is set twice in [profile mine]; "
        f"keep one"]
    assert config.read_bytes() == before


@pytest.mark.parametrize("kind", ["another program", "missing"])
def test_a_cli_it_cannot_identify_is_refused(config: Path, tmp_path: Path, kind: str) -> None:
    if kind == "missing":
        aws, said = str(tmp_path / "no-such-aws"), f"{tmp_path / 'no-such-aws'} is not an " \
                                                     f"executable file"
    else:
        aws = str(tmp_path / "aws")
        Path(aws).write_text("#!/bin/sh\necho 'usage: aws [options]'\n")
        Path(aws).chmod(0o755)
        said = (f"cannot identify the AWS CLI at {aws}: `{aws} --version` said "
                f"'usage: aws [options]'")
    before = config.read_bytes()
    result = euca_boto(config, "enable", "--aws", aws)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"euca-boto awscli enable: {said}"]
    assert config.read_bytes() == before


def test_the_v1_cli_is_not_given_a_plugin_path_it_cannot_read(config: Path) -> None:
    config.write_text(config.read_text() + "\n[plugins]\ncli_legacy_plugin_path = /opt/x\n")
    before = config.read_bytes()
    result = euca_boto(config, "enable", "--aws", AWS)
    assert result.returncode == 2
    assert "which the AWS CLI v1 cannot read: it would fail every command" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert config.read_bytes() == before


def test_a_cli_that_fails_with_the_plugin_is_left_without_it(config: Path) -> None:
    before = config.read_bytes()
    result = euca_boto(config, "enable", "--aws", AWS, "--profile", "no-such-profile")
    assert result.returncode == 1
    assert result.stderr.startswith("euca-boto awscli enable: the AWS CLI 1.")
    assert "fails with the plugin enabled: " in result.stderr
    assert "no-such-profile" in result.stderr
    assert result.stderr.rstrip().endswith("; nothing was changed")
    assert config.read_bytes() == before
