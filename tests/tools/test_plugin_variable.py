"""botocore's plugin variable (``BOTOCORE_EXPERIMENTAL__PLUGINS=euca=euca_boto``) where the
client exists before euca-boto sees it: a proxy botocore chose for the AWS URL, and a bad
setting seen by every client of a process."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from toolrun import ATTEMPTS, BIN, Tool

SCRIPT = Path(__file__).parent / "scripts" / "calls.py"
PLUGIN = {"BOTOCORE_EXPERIMENTAL__PLUGINS": "euca=euca_boto"}


def with_plugin(tool: Tool, *args: str, env: dict[str, str] | None = None) -> list[str]:
    installed = tool.run(BIN / "euca-boto", "models", "install")
    assert installed.returncode == 0, installed.stderr
    result = tool.run(BIN / "python", *args, extra_env={**PLUGIN, **(env or {})})
    assert result.returncode == 0, result.stderr
    return [result.stdout, result.stderr]


class _Proxy(http.server.BaseHTTPRequestHandler):
    """A forward proxy that forwards nothing: it counts what it is asked and answers 502."""

    asked: list[str] = []

    def _refuse(self) -> None:
        self.asked.append(f"{self.command} {self.path}")
        self.send_response(502)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_CONNECT = _refuse

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[tuple[str, list[str]]]:
    handler = type("Proxy", (_Proxy,), {"asked": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler.asked
    finally:
        server.shutdown()
        server.server_close()


def test_calls_bypass_the_proxy_as_no_proxy_says(
    tool: Callable[..., Tool], proxy: tuple[str, list[str]],
) -> None:
    """botocore chose the proxy for the AWS URL it built the client for; the calls go to the
    profile's endpoints, which NO_PROXY exempts."""
    url, asked = proxy
    t = tool(wire=None)
    env = {"HTTPS_PROXY": url, "HTTP_PROXY": url, "NO_PROXY": "127.0.0.1"}
    stdout, stderr = with_plugin(t, str(SCRIPT), "4", env=env)
    assert [json.loads(line) for line in stdout.splitlines()] == [
        {"name": "dns.enabled", "retries": 0}] * 4
    assert asked == []
    assert "failed" not in stderr  # no endpoint was ejected
    assert t.hits() == [2, 2]


def test_calls_go_through_the_proxy_when_no_proxy_does_not_exempt_them(
    tool: Callable[..., Tool], proxy: tuple[str, list[str]],
) -> None:
    url, asked = proxy
    t = tool("euca_breaker = false\n", wire=None)
    env = {"HTTPS_PROXY": url, "HTTP_PROXY": url, "NO_PROXY": "example.com"}
    stdout, _ = with_plugin(t, str(SCRIPT), "1", env=env)
    assert json.loads(stdout)["status"] == 502
    assert len(asked) == ATTEMPTS
    assert all(line.startswith("POST http://127.0.0.1:") for line in asked)
    assert t.hits() == [0, 0]


def test_a_bad_setting_is_said_once_per_process_not_per_client(
    tool: Callable[..., Tool],
) -> None:
    t = tool("euca_eject_time = soon\n", wire=None)
    program = ("import boto3\n"
               "for name in ('euprop', 'sts', 'ec2', 'euprop'):\n"
               "    boto3.client(name)\n")
    _, stderr = with_plugin(t, "-c", program)
    lines = [line for line in stderr.splitlines() if "euca_eject_time" in line]
    assert lines == [
        f"euca-boto: configuration error: profile '{t.profile}': euca_eject_time = 'soon' is "
        f"not valid; expected a duration such as 10, 2.5, 500ms, 2m or 1h, at least 0.001 s; "
        f"the clients of this process run without euca-boto (one without a configured "
        f"endpoint_url calls AWS)"]
