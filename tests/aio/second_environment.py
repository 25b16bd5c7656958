"""The second test environment: this checkout with aiobotocore, and the older botocore it pins.

aiobotocore pins its own botocore, older than the one plain boto3 brings, so its tests cannot run
beside the newest botocore. :func:`python` builds ``.venv-aio`` at the top of the checkout once
(again when ``pyproject.toml`` changes) and returns its interpreter.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv-aio"
STAMP = VENV / "euca-boto-built-from"


def _run(*command: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=ROOT)
    if result.returncode != 0:
        raise RuntimeError(f"building {VENV} failed: {' '.join(command)}\n{result.stderr[-3000:]}")
    return result.stdout


def python() -> Path:
    """The interpreter of the aiobotocore environment, built if missing or out of date."""
    key = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    interpreter = VENV / "bin" / "python"
    if interpreter.exists() and STAMP.exists() and STAMP.read_text() == key:
        return interpreter
    _run(sys.executable, "-m", "venv", "--clear", str(VENV))
    pip = (str(interpreter), "-m", "pip", "install", "-q", "--disable-pip-version-check")
    _run(*pip, "-e", ".[test]")
    _run(*pip, "aiobotocore>=2.13")
    # boto3 and botocore are released in step: take the boto3 of the botocore aiobotocore chose.
    version = _run(str(interpreter), "-c", "import botocore; print(botocore.__version__)").strip()
    _run(*pip, f"boto3=={version}")
    STAMP.write_text(key)
    return interpreter
