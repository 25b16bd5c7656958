"""The committed service models are what ``tools/generate_models.py`` generates with the botocore
of the tools environment too: the IAM extras name the input shapes of botocore's own IAM model,
and the tools pin a botocore of their own."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from toolrun import REPO

pytestmark = pytest.mark.tools


def test_the_models_check_passes_with_the_tools_botocore(tools_bin: Path) -> None:
    version = subprocess.run(
        [str(tools_bin / "python"), "-c", "import botocore; print(botocore.__version__)"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout.strip()

    check = subprocess.run(
        [str(tools_bin / "python"), str(REPO / "tools" / "generate_models.py"), "--check"],
        capture_output=True, text=True, timeout=300, cwd=REPO,
    )

    assert check.returncode == 0, f"botocore {version}: {check.stdout}{check.stderr}"
    assert check.stdout == ""
