"""``euca-boto run`` imports euca-boto from its own installation only.

A Python process puts the working directory (``python -c``) or the script's directory first on
its path; under ``euca-boto run`` its start-up hook imports euca-boto, so a package named
``euca_boto`` planted there by anyone who can write to it would run with the user's rights.
Without ``run`` the same command never imports it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from awsenv import PROFILE

BIN = Path(sys.executable).parent
PROGRAM = "import boto3; print(type(boto3.client('euprop')).__name__)"


@pytest.mark.parametrize("where", ["working directory", "script's directory",
                                   "directory of a script run in the launcher's process"])
def test_a_planted_euca_boto_package_is_not_imported(
    aws_files: Callable[[str], Path], tmp_path: Path, where: str,
) -> None:
    shared = tmp_path / "shared"
    planted = shared / "euca_boto"
    planted.mkdir(parents=True)
    ran = tmp_path / "planted-code-ran"
    (planted / "__init__.py").write_text(f"open({str(ran)!r}, 'w').write('yes')\n")
    if where == "working directory":
        command = [sys.executable, "-c", PROGRAM]
    elif where == "script's directory":
        (shared / "program.py").write_text(PROGRAM + "\n")
        command = [sys.executable, str(shared / "program.py")]
    else:  # a script of euca-boto's own Python runs in the launcher (the tool's case)
        script = shared / "program"
        script.write_text(f"#!{sys.executable}\n{PROGRAM}\n")
        script.chmod(0o755)
        command = [str(script)]
    env = {**os.environ, "AWS_PROFILE": PROFILE}
    result = subprocess.run([BIN / "euca-boto", "run", "--", *command], capture_output=True,
                            text=True, timeout=120, cwd=shared, env=env)
    assert not ran.exists()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ProtectedClient"  # the installed euca-boto is in use
