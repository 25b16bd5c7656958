"""The ``euca-boto`` command, run as a user runs it: in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import euca_boto


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "euca_boto.cli", *args],
                          capture_output=True, text=True, timeout=60)


def test_models_path_prints_the_models_directory() -> None:
    result = run("models-path")
    assert result.returncode == 0
    path = Path(result.stdout.strip())
    assert path == euca_boto.models_path()
    assert (path / "euserv").is_dir()


def test_config_shows_values_and_sources(aws_config: Callable[[str], Path],
                                         monkeypatch: object) -> None:
    aws_config("[profile euca]\neuca_retry_max_attempts = 4\n"
               "properties =\n    euca_retry_delay = 3\n")
    result = run("config", "--profile", "euca", "--service", "properties")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "profile euca, service properties"
    rows = {line.split()[0]: line for line in lines[2:]}
    assert rows["euca_retry_max_attempts"].split(None, 2)[1:] == ["4", "file (profile euca)"]
    assert rows["euca_retry_delay"].split(None, 2)[1:] == [
        "3", "file (profile euca, service block properties)"]
    assert rows["euca_retry_backoff"].split(None, 2)[1:] == ["exponential", "default"]


def test_config_reports_environment_source(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EUCA_BOTO_RETRY_DEADLINE", "30")
    result = run("config")
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[2:]}
    assert rows["euca_retry_deadline"].split(None, 2)[1:] == [
        "30", "environment (EUCA_BOTO_RETRY_DEADLINE)"]


def test_config_with_a_bad_value_exits_2_with_the_message(
    aws_config: Callable[[str], Path],
) -> None:
    aws_config("[default]\neuca_retry_backoff = linear\n")
    result = run("config")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "euca-boto: configuration error: profile 'default': euca_retry_backoff = 'linear' "
        "is not valid; expected one of exponential, fixed\n"
    )


def test_config_with_a_missing_profile_exits_2() -> None:
    result = run("config", "--profile", "missing")
    assert result.returncode == 2
    assert "profile 'missing' was not found" in result.stderr


def test_version_names_the_package_its_libraries_python_and_each_aws_cli(
    tmp_path: Path,
) -> None:
    import awscli
    import boto3
    import botocore

    # The AWS CLI v1 of this environment comes first, on the path or not; on the path, v2
    # (Debian's package; .ci/run installs it) and v1 again under another name: one AWS CLI.
    own_aws = Path(sys.executable).with_name("aws")
    v2 = Path("/usr/bin/aws")
    first, second = tmp_path / "first", tmp_path / "second"
    for directory, target in ((first, own_aws), (second, v2)):
        directory.mkdir()
        (directory / "aws").symlink_to(target)
    path = os.pathsep.join([str(first), str(second), str(v2.parent)])
    result = subprocess.run([sys.executable, "-m", "euca_boto.cli", "--version"],
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PATH": path})
    assert result.returncode == 0, result.stderr
    v2_version = subprocess.run([str(v2), "--version"], capture_output=True, text=True,
                                timeout=60).stdout.split()[0].split("/")[1]
    python = ".".join(str(part) for part in sys.version_info[:3])
    assert result.stdout.splitlines() == [
        f"euca-boto {euca_boto.__version__}",
        f"botocore {botocore.__version__}",
        f"boto3 {boto3.__version__}",
        f"Python {python} ({sys.executable})",
        f"AWS CLI v1 {awscli.__version__}: {own_aws}",
        f"AWS CLI v2 {v2_version}: {second / 'aws'}",
    ]
    assert result.stderr == ""


def test_version_says_when_no_aws_cli_is_found(tmp_path: Path) -> None:
    from euca_boto.cli.version import version_lines

    assert version_lines(path=str(tmp_path))[-1] == (
        "AWS CLI: none on PATH (pip install awscli installs v1 beside euca-boto)")
