"""(a) An unmodified boto3 program, under ``euca-boto run`` and with botocore's plugin variable."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from toolrun import ATTEMPTS, BIN, Tool

from euca_boto.testing import LocalCloud

SCRIPT = Path(__file__).parent / "scripts" / "calls.py"
PYTHON = BIN / "python"


def answers(result: subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def program(tool: Tool, mode: str, *args: str) -> subprocess.CompletedProcess[str]:
    if mode == "run":
        return tool.euca_run(PYTHON, SCRIPT, *args)
    # The plugin variable: the admin models come from `euca-boto models install`.
    installed = tool.run(BIN / "euca-boto", "models", "install")
    assert installed.returncode == 0, installed.stderr
    return tool.run(PYTHON, SCRIPT, *args,
                    extra_env={"BOTOCORE_EXPERIMENTAL__PLUGINS": "euca=euca_boto"})


MODES = pytest.mark.parametrize("mode", ["run", "plugin"])


@MODES
def test_admin_calls_work(tool: Callable[..., Tool], mode: str) -> None:
    t = tool()
    assert answers(program(t, mode, "2")) == [{"name": "dns.enabled", "retries": 0}] * 2
    requests = t.cloud.requests()
    assert [r.action for r in requests] == ["DescribeProperties"] * 2
    assert all(r.params["Version"] == "eucalyptus" for r in requests)
    assert t.hits() == [1, 1]  # spread over the profile's two endpoints


@MODES
def test_a_burst_of_503s_is_retried_as_the_profile_says(tool: Callable[..., Tool],
                                                        mode: str) -> None:
    t = tool("euca_breaker = false\n")
    t.cloud.endpoint(0).fail(503, count=1)
    t.cloud.endpoint(1).fail(503, count=1)
    # Attempts alternate between the endpoints: both fail once, the third attempt gets through.
    assert ATTEMPTS == 3
    assert answers(program(t, mode, "1")) == [{"name": "dns.enabled", "retries": ATTEMPTS - 1}]
    assert [r.status for r in t.cloud.requests() if r.status == 503] == [503] * (ATTEMPTS - 1)
    assert sum(t.hits()) == ATTEMPTS
    t.cloud.clear()
    t.cloud.clear_requests()
    t.cloud.endpoint(0).fail(503, count=50)
    t.cloud.endpoint(1).fail(503, count=50)
    (answer,) = answers(program(t, mode, "1"))
    assert (answer["status"], answer["retries"]) == (503, ATTEMPTS - 1)
    assert sum(t.hits()) == ATTEMPTS  # euca_retry_max_attempts, not botocore's 5 (or 3)


@MODES
def test_a_stopped_endpoint_is_failed_over(tool: Callable[..., Tool], mode: str) -> None:
    t = tool()
    t.cloud.endpoint(0).stop()
    result = program(t, mode, "4")
    assert [a["name"] for a in answers(result)] == ["dns.enabled"] * 4
    assert t.hits() == [0, 4]
    assert f"euprop endpoint {t.cloud.service_url('euprop', 0)} failed (EndpointConnectionError" \
        in result.stderr


@MODES
def test_wire_log_records_every_attempt(tool: Callable[..., Tool], mode: str) -> None:
    t = tool()
    t.cloud.endpoint(0).fail(503, count=1)
    answers(program(t, mode, "1"))
    records = t.wire_records()
    assert records.count("DescribeProperties") >= 2
    assert "503" in records and "200" in records
    assert t.cloud.secret_key not in records


@MODES
def test_a_breaker_opens_and_refuses_the_next_call(tool: Callable[..., Tool], mode: str) -> None:
    t = tool()
    t.cloud.endpoint(0).fail(503, count=50)
    t.cloud.endpoint(1).fail(503, count=50)
    result = program(t, mode, "2")
    first, second = answers(result)
    assert (first["status"], first["retries"]) == (503, ATTEMPTS - 1)
    assert second["error"] == "CircuitOpenError"  # a BotoCoreError: nothing was sent
    assert f"circuit breaker '{t.profile}/euprop@127.0.0.1:" in second["message"]
    assert "+fail_max=1' is open since" in second["message"]
    assert sum(t.hits()) == ATTEMPTS  # the refused call sent nothing
    # Named after the cloud it protects: <profile>/<service>@<host:port>+<settings>.
    assert re.search(rf"breaker {re.escape(t.profile)}/euprop@\S+: closed -> open",
                     result.stderr)


@MODES
def test_a_bad_setting_is_reported_in_one_line(tool: Callable[..., Tool], mode: str,
                                               cloud: LocalCloud) -> None:
    # botocore's own endpoint_url setting, so a client without the plugin reaches the cloud too.
    t = tool(f"euca_eject_time = soon\nendpoint_url = {cloud.service_url('euprop', 0)}\n")
    result = program(t, mode, "1")
    lines = [line for line in result.stderr.splitlines() if "euca_eject_time" in line]
    assert len(lines) == 1, result.stderr
    assert f"profile '{t.profile}'" in lines[0] and "'soon' is not valid" in lines[0]
    assert lines[0].startswith("euca-boto: configuration error:")
    if mode == "run":
        assert result.returncode != 0  # the tool fails rather than run without the plugin
    else:
        # botocore's plugin hook cannot fail the client: it runs as botocore built it.
        assert answers(result) == [{"name": "dns.enabled", "retries": 0}]


@MODES
def test_client_settings_apply_under_run_only(tool: Callable[..., Tool], mode: str) -> None:
    """A client's Config is fixed when botocore builds it: the plugin variable comes too late."""
    t = tool("euca_read_timeout = 7\n")
    code = "import boto3; print(boto3.client('euprop').meta.config.read_timeout)"
    if mode == "run":
        result = t.euca_run(PYTHON, "-c", code)
    else:
        assert t.run(BIN / "euca-boto", "models", "install").returncode == 0
        result = t.run(PYTHON, "-c", code,
                       extra_env={"BOTOCORE_EXPERIMENTAL__PLUGINS": "euca=euca_boto"})
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) == (7 if mode == "run" else 60)
