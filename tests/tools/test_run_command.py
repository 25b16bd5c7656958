"""``euca-boto run`` itself: what it costs a process that never uses botocore, the start-up hook
it shares with an existing ``sitecustomize``, a Python that cannot import euca-boto, bad use."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path

from toolrun import BIN, Tool

PYTHON = BIN / "python"


def test_a_python_that_never_imports_botocore_imports_nothing_of_euca_boto(
    tool: Callable[..., Tool],
) -> None:
    t = tool()
    result = t.euca_run(PYTHON, "-c", "import sys; print(sorted(m for m in sys.modules "
                        "if m.split('.')[0] in ('euca_boto', 'botocore', 'boto3')))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert result.stderr == ""


def test_an_existing_sitecustomize_still_runs(tool: Callable[..., Tool], tmp_path: Path) -> None:
    t = tool()
    own = tmp_path / "own-site"
    own.mkdir()
    (own / "sitecustomize.py").write_text("import os\nos.environ['OWN_SITE'] = 'ran'\n")
    result = t.euca_run(PYTHON, "-c", "import os, boto3; print(os.environ.get('OWN_SITE')); "
                        "print(type(boto3.client('sts')).__name__)",
                        extra_env={"PYTHONPATH": str(own)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ran", "ProtectedClient"]


def test_wire_records_go_to_stderr_when_the_tool_configures_no_logging(
    tool: Callable[..., Tool],
) -> None:
    t = tool(wire=None, extra="euca_wire_log = properties\n")
    result = t.euca_run(PYTHON, "-c", "import boto3; boto3.client('euprop')"
                        ".describe_properties(Properties=['dns.enabled'])")
    assert result.returncode == 0, result.stderr
    assert "euca_boto.wire.euprop euprop DescribeProperties attempt 1" in result.stderr
    assert t.cloud.secret_key not in result.stderr


def test_a_python_without_euca_boto_says_so_in_one_line(tool: Callable[..., Tool]) -> None:
    """Another interpreter that finds botocore (here: the test environment's packages on
    PYTHONPATH, whose .pth files it does not read) but not euca-boto."""
    t = tool()
    other = str(Path(sys.base_prefix) / "bin" / "python3")
    packages = sysconfig.get_paths()["purelib"]
    result = t.euca_run(other, "-c", "import botocore.session; "
                        "print(botocore.session.Session().create_client('sts').meta.region_name)",
                        extra_env={"PYTHONPATH": packages}, cwd=t.directory)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == t.cloud.region
    assert result.stderr.splitlines() == [
        f"euca-boto run: {other} cannot import euca_boto, so AWS calls from this process run "
        f"without it; install euca-boto into this Python"]


def test_run_without_a_command_is_a_usage_error() -> None:
    result = subprocess.run([BIN / "euca-boto", "run"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "euca-boto run: no command given; usage: euca-boto run [--quiet] -- COMMAND [ARGS...]")


def test_run_of_a_missing_command_says_so() -> None:
    result = subprocess.run([BIN / "euca-boto", "run", "--", "no-such-tool-here"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 127
    assert result.stderr.strip() == "euca-boto run: no-such-tool-here: command not found"
