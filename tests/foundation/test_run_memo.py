"""``euca-boto run`` remembers what it derived from an unchanged config file.

Every tool started through ``run`` waits for the launcher; reading the profile with
``configparser`` (and the ``re`` it imports) was most of what the launcher added to a bare
Python start, on every start. Each test runs the installed ``euca-boto`` as a user's shell does,
with a shell command that prints the endpoint variable the launcher exported.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from euca_boto.cli import runmemo

BIN = Path(sys.executable).parent
PRINT_URL = ["/bin/sh", "-c", 'printf %s "$AWS_ENDPOINT_URL_EUPROP"']


def launch(extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``euca-boto run -- sh -c 'print the euprop URL'``, the launcher's imports on stderr."""
    env = {**os.environ, "AWS_PROFILE": "euca", "PYTHONPROFILEIMPORTTIME": "1", **(extra or {})}
    result = subprocess.run([BIN / "euca-boto", "run", "--", *PRINT_URL], capture_output=True,
                            text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    return result


def imported(result: subprocess.CompletedProcess[str]) -> set[str]:
    return {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
            if line.startswith("import time:") and "|" in line}


def settled_config(aws_config: Callable[[str], Path], port: int) -> Path:
    """A config file pointing the profile at ``port``, old enough to be remembered."""
    path = aws_config(f"[profile euca]\neuca_endpoint = http://127.0.0.1:{port}\n")
    time.sleep(runmemo.SETTLE + 0.2)
    return path


def test_a_second_start_with_an_unchanged_config_reads_neither_the_file_nor_configparser(
    aws_config: Callable[[str], Path],
) -> None:
    settled_config(aws_config, 8773)
    first = launch()
    again = launch()
    assert first.stdout == again.stdout == "http://127.0.0.1:8773/services/Properties"
    assert "configparser" in imported(first)
    assert {"configparser", "re"} & imported(again) == set()


def test_a_changed_config_gives_its_new_endpoints_at_once(
    aws_config: Callable[[str], Path],
) -> None:
    settled_config(aws_config, 8773)
    assert launch().stdout == "http://127.0.0.1:8773/services/Properties"
    # Same size, changed at once: only its times (and the rule about fresh files) tell.
    aws_config("[profile euca]\neuca_endpoint = http://127.0.0.1:9773\n")
    assert launch().stdout == "http://127.0.0.1:9773/services/Properties"
    assert launch().stdout == "http://127.0.0.1:9773/services/Properties"


def test_another_profile_or_variable_is_not_answered_from_the_memo(
    aws_config: Callable[[str], Path],
) -> None:
    aws_config("[profile euca]\neuca_endpoint = http://127.0.0.1:8773\n"
               "[profile other]\neuca_endpoint = http://127.0.0.1:9773\n")
    time.sleep(runmemo.SETTLE + 0.2)
    assert launch().stdout == "http://127.0.0.1:8773/services/Properties"
    assert launch({"AWS_PROFILE": "other"}).stdout == "http://127.0.0.1:9773/services/Properties"
    assert launch({"EUCA_BOTO_ENDPOINT": "http://127.0.0.1:7773"}).stdout == (
        "http://127.0.0.1:7773/services/Properties")
    assert launch().stdout == "http://127.0.0.1:8773/services/Properties"


def test_a_memo_that_others_could_have_written_is_not_used(
    aws_config: Callable[[str], Path],
) -> None:
    settled_config(aws_config, 8773)
    launch()
    memo = Path(runmemo.path())
    # The launcher answers from its memo, as written by this user ...
    memo.write_text(memo.read_text().replace("127.0.0.1:8773", "127.0.0.2:8773"))
    assert launch().stdout == "http://127.0.0.2:8773/services/Properties"
    # ... but not from one that others may write, or in a directory others may write.
    memo.chmod(0o622)
    assert launch().stdout == "http://127.0.0.1:8773/services/Properties"
    memo.write_text(memo.read_text().replace("127.0.0.1:8773", "127.0.0.2:8773"))
    memo.chmod(0o600)
    memo.parent.chmod(0o777)
    try:
        assert launch().stdout == "http://127.0.0.1:8773/services/Properties"
    finally:
        memo.parent.chmod(0o700)


def test_the_memo_is_private_and_holds_no_secret(aws_config: Callable[[str], Path],
                                                 tmp_path: Path) -> None:
    settled_config(aws_config, 8773)
    (tmp_path / "credentials").write_text(
        "[euca]\naws_access_key_id = AKIDMEMO\naws_secret_access_key = memo-secret\n")
    launch({"AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials")})
    memo = Path(runmemo.path())
    assert memo.stat().st_mode & 0o777 == 0o600
    assert memo.parent.stat().st_mode & 0o777 == 0o700
    assert "memo-secret" not in memo.read_text() and "AKIDMEMO" not in memo.read_text()
