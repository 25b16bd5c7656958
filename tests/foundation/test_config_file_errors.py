"""Mistakes in the AWS config file that botocore itself trips over, and a wire-log file name the
file system refuses: one ConfigError saying what and where, exit status 2 from ``euca-boto
config``, and the same error from ``euca_boto.session()``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import euca_boto


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "euca_boto.cli", *args],
                          capture_output=True, text=True, timeout=60)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("euca-boto: configuration error: ")
    return line


@pytest.mark.parametrize(("text", "where"), [
    ("[profile euca]\nregion = eucalyptus\nproperties =\n    euca_retry_max_attempts = 3\n"
     "    this is garbage\n",
     "line 5: 'this is garbage' in the nested block 'properties' of [profile euca] is not a "
     "`key = value` line"),
    ("[profile euca]\neuca_retry_max_attempts = 3\neuca_retry_max_attempts = 4\n",
     "line 3: 'euca_retry_max_attempts' is set twice in [profile euca]; keep one"),
], ids=["garbage line in a service block", "key set twice"])
def test_a_config_file_botocore_cannot_parse(aws_config: Callable[[str], Path], text: str,
                                             where: str) -> None:
    path = aws_config(text)
    line = one_line_error(run("config", "--profile", "euca"))
    assert line.endswith(f"{path}, {where}")
    with pytest.raises(euca_boto.ConfigError) as raised:
        euca_boto.session(profile_name="euca")
    assert str(raised.value) == f"{path}, {where}"


def test_a_wire_log_file_name_too_long_for_the_file_system(
        aws_config: Callable[[str], Path], tmp_path: Path) -> None:
    name_max = os.pathconf(tmp_path, "PC_NAME_MAX")
    long_name = tmp_path / ("w" * (name_max + 1))
    aws_config(f"[profile euca]\nregion = eucalyptus\neuca_wire_log_file = {long_name}\n")
    line = one_line_error(run("config", "--profile", "euca"))
    assert f"euca_wire_log_file = '{long_name}' is not valid; expected a file path in an " \
           "existing, writable directory, with a name the file system accepts" in line
    with pytest.raises(euca_boto.ConfigError) as raised:
        euca_boto.session(profile_name="euca")
    assert str(raised.value) == line.removeprefix("euca-boto: configuration error: ")
    assert not long_name.parent.joinpath("w").exists()
