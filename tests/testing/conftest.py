"""Shared LocalCloud fixtures and a small signed-request client for the wire-level tests."""

from __future__ import annotations

import http.client
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.auth import SigV2Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from euca_boto.testing import LocalCloud

FORM = "application/x-www-form-urlencoded; charset=utf-8"


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


def send(
    url: str,
    params: dict[str, str],
    *,
    access_key: str,
    secret_key: str,
    method: str = "POST",
    signature: str = "v4",
    host: str | None = None,
    tamper: Callable[[bytes], bytes] | None = None,
) -> Reply:
    """Sign ``params`` with botocore's own signer (SigV4 scope bootstrap/eucalyptus, or SigV2),
    send them over a real socket and return the raw answer."""
    headers = {"Host": host} if host else {}
    if method == "POST":
        headers["Content-Type"] = FORM
        request = AWSRequest(method=method, url=url, data=dict(params), headers=headers)
    else:
        request = AWSRequest(method=method, url=url, params=dict(params), headers=headers)
    if signature == "v4":
        SigV4Auth(Credentials(access_key, secret_key), "bootstrap", "eucalyptus").add_auth(request)
    elif signature == "v2":
        SigV2Auth(Credentials(access_key, secret_key)).add_auth(request)
    prepared = request.prepare()
    return send_raw(prepared.method, prepared.url, prepared.body, dict(prepared.headers), tamper)


def send_raw(
    method: str,
    url: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    tamper: Callable[[bytes], bytes] | None = None,
) -> Reply:
    parts = urlsplit(url)
    body_bytes = body.encode() if isinstance(body, str) else (body or b"")
    if tamper is not None:
        body_bytes = tamper(body_bytes)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, target, body=body_bytes or None, headers=headers or {})
        response = conn.getresponse()
        return Reply(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        conn.close()


@pytest.fixture(scope="session")
def cloud() -> Iterator[LocalCloud]:
    """One cloud (3 endpoints, 2 partitions, moto) shared by the whole run."""
    with LocalCloud() as shared:
        yield shared


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests that use the shared cloud start and end with no faults and empty logs."""
    if "cloud" not in request.fixturenames:
        yield
        return
    shared: LocalCloud = request.getfixturevalue("cloud")
    shared.clear()
    shared.clear_requests()
    yield
    shared.clear()
    # Requests a timed-out client left behind are answered late; keep them out of the next test.
    assert shared.wait_idle(), "a request is still in progress after clear()"
    shared.clear_requests()


@pytest.fixture
def signed() -> Callable[..., Reply]:
    """``signed(url, params, access_key=, secret_key=, method=, signature=, host=, tamper=)``."""
    return send


@pytest.fixture
def raw() -> Callable[..., Reply]:
    """``raw(method, url, body, headers)``: send exactly this over a real socket."""
    return send_raw


@pytest.fixture
def admin(cloud: LocalCloud) -> Callable[..., Reply]:
    """``admin(service, params, endpoint=0, **send_options)`` with the cloud's admin keys."""

    def call(service: str, params: dict[str, str], endpoint: int = 0, **options: Any) -> Reply:
        options.setdefault("access_key", cloud.access_key)
        options.setdefault("secret_key", cloud.secret_key)
        return send(cloud.service_url(service, endpoint), params, **options)

    return call


@pytest.fixture
def client(cloud: LocalCloud) -> Callable[..., Any]:
    """``client(service, endpoint=0, read_timeout=5)``: a plain boto3 client for one endpoint,
    with botocore's retries off so every fault shows up exactly once."""

    def make(service: str, endpoint: int = 0, read_timeout: float = 5) -> Any:
        return boto3.client(
            service,
            endpoint_url=cloud.service_url(service, endpoint),
            region_name=cloud.region,
            aws_access_key_id=cloud.access_key,
            aws_secret_access_key=cloud.secret_key,
            config=Config(
                retries={"total_max_attempts": 1}, connect_timeout=2, read_timeout=read_timeout
            ),
        )

    return make
