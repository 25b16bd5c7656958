"""Driving a LocalCloud from outside: the control API, and the `fault` and `cloud` commands."""

from __future__ import annotations

import json
import os
import queue
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from botocore.parsers import ResponseParserError

import euca_boto
from euca_boto.cli.cloud import main
from euca_boto.testing import LocalCloud

ROOT = Path(__file__).resolve().parents[2]
Client = Callable[..., Any]


def control(cloud: LocalCloud, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(cloud.control_url + path, data=data, method=method)
    try:
        # A bound against a hang, not a speed: on a loaded two-core host running four suites, a
        # control request once took more than 5 s to be answered.
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def command(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "euca_boto.cli.cloud", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def fault(cloud: LocalCloud, endpoint: int, *options: str) -> None:
    """Run the fault command against one endpoint of ``cloud``; it must succeed."""
    result = command("fault", "--control", cloud.control_url, "--endpoint", str(endpoint), *options)
    assert result.returncode == 0, result.stderr


# Control API ---------------------------------------------------------------------------------


def test_the_control_api_describes_the_cloud(cloud: LocalCloud) -> None:
    status, body = control(cloud, "GET", "/")
    assert status == 200
    assert body["region"] == "eucalyptus"
    assert body["partitions"] == ["PARTI00", "PARTI01"]
    assert [(e["index"], e["url"], e["state"]) for e in body["endpoints"]] == [
        (e.index, e.url, "ENABLED") for e in cloud.endpoints
    ]


def test_a_status_fault_through_the_control_api(cloud: LocalCloud, client: Client) -> None:
    status, body = control(
        cloud,
        "POST",
        "/endpoints/1/faults",
        {"kind": "status", "status": 503, "count": 2, "retry_after": 3},
    )
    assert (status, body["state"]) == (200, "NOTREADY")
    for _ in range(2):
        with pytest.raises(ClientError) as caught:
            client("sts", 1).get_caller_identity()
        assert caught.value.response["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "3"
    assert client("sts", 1).get_caller_identity()["Account"]


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        ({"kind": "latency", "seconds": 5}, None),
        ({"kind": "malformed", "count": 1}, ResponseParserError),
        ({"kind": "stop"}, EndpointConnectionError),
    ],
)
def test_other_faults_through_the_control_api_and_delete_clears_them(
    cloud: LocalCloud, client: Client, spec: dict[str, Any], error: type[Exception] | None
) -> None:
    assert control(cloud, "POST", "/endpoints/2/faults", spec)[0] == 200
    if error is not None:
        with pytest.raises(error):
            client("ec2", 2).describe_regions()
    assert control(cloud, "DELETE", "/endpoints/2/faults")[0] == 200
    if spec["kind"] == "stop":
        assert control(cloud, "POST", "/endpoints/2/faults", {"kind": "start"})[0] == 200
    assert client("ec2", 2, read_timeout=2).describe_regions()["Regions"]


def test_the_request_log_through_the_control_api(cloud: LocalCloud, client: Client) -> None:
    client("sts", 1).get_caller_identity()
    status, records = control(cloud, "GET", "/endpoints/1/requests")
    assert status == 200
    assert [(r["service"], r["action"], r["status"]) for r in records] == [
        ("sts", "GetCallerIdentity", 200)
    ]
    assert control(cloud, "DELETE", "/endpoints/1/requests") == (200, [])
    assert control(cloud, "GET", "/requests") == (200, [])


def test_an_endpoints_request_log_holds_that_endpoints_requests_only(
    cloud: LocalCloud, client: Client
) -> None:
    client("sts", 0).get_caller_identity()
    client("ec2", 1).describe_regions()
    assert [r["action"] for r in control(cloud, "GET", "/endpoints/1/requests")[1]] == [
        "DescribeRegions"
    ]
    assert [r["action"] for r in control(cloud, "GET", "/endpoints/0/requests")[1]] == [
        "GetCallerIdentity"
    ]
    assert control(cloud, "DELETE", "/endpoints/1/requests") == (200, [])
    assert [r["endpoint"] for r in control(cloud, "GET", "/requests")[1]] == [0]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        ("POST", "/endpoints/0/faults", {"kind": "flood"}, 400, "unknown fault kind 'flood'"),
        ("POST", "/endpoints/0/faults", {"kind": "status"}, 400, '"status" fault needs'),
        ("POST", "/endpoints/0/faults", {"kind": "status", "status": 42}, 400, "HTTP status"),
        ("POST", "/endpoints/9/faults", {"kind": "stop"}, 404, "no endpoint 9"),
        ("GET", "/nowhere", None, 404, "no such control resource"),
    ],
)
def test_the_control_api_explains_bad_requests(
    cloud: LocalCloud, method: str, path: str, body: Any, status: int, message: str
) -> None:
    got_status, got = control(cloud, method, path, body)
    assert got_status == status
    assert message in got["error"]


def test_control_requests_are_never_faulted_or_logged(cloud: LocalCloud) -> None:
    cloud.endpoint(0).blackhole()
    assert control(cloud, "GET", "/endpoints/0")[1]["state"] == "NOTREADY"
    assert cloud.requests() == []


# The fault command ---------------------------------------------------------------------------


def test_the_fault_command_injects_a_status(cloud: LocalCloud, client: Client) -> None:
    result = command(
        "fault",
        "--control",
        cloud.control_url,
        "--endpoint",
        "1",
        "--status",
        "502",
        "--count",
        "1",
        "--retry-after",
        "4",
    )
    assert result.returncode == 0, result.stderr
    assert f"endpoint 1 ({cloud.endpoint(1).url}): status applied" in result.stdout
    with pytest.raises(ClientError) as caught:
        client("ec2", 1).describe_regions()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 502
    assert caught.value.response["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "4"


def test_the_fault_command_stops_starts_and_clears(cloud: LocalCloud, client: Client) -> None:
    # In-process through main(), the same code path as the subprocess tests, only quicker.
    control_args = ["fault", "--control", cloud.control_url, "--endpoint", "2"]
    assert main([*control_args, "--stop"]) == 0
    assert cloud.endpoint(2).state == "STOPPED"
    assert main([*control_args, "--start"]) == 0
    assert cloud.endpoint(2).state == "ENABLED"
    assert main([*control_args, "--reset", "3"]) == 0
    assert main([*control_args, "--clear"]) == 0
    assert client("sts", 2).get_caller_identity()["Account"]


def test_the_fault_command_adds_latency(cloud: LocalCloud, client: Client) -> None:
    fault(cloud, 0, "--latency", "0.3")
    started = time.monotonic()
    client("sts").get_caller_identity()
    assert time.monotonic() - started >= 0.3


def test_the_fault_command_garbles_and_blackholes(cloud: LocalCloud, client: Client) -> None:
    fault(cloud, 1, "--malformed", "1")
    with pytest.raises(ResponseParserError):
        client("ec2", 1).describe_regions()
    fault(cloud, 1, "--blackhole")
    with pytest.raises(ReadTimeoutError):
        client("ec2", 1, read_timeout=0.3).describe_regions()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--endpoint", "0", "--stop"], "the following arguments are required: --control"),
        (["--control", "http://x", "--endpoint", "0"], "one of the arguments --status"),
        (["--control", "http://x", "--endpoint", "0", "--stop", "--clear"], "not allowed with"),
        (
            ["--control", "http://x", "--endpoint", "0", "--status", "700"],
            "expected an HTTP status code 100-599, got 700",
        ),
        (
            ["--control", "http://x", "--endpoint", "0", "--latency", "soon"],
            "expected seconds, got 'soon'",
        ),
        (
            ["--control", "http://x", "--endpoint", "0", "--stop", "--count", "2"],
            "--count and --retry-after only go with --status",
        ),
    ],
)
def test_the_fault_command_rejects_bad_arguments_with_status_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["fault", *args])
    assert caught.value.code == 2
    assert message in capsys.readouterr().err


def test_bad_arguments_exit_with_status_2_from_the_command_line() -> None:
    result = command("fault", "--control", "http://x", "--endpoint", "-1", "--stop")
    assert result.returncode == 2
    assert "argument --endpoint: expected an integer >= 0, got -1" in result.stderr


def test_the_fault_command_reports_an_unreachable_control_server(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["fault", "--control", "http://127.0.0.1:9", "--endpoint", "0", "--stop"]) == 1
    assert "cannot reach the control server at http://127.0.0.1:9" in capsys.readouterr().err


def test_the_fault_command_reports_the_control_servers_refusal(cloud: LocalCloud) -> None:
    result = command("fault", "--control", cloud.control_url, "--endpoint", "7", "--stop")
    assert result.returncode == 1
    assert "no endpoint 7" in result.stderr


# The cloud command ---------------------------------------------------------------------------


@pytest.fixture
def running_cloud() -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`cloud` in a subprocess, and everything it printed up to its ready line."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "euca_boto.cli.cloud",
            "cloud",
            "--port",
            "0",
            "--endpoints",
            "2",
            "--partitions",
            "1",
            "--profile",
            "demo",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: [lines.put(line) for line in stdout], daemon=True).start()
    printed = []
    try:
        while not printed or not printed[-1].startswith("# LocalCloud is ready."):
            printed.append(lines.get(timeout=30))
        yield process, "".join(printed)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def use_printed_profile(printed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Write the profile and credentials `cloud` printed into ``tmp_path``, point botocore at
    them, and return the control URL it printed."""
    config_text = printed.split("# Add to ~/.aws/config:\n", 1)[1].split("# Add to", 1)[0]
    credentials_text = printed.split("# Add to ~/.aws/credentials:\n", 1)[1].split("# Control", 1)[
        0
    ]
    (tmp_path / "config").write_text(config_text)
    (tmp_path / "credentials").write_text(credentials_text)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    control_url = printed.split("# Control URL (for `euca-boto fault --control ...`): ", 1)[1]
    return control_url.split("\n", 1)[0]


def test_the_cloud_command_prints_a_working_profile_and_stops_on_sigterm(
    running_cloud: tuple[subprocess.Popen[str], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    process, printed = running_cloud
    control_url = use_printed_profile(printed, tmp_path, monkeypatch)
    assert (tmp_path / "config").read_text().startswith(
        "[profile demo]\nregion = eucalyptus\neuca_endpoint = http://")
    session = boto3.Session(profile_name="demo")
    sts = session.client("sts", config=Config(retries={"total_max_attempts": 1}))
    assert sts.get_caller_identity()["Account"]

    result = command("fault", "--control", control_url, "--endpoint", "0", "--status", "503")
    assert result.returncode == 0, result.stderr
    with pytest.raises(ClientError) as caught:
        sts.get_caller_identity()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


def test_the_cloud_commands_profile_fails_over_between_every_endpoint(
    running_cloud: tuple[subprocess.Popen[str], str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    control_url = use_printed_profile(running_cloud[1], tmp_path, monkeypatch)
    result = command("fault", "--control", control_url, "--endpoint", "0", "--stop")
    assert result.returncode == 0, result.stderr

    euprop = euca_boto.session(profile_name="demo", euca_retry_base_delay=0.01).client("euprop")
    for _ in range(3):
        assert euprop.describe_properties(Properties=["dns.enabled"])["Properties"]
    with urllib.request.urlopen(control_url + "/endpoints/1/requests", timeout=5) as response:
        answered = [r["action"] for r in json.load(response)]
    assert answered.count("DescribeProperties") == 3


def test_the_cloud_command_rejects_bad_arguments_with_status_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["cloud", "--endpoints", "0"])
    assert caught.value.code == 2
    assert "expected an integer >= 1, got 0" in capsys.readouterr().err


def test_the_cloud_command_says_it_is_starting_before_it_is_ready(
    running_cloud: tuple[subprocess.Popen[str], str],
) -> None:
    process, _ = running_cloud
    assert process.stderr is not None
    # Written before the ready line, so it is waiting in the pipe (a bounded wait all the same).
    assert select.select([process.stderr], [], [], 5)[0], "nothing on stderr"
    assert process.stderr.readline() == (
        "# Starting LocalCloud: 2 endpoints, EC2/IAM/STS/S3 through moto ...\n")
