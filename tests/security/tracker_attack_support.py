"""Shared pieces of the tracker's attack tests: a tracker service on the module's LocalCloud,
identity proofs made and taken apart as an attacker would, and raw HTTP from a chosen loopback
address (each 127.0.0.0/8 address is a client of its own to the server).

Importable by name from the test modules beside it (a module of its own, not a conftest, so
that it never collides with the fixtures of other test folders)."""

from __future__ import annotations

import base64
import datetime
import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from euca_boto.testing import LocalCloud
from euca_boto.tracker import Tracker, TrackerService
from euca_boto.tracker.api.server import Limits
from euca_boto.tracker.identity import make_proof
from euca_boto.tracker.model import INSTANCE

REGION = "eucalyptus"


class Frozen(NamedTuple):
    """Frozen credentials as botocore hands them out."""

    access_key: str
    secret_key: str
    token: str | None = None


def admin_credentials(cloud: LocalCloud) -> Frozen:
    return Frozen(cloud.access_key, cloud.secret_key)


def proof(cloud: LocalCloud, method: str, target: str, body: bytes = b"",
          minutes_ago: float = 0.0, credentials: Frozen | None = None,
          audience: str | None = None) -> str:
    """An honest identity proof for one tracker request."""
    when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=minutes_ago)
    return make_proof(credentials or admin_credentials(cloud), cloud.service_url("sts"), REGION,
                      method, target, body, signed_at=when, audience=audience)


def decode(value: str) -> dict[str, Any]:
    padded = value + "=" * (-len(value) % 4)
    document: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
    return document


def encode_pairs(document: dict[str, Any], headers: list[tuple[str, str]]) -> str:
    """A proof with ``headers`` written in this order, names repeated as given (JSON allows
    it; what a reader makes of it is the question)."""
    head = json.dumps({k: v for k, v in document.items() if k != "headers"})[:-1]
    pairs = ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in headers)
    text = f'{head}, "headers": {{{pairs}}}}}'
    return base64.urlsafe_b64encode(text.encode()).decode()


def encode(document: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode()


@pytest.fixture
def make_service(cloud: LocalCloud, tmp_path: Path) -> Iterator[Callable[..., TrackerService]]:
    """Start tracker services on the module's cloud (any free port, a SQLite feed of their own);
    all are closed after the test."""
    started: list[TrackerService] = []

    def make(limits: Limits | None = None, hook_allow: tuple[str, ...] = (),
             **kwargs: Any) -> TrackerService:
        tracker = Tracker(str(tmp_path / f"feed-{len(started)}.db"), [],
                          resource_types=[INSTANCE], hook_allow=hook_allow)
        service = TrackerService(tracker, cloud.service_url("sts"), port=0, limits=limits,
                                 hook_allow=hook_allow, **kwargs)
        started.append(service)
        return service

    yield make
    for service in started:
        service.close()
        service.tracker.store.close()


def connect(port: int, source: str = "127.0.0.1", timeout: float = 10.0) -> socket.socket:
    """A TCP connection to the server from loopback address ``source``."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                    source_address=(source, 0))
    return sock


def exchange(port: int, request: bytes, source: str = "127.0.0.1",
             timeout: float = 10.0) -> bytes:
    """Send one raw request on a new connection; everything the server answers before it
    closes (the request asks it to close)."""
    with connect(port, source, timeout) as sock:
        sock.sendall(request)
        data = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                return data
            if not chunk:
                return data
            data += chunk


def status_of(answer: bytes) -> int:
    """The status code of a raw HTTP answer (0 when there is none)."""
    if not answer.startswith(b"HTTP/1.1 "):
        return 0
    return int(answer[9:12])


def body_of(answer: bytes) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    return document
