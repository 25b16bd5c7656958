"""The second test environment: the low end of the supported botocore range.

aiobotocore pins its own botocore, older than the one plain boto3 brings, so its tests cannot run
beside the newest botocore. :func:`python` builds ``.venv-aio`` at the top of the checkout once
(again when ``pyproject.toml`` changes) and returns its interpreter. It holds exactly the lower
bound of botocore that ``pyproject.toml`` declares, the boto3 released with it, the aiobotocore
pip finds for it, and the AWS CLI made for it on plain botocore (awscli 1.45.N ran on botocore
1.43.N; from 1.46 on the CLI carries its own fork, which the first environment tests).
"""

from __future__ import annotations

import fcntl
import hashlib
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-aio"
STAMP = VENV / "euca-boto-built-from"
# Held while building: two test workers that both find the environment missing must not build
# it at once (one's `venv --clear` would empty what the other is installing into).
LOCK = ROOT / ".venv-aio.lock"


def _run(*command: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=ROOT)
    if result.returncode != 0:
        raise RuntimeError(f"building {VENV} failed: {' '.join(command)}\n{result.stderr[-3000:]}")
    return result.stdout


def botocore_floor() -> str:
    """The lower bound of botocore in ``pyproject.toml``'s dependencies."""
    found = re.search(r'"botocore>=([0-9.]+)', (ROOT / "pyproject.toml").read_text())
    if found is None:
        raise RuntimeError("pyproject.toml declares no lower bound for botocore")
    return found.group(1)


def _key() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def needs_build() -> bool:
    """Whether :func:`python` has to build the environment first (it is missing or out of
    date)."""
    interpreter = VENV / "bin" / "python"
    return not (interpreter.exists() and STAMP.exists() and STAMP.read_text() == _key())


def python() -> Path:
    """The interpreter of the aiobotocore environment, built if missing or out of date."""
    key = _key()
    interpreter = VENV / "bin" / "python"
    if not needs_build():
        return interpreter
    with open(LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if needs_build():  # not built by another worker meanwhile
            _build(interpreter, key)
    return interpreter


def _build(interpreter: Path, key: str) -> None:
    _run(sys.executable, "-m", "venv", "--clear", str(VENV))
    pip = (str(interpreter), "-m", "pip", "install", "-q", "--disable-pip-version-check")
    floor = botocore_floor()
    # boto3 and botocore are released in step, and so were awscli 1.45 and botocore 1.43.
    _run(*pip, "-e", ".[test]", f"botocore=={floor}", f"boto3=={floor}",
         f"awscli==1.45.{floor.rsplit('.', 1)[1]}", "aiobotocore>=3.9")
    STAMP.write_text(key)
