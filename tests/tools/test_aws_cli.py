"""(b) The AWS CLI (v1, on its own copy of botocore), unmodified: under ``euca-boto run`` and with
the ``[plugins]`` section of ~/.aws/config. (botocore's plugin variable does nothing here: the CLI
creates every client with client plugins disabled.)"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import awscli_checks as checks
import pytest
from awscli_checks import DESCRIBE
from toolrun import BIN, Tool

AWS = BIN / "aws"


def aws(tool: Tool, mode: str, *args: str) -> subprocess.CompletedProcess[str]:
    if mode == "run":
        return tool.euca_run(AWS, *args)
    config = Path(tool.env["AWS_CONFIG_FILE"])
    if "[plugins]" not in config.read_text():
        with open(config, "a") as handle:
            handle.write("\n[plugins]\neuca = euca_boto.awscli_plugin\n")
    return tool.run(AWS, *args)


MODES = pytest.mark.parametrize("mode", ["run", "plugins-section"])


@MODES
@checks.EVERY_HOST
def test_the_cli_with_euca_boto(tool: Callable[..., Tool], mode: str,
                                check: Callable[[Tool, checks.Aws], None]) -> None:
    # An ejection outlasts the next command however slowly a busy machine starts it.
    t = tool("euca_eject_time = 120\n")
    check(t, lambda *args: aws(t, mode, *args))


@MODES
def test_a_burst_of_503s_is_retried_as_the_profile_says(tool: Callable[..., Tool],
                                                        mode: str) -> None:
    t = tool("euca_breaker = false\n", wire=None)
    checks.a_burst_of_503s_is_retried_as_the_profile_says(t, lambda *args: aws(t, mode, *args))


@MODES
def test_a_bad_setting_is_reported_in_one_line(tool: Callable[..., Tool], mode: str) -> None:
    """Under run as with [plugins]: the CLI's plugin reports it, the CLI's way."""
    t = tool("euca_eject_time = soon\n", wire=None)
    result = aws(t, mode, *DESCRIBE)
    assert result.returncode == 255
    assert result.stderr.strip().splitlines() == [
        f"profile '{t.profile}': euca_eject_time = 'soon' is not valid; expected a duration "
        f"such as 10, 2.5, 500ms, 2m or 1h, at least 0.001 s"]
    assert t.cloud.requests() == []
