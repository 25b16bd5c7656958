"""Connection reuse with many endpoints: a client keeps to as many endpoints as it keeps
connection pools for, so calls reuse connections instead of opening one each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import euca_boto
from euca_boto.testing import CannedServer
from euca_boto.testing.canned import DESCRIBE_PROPERTIES


@pytest.fixture(scope="module")
def fifty() -> Any:
    with CannedServer(DESCRIBE_PROPERTIES, ports=50) as server:
        yield server


def session_of(server: CannedServer, tmp_path: Path) -> Any:
    urls = ",".join(f"{url}/services/Properties" for url in server.urls)
    (tmp_path / "config").write_text(
        "[profile many]\nregion = eucalyptus\n"
        f"euca_endpoint_urls = {urls}\n"
        "aws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n")
    return euca_boto.session("many")


def test_two_hundred_calls_over_fifty_endpoints_open_no_new_connection(
    fifty: CannedServer, tmp_path: Path
) -> None:
    euprop = session_of(fifty, tmp_path).client("euprop")
    for _ in range(100):  # warm-up
        euprop.describe_properties(Properties=["dns.enabled"])
    opened = fifty.connections
    names = [euprop.describe_properties(Properties=["dns.enabled"])["Properties"][0]["Name"]
             for _ in range(200)]
    assert names == ["dns.enabled"] * 200
    assert fifty.connections - opened == 0


def test_clients_of_one_session_spread_over_the_endpoints(
    fifty: CannedServer, tmp_path: Path
) -> None:
    session = session_of(fifty, tmp_path)
    before = {port: fifty.connections_at(port) for port in fifty.ports}
    for _ in range(10):
        client = session.client("euprop")
        for _ in range(20):
            client.describe_properties(Properties=["dns.enabled"])
    used = [port for port in fifty.ports if fifty.connections_at(port) > before[port]]
    assert len(used) == 50
