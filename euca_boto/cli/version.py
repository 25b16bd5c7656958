"""``euca-boto --version``: the package, the botocore and boto3 it runs on, Python, and every
AWS CLI on the path (v1 and v2 carry botocores of their own and read ``[plugins]`` differently,
so which one answers to ``aws`` matters when the plugin does not load)."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

NO_AWS_CLI = "AWS CLI: none on PATH (pip install awscli installs v1 beside euca-boto)"
# `aws --version`: aws-cli/1.46.3 Python/3.11.7 Linux/6.1 botocore/1.43.62 (v1 on stdout,
# older v1 on stderr), aws-cli/2.9.19 Python/3.11.2 Linux/6.1 source/x86_64 (v2).
_AWS_VERSION = re.compile(r"aws-cli/(?P<version>(?P<major>\d+)\.\S+)")


def version_lines(path: str | None = None) -> list[str]:
    """What ``--version`` prints, one line each. ``path`` is searched for ``aws``; by default
    this Python's own directory (where ``pip install awscli`` puts it), then ``PATH``."""
    import boto3
    import botocore

    import euca_boto

    python = ".".join(str(part) for part in sys.version_info[:3])
    lines = [
        f"euca-boto {euca_boto.__version__}",
        f"botocore {botocore.__version__}",
        f"boto3 {boto3.__version__}",
        f"Python {python} ({sys.executable})",
    ]
    found = [line for line in map(_aws_cli, _aws_executables(path)) if line]
    return lines + (found or [NO_AWS_CLI])


def _aws_executables(path: str | None) -> Iterator[Path]:
    """Every ``aws`` on ``path``, in order, each file once whatever it is called through."""
    seen: set[Path] = set()
    if path is None:
        path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    directories = path.split(os.pathsep)
    for directory in filter(None, directories):
        candidate = Path(directory) / "aws"
        if not (candidate.is_file() and os.access(candidate, os.X_OK)):
            continue
        real = candidate.resolve()
        if real not in seen:
            seen.add(real)
            yield candidate


def _aws_cli(executable: Path) -> str | None:
    try:
        answer = subprocess.run([str(executable), "--version"], capture_output=True,
                                text=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"AWS CLI: {executable} does not answer to --version ({error})"
    match = _AWS_VERSION.search(answer.stdout + answer.stderr)
    if match is None:
        return f"AWS CLI: {executable} does not answer to --version (exit {answer.returncode})"
    return f"AWS CLI v{match['major']} {match['version']}: {executable}"


class VersionAction(argparse.Action):
    """``--version``: print :func:`version_lines` and exit (the AWS CLIs are only asked then)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the versions of euca-boto, botocore, boto3, Python and "
                              "every AWS CLI on the path, and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        print("\n".join(version_lines()))
        parser.exit()
