"""The AWS configuration LocalCloud hands out: plain boto3 reaches every service with it."""

from __future__ import annotations

import configparser
import re
import socket
from pathlib import Path

import boto3
import pytest

from euca_boto.testing import LocalCloud


def test_the_profile_text_maps_every_service_to_its_endpoint(cloud: LocalCloud) -> None:
    url = cloud.url
    assert cloud.profile_text() == (
        "[profile localcloud]\n"
        "region = eucalyptus\n"
        f"euca_endpoint = {url}\n"
        "services = localcloud\n"
        "\n"
        "[services localcloud]\n"
        f"euserv =\n  endpoint_url = {url}/services/Empyrean\n"
        f"euprop =\n  endpoint_url = {url}/services/Properties\n"
        f"euconfig =\n  endpoint_url = {url}/services/Configuration\n"
        f"ec2 =\n  endpoint_url = {url}/services/compute\n"
        f"iam =\n  endpoint_url = {url}/services/Euare\n"
        f"sts =\n  endpoint_url = {url}/services/Tokens\n"
        f"s3 =\n  endpoint_url = {url}/services/objectstorage\n"
    )


def test_a_failover_profile_names_every_endpoint(cloud: LocalCloud) -> None:
    urls = ", ".join(endpoint.url for endpoint in cloud.endpoints)
    assert len(cloud.endpoints) > 1
    text = cloud.profile_text(failover=True)
    assert text.splitlines()[:4] == [
        "[profile localcloud]",
        "region = eucalyptus",
        f"euca_endpoint = {cloud.url}",
        f"euca_endpoint_urls = {urls}",
    ]
    assert text.replace(f"euca_endpoint_urls = {urls}\n", "") == cloud.profile_text()


def test_the_default_profile_has_no_profile_prefix(cloud: LocalCloud) -> None:
    assert cloud.profile_text("default").startswith("[default]\nregion = eucalyptus\n")
    assert "[services default]" in cloud.profile_text("default")


def test_credentials_are_an_akia_key_and_a_secret(cloud: LocalCloud) -> None:
    assert re.fullmatch(r"AKIA[A-Z0-9]{16}", cloud.access_key)
    assert len(cloud.secret_key) == 40
    assert cloud.credentials_text("x") == (
        f"[x]\naws_access_key_id = {cloud.access_key}\naws_secret_access_key = {cloud.secret_key}\n"
    )


def test_every_cloud_issues_its_own_keys() -> None:
    one, two = LocalCloud(aws=False), LocalCloud(aws=False)
    assert one.access_key != two.access_key
    assert one.secret_key != two.secret_key


def test_plain_boto3_works_with_the_written_files(
    cloud: LocalCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, credentials = cloud.write_aws_files(tmp_path / "aws")
    assert (config, credentials) == (tmp_path / "aws" / "config", tmp_path / "aws" / "credentials")
    parsed = configparser.ConfigParser()
    parsed.read(config)
    assert parsed["profile localcloud"]["euca_endpoint"] == cloud.url
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    session = boto3.Session(profile_name="localcloud")
    assert session.region_name == "eucalyptus"
    sts = session.client("sts")
    assert sts.meta.endpoint_url == cloud.service_url("sts")
    assert sts.get_caller_identity()["Account"]
    session.client("s3").create_bucket(Bucket="profile-bucket")
    assert "profile-bucket" in [b["Name"] for b in session.client("s3").list_buckets()["Buckets"]]
    assert {r.service for r in cloud.requests()} == {"sts", "s3"}


def test_service_urls_accept_the_eucalyptus_names(cloud: LocalCloud) -> None:
    assert (
        cloud.service_url("euserv")
        == cloud.service_url("bootstrap")
        == (cloud.url + "/services/Empyrean")
    )
    assert cloud.service_url("compute", 2) == cloud.endpoint(2).url + "/services/compute"
    assert cloud.service_url("configuration") == cloud.url + "/services/Configuration"
    with pytest.raises(ValueError, match="unknown service 'lambda'"):
        cloud.service_url("lambda")


def test_endpoints_are_spread_over_the_partitions(cloud: LocalCloud) -> None:
    assert [(e.index, e.partition, e.host) for e in cloud.endpoints] == [
        (0, "PARTI00", "127.0.0.1"),
        (1, "PARTI01", "127.0.0.1"),
        (2, "PARTI00", "127.0.0.1"),
    ]
    assert cloud.endpoint(1).url == f"http://127.0.0.1:{cloud.endpoint(1).port}"
    assert len({e.port for e in cloud.endpoints}) == 3


def test_a_base_port_gives_consecutive_ports(unused_port_block: int) -> None:
    with LocalCloud(endpoints=2, partitions=1, aws=False, port=unused_port_block) as fixed:
        assert [e.port for e in fixed.endpoints] == [unused_port_block, unused_port_block + 1]
        assert fixed.control_url == f"http://127.0.0.1:{unused_port_block + 2}"


@pytest.fixture
def unused_port_block() -> int:
    """A base port whose next three ports were free a moment ago."""
    for base in range(47000, 48000, 10):
        sockets = []
        try:
            for offset in range(3):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    pytest.fail("no free block of 3 ports in 47000-48000")
