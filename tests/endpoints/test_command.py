"""``euca-boto endpoints``, run as a user runs it, against LocalCloud."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from euca_boto.cli import main
from euca_boto.testing import LocalCloud


def test_shows_endpoints_source_partition_health_and_order(
    profile: Callable[..., Path], fresh_cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    profile("euca_topology = describe-services", "euca_zone = PARTI01")
    fresh_cloud.endpoint(2).stop()
    assert main(["endpoints", "--profile", "localcloud", "--service", "euprop"]) == 0
    lines = capsys.readouterr().out.splitlines()
    bootstrap = fresh_cloud.service_url("euserv", 0)
    assert lines[0] == "profile localcloud"
    assert lines[1] == f"euprop: describe-services from {bootstrap}, zone PARTI01 first"
    assert lines[2].split() == ["order", "url", "source", "partition", "health"]
    assert [line.split() for line in lines[3:]] == [
        ["1", fresh_cloud.service_url("euprop", 1), "describe-services", "PARTI01", "healthy"],
        ["2", fresh_cloud.service_url("euprop", 0), "describe-services", "PARTI00", "healthy"],
    ]


def test_a_single_endpoint_service_shows_its_url(
    profile: Callable[..., Path], fresh_cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    profile()
    assert main(["endpoints", "--profile", "localcloud", "--service", "euprop"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        f"euprop: {fresh_cloud.service_url('euprop', 0)} (single endpoint, topology static)")


def test_every_known_service_is_listed_and_lookup_errors_are_one_line(
    profile: Callable[..., Path], dns: object, capsys: pytest.CaptureFixture[str]
) -> None:
    profile("euca_topology = dns", "euca_dns_domain = nowhere.test",
            f"euca_dns_resolver = {dns.address}", services_section=False)  # type: ignore[attr-defined]
    assert main(["endpoints", "--profile", "localcloud"]) == 1  # services failed
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out if not line.startswith(" ")][1:] == [
        "euserv", "euprop", "euconfig", "ec2", "euca-ec2", "iam", "sts", "s3"]
    assert ("  error: DNS name properties.nowhere.test does not exist (NXDOMAIN from "
            f"{dns.address}); check euca_dns_domain") in out  # type: ignore[attr-defined]


def test_a_bad_profile_is_a_configuration_error(
    profile: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    profile("euca_topology = carrier-pigeon")
    assert main(["endpoints", "--profile", "localcloud"]) == 2
    assert "euca_topology = 'carrier-pigeon' is not valid; expected one of static, dns, " \
           "describe-services" in capsys.readouterr().err
