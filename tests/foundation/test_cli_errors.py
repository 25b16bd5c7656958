"""What the ``euca-boto`` console script says when something is wrong: one line on stderr, exit
status 2 for a bad configuration or bad arguments, 1 for an operation that failed, never a
traceback. Each case runs the installed script in a subprocess, as a user's shell does."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ports import free_port

from euca_boto.testing import LocalCloud

SCRIPT = Path(sys.executable).with_name("euca-boto")
KEYS = "aws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n"


def euca_boto(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})


def said(result: subprocess.CompletedProcess[str], status: int) -> str:
    """The one line the command printed on stderr, after checking the exit status."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == status, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("euca-boto")
    return lines[0]


@pytest.fixture
def profile(aws_config: Callable[[str], Path], tmp_path: Path) -> Callable[..., None]:
    """Write a profile ``p`` with these lines (and keys for it)."""

    def write(*lines: str) -> None:
        aws_config("[profile p]\n" + "".join(f"{line}\n" for line in lines))
        (tmp_path / "credentials").write_text(f"[p]\n{KEYS}")

    return write


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(endpoints=1, partitions=1, aws=False) as running:
        yield running


# Bad configuration: exit 2 ------------------------------------------------------------------


@pytest.mark.parametrize("command", [("admin", "status"), ("endpoints",)])
def test_a_profile_without_a_region(profile: Callable[..., None], command: tuple[str]) -> None:
    profile("euca_endpoint = http://127.0.0.1:9/")
    assert said(euca_boto(*command, "--profile", "p"), 2).startswith(
        "euca-boto: configuration error: profile 'p' has no region: add region = ")


@pytest.mark.parametrize("command", [("admin", "status"), ("endpoints",), ("tracker", "serve"),
                                     ("config",)])
def test_a_profile_that_does_not_exist(command: tuple[str]) -> None:
    assert said(euca_boto(*command, "--profile", "nosuch"), 2).startswith(
        "euca-boto: configuration error: profile 'nosuch' was not found in the AWS config files")


@pytest.mark.parametrize("command", [("admin", "status"), ("endpoints",),
                                     ("endpoints", "--service", "euprop")])
def test_a_profile_without_an_endpoint_is_refused_before_any_call(
    profile: Callable[..., None], command: tuple[str]
) -> None:
    profile("region = eucalyptus")
    assert said(euca_boto(*command, "--profile", "p"), 2) == (
        "euca-boto: configuration error: euca_endpoint is not set for profile 'p', and nothing "
        f"else names an endpoint for {'euserv' if len(command) < 3 else 'euprop'}: add "
        "euca_endpoint = https://<cloud host>:8773/ to the profile")


def test_a_profile_without_credentials(aws_config: Callable[[str], Path]) -> None:
    aws_config("[profile p]\nregion = eucalyptus\neuca_endpoint = http://127.0.0.1:9/\n")
    result = euca_boto("admin", "status", "--profile", "p", AWS_EC2_METADATA_DISABLED="true")
    assert said(result, 2) == (
        "euca-boto: configuration error: Unable to locate credentials for profile 'p': add "
        "aws_access_key_id and aws_secret_access_key to it in ~/.aws/credentials")


def test_endpoints_names_an_unknown_service_without_listing_botocores() -> None:
    line = said(euca_boto("endpoints", "--service", "nosuch"), 2)
    assert line.startswith("euca-boto endpoints: argument --service: invalid choice: 'nosuch'")
    assert "accessanalyzer" not in line


def test_config_refuses_an_unknown_service(profile: Callable[..., None]) -> None:
    profile("region = eucalyptus")
    assert said(euca_boto("config", "--profile", "p", "--service", "nosuch"), 2) == (
        "euca-boto: configuration error: --service 'nosuch' is not a known service (a boto3 "
        "client name such as euprop or a DNS label such as properties)")


def test_fault_refuses_a_control_that_is_not_a_url() -> None:
    assert said(euca_boto("fault", "--control", "notaurl", "--endpoint", "0", "--clear"), 2) == (
        "euca-boto fault: argument --control: expected an http:// URL such as "
        "http://127.0.0.1:8780, got 'notaurl' (see euca-boto fault --help)")


def test_fault_refuses_a_retry_after_that_is_neither_seconds_nor_a_date() -> None:
    line = said(euca_boto("fault", "--control", "http://127.0.0.1:9", "--endpoint", "0",
                          "--status", "503", "--retry-after", "soon"), 2)
    assert line.startswith("euca-boto fault: argument --retry-after: expected seconds")


def test_an_unknown_command_is_one_line() -> None:
    assert said(euca_boto("nosuch"), 2).startswith(
        "euca-boto: argument COMMAND: invalid choice: 'nosuch'")


# A failed operation: exit 1 -----------------------------------------------------------------


def test_a_dead_endpoint_shows_each_retry_and_then_one_line(profile: Callable[..., None],
                                                            refused_port: int) -> None:
    port = refused_port
    profile("region = eucalyptus", f"euca_endpoint = http://127.0.0.1:{port}/",
            "euca_retry_max_attempts = 3", "euca_retry_delay = 0.05")
    result = euca_boto("admin", "status", "--profile", "p")
    assert "Traceback" not in result.stderr and result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert [line.split(" failed:")[0] for line in lines[:3]] == [
        f"euca-boto: euserv DescribeServices attempt {n}" for n in (1, 2, 3)]
    assert "retrying in" in lines[0] and "giving up" in lines[2]
    assert lines[3:] == [
        f'euca-boto: Could not connect to the endpoint URL: "http://127.0.0.1:{port}'
        '/services/Empyrean" (3 attempts; all 3 attempts failed)']


def test_describe_services_topology_with_nothing_answering(profile: Callable[..., None],
                                                           refused_port: int) -> None:
    port = refused_port
    profile("region = eucalyptus", f"euca_endpoint = http://127.0.0.1:{port}/",
            "euca_topology = describe-services", "euca_retry_max_attempts = 1")
    assert said(euca_boto("admin", "status", "--profile", "p"), 1).startswith(
        "euca-boto: DescribeServices failed on every bootstrap endpoint: "
        f"http://127.0.0.1:{port}/services/Empyrean")


def test_dns_topology_with_nothing_answering(profile: Callable[..., None]) -> None:
    profile("region = eucalyptus", "euca_topology = dns", "euca_dns_domain = cloud.test",
            f"euca_dns_resolver = 127.0.0.1:{free_port(udp_too=True)}", "euca_dns_timeout = 0.2")
    line = said(euca_boto("admin", "status", "--profile", "p"), 1)
    assert line.startswith("euca-boto: DNS lookup of ") and "check euca_dns_resolver" in line


def test_endpoints_exits_1_when_a_service_fails(profile: Callable[..., None],
                                                refused_port: int) -> None:
    profile("region = eucalyptus", f"euca_endpoint = http://127.0.0.1:{refused_port}/",
            "euca_topology = describe-services", "euca_retry_max_attempts = 1")
    result = euca_boto("endpoints", "--profile", "p", "--service", "euprop")
    assert result.returncode == 1, result.stderr
    assert "  error: DescribeServices failed on every bootstrap endpoint" in result.stdout


def test_a_cloud_refusal_is_one_line(profile: Callable[..., None], cloud: LocalCloud) -> None:
    profile("region = eucalyptus", f"euca_endpoint = {cloud.url}")  # keys the cloud never issued
    line = said(euca_boto("admin", "status", "--profile", "p"), 1)
    assert line.startswith("euca-boto: An error occurred (")
    assert "when calling the DescribeServices operation" in line


def test_fault_names_a_server_that_is_not_the_control_server(cloud: LocalCloud) -> None:
    assert said(euca_boto("fault", "--control", cloud.url, "--endpoint", "0", "--clear"), 1) == (
        f"euca-boto fault: {cloud.url} did not answer as a LocalCloud control server; pass the "
        "control URL `euca-boto cloud` prints")
