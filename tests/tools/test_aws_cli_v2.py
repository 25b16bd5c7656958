"""The AWS CLI v2 (Debian's package: its own Python and its own botocore fork), unmodified: with
the plugin enabled by ``euca-boto awscli enable`` and under ``euca-boto run``."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import awscli_checks as checks
import pytest
from awscli_checks import DESCRIBE
from toolrun import BIN, Tool

pytestmark = pytest.mark.tools


def aws(tool: Tool, cli: Path, mode: str, *args: str) -> subprocess.CompletedProcess[str]:
    if mode == "run":
        return tool.euca_run(cli, *args)
    if "cli_legacy_plugin_path" not in Path(tool.env["AWS_CONFIG_FILE"]).read_text():
        enabled = tool.run(BIN / "euca-boto", "awscli", "enable", "--aws", cli)
        assert enabled.returncode == 0, enabled.stderr
    return tool.run(cli, *args)


MODES = pytest.mark.parametrize("mode", ["enabled", "run"])


def test_enable_prepares_a_plugin_directory_and_disable_removes_it(
    tool: Callable[..., Tool], aws_v2: Path,
) -> None:
    t = tool(wire=None)
    config = Path(t.env["AWS_CONFIG_FILE"])
    before = config.read_text()
    enabled = t.run(BIN / "euca-boto", "awscli", "enable", "--aws", aws_v2,
                    "--profile", t.profile)
    assert enabled.returncode == 0, enabled.stderr
    assert enabled.stdout.startswith("enabled: euca-boto in the AWS CLI 2.")
    plugin_dir = Path(t.env["HOME"]) / ".local" / "share" / "euca-boto" / "awscli-v2"
    assert config.read_text() == before + (f"\n[plugins]\ncli_legacy_plugin_path = {plugin_dir}"
                                           f"\neuca = euca_boto.awscli_plugin\n")
    assert sorted(p.name for p in plugin_dir.iterdir()) == [
        ".euca-boto-plugin", "dns", "euca_boto"]  # no boto3: the CLI never loads it
    answer = t.run(aws_v2, *DESCRIBE)
    assert answer.returncode == 0, answer.stderr

    disabled = t.run(BIN / "euca-boto", "awscli", "disable")
    assert disabled.returncode == 0, disabled.stderr
    assert config.read_text() == before
    assert not plugin_dir.exists()


@MODES
@checks.EVERY_HOST
def test_the_cli_with_euca_boto(tool: Callable[..., Tool], aws_v2: Path, mode: str,
                                check: Callable[[Tool, checks.Aws], None]) -> None:
    # An ejection outlasts the next command however slowly a busy machine starts it.
    t = tool("euca_eject_time = 120\n")
    check(t, lambda *args: aws(t, aws_v2, mode, *args))


@MODES
def test_a_burst_of_503s_is_retried_as_the_profile_says(tool: Callable[..., Tool],
                                                        aws_v2: Path, mode: str) -> None:
    t = tool("euca_breaker = false\n", wire=None)
    checks.a_burst_of_503s_is_retried_as_the_profile_says(
        t, lambda *args: aws(t, aws_v2, mode, *args))


@MODES
def test_a_delegated_call_is_retried_as_the_account(tool: Callable[..., Tool], aws_v2: Path,
                                                    mode: str) -> None:
    t = tool("euca_breaker = false\n", wire=None)
    created = aws(t, aws_v2, mode, "iam", "create-account", "--account-name", f"v2-{mode}")
    assert created.returncode == 0, created.stderr
    t.cloud.endpoint(0).fail(503, count=1)
    t.cloud.endpoint(1).fail(503, count=1)
    users = aws(t, aws_v2, mode, "iam", "list-users", "--delegate-account", f"v2-{mode}")
    assert users.returncode == 0, users.stderr
    assert [u["UserName"] for u in json.loads(users.stdout)["Users"]] == ["admin"]
    sent = sorted((r.status, r.params.get("DelegateAccount")) for r in t.cloud.requests()
                  if r.action == "ListUsers")
    assert sent == [(200, f"v2-{mode}"), (503, f"v2-{mode}"), (503, f"v2-{mode}")]


RECORDER = ("import atexit, json, os, sys\n"
            "atexit.register(lambda: json.dump(sorted(sys.modules), "
            "open(os.environ['MODULES_FILE'], 'w')))\n")
# Loaded only when a profile asks for them (a Redis URL, endpoints from DNS or the cloud's
# topology, a wire log), never by a default profile. (The CLI v2 loads asyncio itself.)
UNASKED = ("euca_boto.breakers.storage.redis", "euca_boto.endpoints.sources.dns",
           "euca_boto.endpoints.sources.topology", "euca_boto.core.redact",
           "euca_boto.core.sensitive", "euca_boto.botocore_logs", "boto3", "redis", "dns")


def test_the_plugin_loads_no_feature_a_default_profile_does_not_use(
    tool: Callable[..., Tool], aws_v2: Path, tmp_path: Path,
) -> None:
    t = tool(wire=None)
    enabled = t.run(BIN / "euca-boto", "awscli", "enable", "--aws", aws_v2,
                    "--profile", t.profile)
    assert enabled.returncode == 0, enabled.stderr
    site = tmp_path / "recorder"
    site.mkdir()
    (site / "sitecustomize.py").write_text(RECORDER)
    out = tmp_path / "modules.json"
    answer = t.run(aws_v2, *DESCRIBE, extra_env={"PYTHONPATH": str(site),
                                                 "MODULES_FILE": str(out)})
    assert answer.returncode == 0, answer.stderr
    modules = set(json.loads(out.read_text()))
    assert "euca_boto.endpoints.selector" in modules
    assert sorted(m for m in modules if m in UNASKED
                  or m.startswith(tuple(f"{n}." for n in UNASKED))) == []
