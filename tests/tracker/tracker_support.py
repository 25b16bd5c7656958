"""Shared pieces of the tracker tests, importable by name (conftest modules are not)."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from awsenv import IMAGE

# The tests' receivers listen on loopback, which hooks may target only when allowed.
LOCAL = ("127.0.0.1", "::1")


@dataclass
class Cloud:
    """LocalCloud with an administrator session and sessions of two other accounts (acme and
    globex, keys made with ``add_credentials``)."""

    cloud: Any  # euca_boto.testing.LocalCloud
    aws_dir: Path
    admin: Any
    tenant: Any
    tenant_account: str
    other: Any
    other_account: str

    def run_instances(self, session: Any, count: int = 1) -> list[str]:
        reply = session.client("ec2").run_instances(ImageId=IMAGE, MinCount=count, MaxCount=count)
        return [i["InstanceId"] for i in reply["Instances"]]


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class Delivery:
    body: bytes
    headers: dict[str, str]

    @property
    def change(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.body)
        return result


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 that records POSTs; ``fail(n)`` answers the next n with 503."""

    url: str = ""
    deliveries: list[Delivery] = field(default_factory=list)
    failures_left: int = 0
    status: int = 503
    latency: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    attempts: int = 0

    def fail(self, count: int, status: int = 503) -> None:
        with self.lock:
            self.failures_left, self.status = count, status

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Delivery]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.deliveries) >= count:
                    return list(self.deliveries)
            time.sleep(0.02)
        with self.lock:
            return list(self.deliveries)
