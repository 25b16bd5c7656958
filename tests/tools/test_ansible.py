"""(c) An Ansible playbook with amazon.aws modules and a ``command:`` task running the AWS CLI,
under ``euca-boto run``: every module runs in a child Python, which gets euca-boto too."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from toolrun import ATTEMPTS, Tool

pytestmark = pytest.mark.tools

HERE = Path(__file__).parent / "ansible"


def playbook(tool: Tool, tools_bin: Path, *tags: str,
             launcher: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The playbook under ``euca-boto run`` (``launcher``: another environment's
    ``euca-boto``)."""
    return tool.euca_run(
        tools_bin / "ansible-playbook", "-i", HERE / "inventory.ini", HERE / "playbook.yml",
        "-e", f"euca_profile={tool.profile}", *(["--tags", ",".join(tags)] if tags else []),
        extra_env={
            "PATH": f"{tools_bin}:{tool.env['PATH']}",
            "ANSIBLE_STDOUT_CALLBACK": "json",
            "ANSIBLE_HOME": str(tool.directory / "ansible"),
            "ANSIBLE_LOCAL_TEMP": str(tool.directory / "ansible-tmp"),
            "ANSIBLE_NOCOLOR": "1",
        },
        timeout=300,
        **({"launcher": launcher} if launcher else {}),  # type: ignore[arg-type]
    )


def tasks(result: subprocess.CompletedProcess[str]) -> dict[str, dict[str, Any]]:
    """The task results of the play, by task name."""
    report = json.loads(result.stdout[result.stdout.index("{"):])
    return {t["task"]["name"]: t["hosts"]["localhost"] for t in report["plays"][0]["tasks"]}


def test_modules_and_the_cli_make_admin_and_aws_calls(tool: Callable[..., Tool],
                                                      tools_bin: Path) -> None:
    # Not the CLI's service: its wire log is broken on the AWS CLI 1.46 (see test_aws_cli.py).
    t = tool(wire="sts, ec2")
    result = playbook(t, tools_bin)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    done = tasks(result)
    assert done["who am I"]["account"] == "123456789012"
    assert done["instances"]["instances"] == []
    properties = json.loads(done["a cloud property through the AWS CLI"]["stdout"])
    assert properties["Properties"][0]["Name"] == "dns.enabled"
    actions = [r.action for r in t.cloud.requests()]
    assert {"GetCallerIdentity", "DescribeInstances", "DescribeProperties"} <= set(actions)
    # Wire records from the modules' child processes (the CLI's own are another matter).
    records = t.wire_records()
    assert "GetCallerIdentity" in records and "DescribeInstances" in records


def test_a_burst_of_503s_is_retried_as_the_profile_says(tool: Callable[..., Tool],
                                                        tools_bin: Path) -> None:
    t = tool(wire=None)
    t.cloud.endpoint(0).fail(503, count=1)
    t.cloud.endpoint(1).fail(503, count=1)
    result = playbook(t, tools_bin, "instances")
    assert result.returncode == 0, result.stdout[-3000:]
    assert tasks(result)["instances"]["instances"] == []
    ec2 = [r.status for r in sorted(t.cloud.requests(), key=lambda r: r.time)
           if r.action == "DescribeInstances"]
    assert ec2 == [503, 503, 200]
    assert len(ec2) == ATTEMPTS


def test_a_stopped_endpoint_is_failed_over(tool: Callable[..., Tool], tools_bin: Path) -> None:
    t = tool(wire=None)
    t.cloud.endpoint(0).stop()
    result = playbook(t, tools_bin, "caller", "instances", "cli")
    assert result.returncode == 0, result.stdout[-3000:]
    assert t.hits()[0] == 0
    assert {"GetCallerIdentity", "DescribeInstances", "DescribeProperties"} <= {
        r.action for r in t.cloud.requests()}


def test_a_breaker_opens_inside_a_module(tool: Callable[..., Tool], tools_bin: Path) -> None:
    t = tool(wire=None)
    t.cloud.endpoint(0).fail(503, count=50)
    t.cloud.endpoint(1).fail(503, count=50)
    result = playbook(t, tools_bin, "instances")
    assert result.returncode != 0
    failed = tasks(result)["instances"]
    # The module's own retry decorator tried again; the open breaker refused without sending.
    assert "circuit breaker" in failed["msg"] or "CircuitOpenError" in json.dumps(failed)
    assert len([r for r in t.cloud.requests() if r.action == "DescribeInstances"]) == ATTEMPTS


def test_the_playbook_runs_in_the_launchers_process_with_euca_boto_of_its_own_environment(
    tool: Callable[..., Tool], tools_bin: Path,
) -> None:
    """euca-boto installed beside Ansible: ``ansible-playbook`` runs in the launcher's process,
    its modules and ``aws`` in child processes that get euca-boto as ever."""
    t = tool(wire="sts")
    t.cloud.endpoint(0).stop()
    result = playbook(t, tools_bin, "caller", "cli", launcher=tools_bin / "euca-boto")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    done = tasks(result)
    assert done["who am I"]["account"] == "123456789012"
    properties = json.loads(done["a cloud property through the AWS CLI"]["stdout"])
    assert properties["Properties"][0]["Name"] == "dns.enabled"
    assert t.hits()[0] == 0
    assert "GetCallerIdentity" in t.wire_records()
