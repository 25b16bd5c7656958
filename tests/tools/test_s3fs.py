"""(e) s3fs, an aiobotocore-based tool, under ``euca-boto run``: the asynchronous path."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from toolrun import ATTEMPTS, Tool

pytestmark = pytest.mark.tools

SCRIPT = Path(__file__).parent / "scripts" / "s3fs_calls.py"


def s3fs(tool: Tool, tools_bin: Path, action: str) -> tuple[dict[str, object], str]:
    """The program's answer and its stderr."""
    result: subprocess.CompletedProcess[str] = tool.euca_run(
        tools_bin / "python", SCRIPT, action, tool.profile)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout), result.stderr


def listings(tool: Tool) -> list[int | None]:
    return [r.status for r in sorted(tool.cloud.requests(), key=lambda r: r.time)
            if r.method == "GET" and r.path.endswith(f"/euca-{tool.profile}")]


def test_files_are_written_and_listed(tool: Callable[..., Tool], tools_bin: Path) -> None:
    t = tool(wire="s3")
    assert s3fs(t, tools_bin, "write")[0] == {"content": "hello"}
    assert s3fs(t, tools_bin, "list")[0] == {"listed": ["hello.txt"]}
    assert all(r.service == "s3" for r in t.cloud.requests())
    assert min(t.hits()) > 0  # spread over both endpoints
    records = t.wire_records()
    assert "s3 PutObject attempt 1" in records and "s3 ListObjectsV2 attempt 1" in records
    assert t.cloud.secret_key not in records


def test_a_burst_of_503s_is_retried_as_the_profile_says(tool: Callable[..., Tool],
                                                        tools_bin: Path) -> None:
    t = tool(wire=None)
    s3fs(t, tools_bin, "write")
    t.cloud.clear_requests()
    t.cloud.endpoint(0).fail(503, count=1)
    t.cloud.endpoint(1).fail(503, count=1)
    assert s3fs(t, tools_bin, "list")[0] == {"listed": ["hello.txt"]}
    assert ATTEMPTS == 3
    assert listings(t) == [503, 503, 200]


def test_a_stopped_endpoint_is_failed_over(tool: Callable[..., Tool], tools_bin: Path) -> None:
    t = tool(wire=None)
    t.cloud.endpoint(0).stop()
    answer, stderr = s3fs(t, tools_bin, "write")
    assert answer == {"content": "hello"}
    assert t.hits()[0] == 0
    assert "failed (EndpointConnectionError" in stderr


def test_a_breaker_opens(tool: Callable[..., Tool], tools_bin: Path) -> None:
    t = tool(wire=None)
    t.cloud.endpoint(0).fail(503, count=50)
    t.cloud.endpoint(1).fail(503, count=50)
    answer, stderr = s3fs(t, tools_bin, "list")
    # The server's message is kept as it was sent; the attempts are counted in the cloud's log.
    assert answer["error"] == "OSError", answer
    assert re.search(rf"breaker {re.escape(t.profile)}/s3@\S+: closed -> open", stderr), stderr
    assert listings(t) == [503] * ATTEMPTS
