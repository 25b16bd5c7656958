"""Fixtures for the endpoint tests: a LocalCloud with three endpoints in two partitions, a real
DNS server on 127.0.0.1 (UDP and TCP), an isolated AWS configuration and a hand-driven clock."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from awsenv import PROFILE, AwsEnv
from dnslib import QTYPE, RR, DNSRecord
from dnslib.server import BaseResolver, DNSServer
from ports import free_port

import euca_boto
from euca_boto.endpoints import selector_of
from euca_boto.testing import LocalCloud


@pytest.fixture(scope="module")
def cloud_shape() -> dict[str, Any]:
    return {"endpoints": 3, "partitions": 2}


@pytest.fixture(autouse=True)
def isolated(aws_env: AwsEnv) -> AwsEnv:
    """Every test here starts with empty AWS files and no AWS_ or EUCA_BOTO_ variables."""
    return aws_env


@pytest.fixture
def fresh_cloud(cloud: LocalCloud) -> Iterator[LocalCloud]:
    """The module's cloud with no faults, every endpoint running and empty request logs."""
    cloud.clear()
    # A request held by an earlier test's black hole is answered (and logged) within the
    # endpoint's 50 ms poll after clear(); let it land before emptying the logs. An endpoint
    # counts a request as in progress until it is logged and answered.
    cloud.wait_idle()
    cloud.clear_requests()
    yield cloud
    cloud.clear()


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def profile(fresh_cloud: LocalCloud, tmp_path: Path) -> Callable[..., Path]:
    """Write the cloud's profile (every service pinned to endpoint 0 by a ``services``
    section, as LocalCloud writes it) with extra ``key = value`` lines, which replace the
    profile's own lines of the same keys."""

    def write(*extra: str, services_section: bool = True) -> Path:
        config, _ = fresh_cloud.write_aws_files(tmp_path, profile=PROFILE)
        text = config.read_text()
        if not services_section:
            text = "\n".join(
                line for line in text.split("\n[services")[0].splitlines()
                if not line.startswith("services =")
            ) + "\n"
        head, sep, tail = text.partition("\n\n")
        replaced = {line.split("=")[0].strip() for line in extra}
        head = "\n".join(line for line in head.splitlines()
                         if line.split("=")[0].strip() not in replaced)
        config.write_text(head + "\n" + "\n".join(extra) + "\n" + sep + tail)
        return config

    return write


@pytest.fixture
def make_session(clock: FakeClock) -> Callable[..., Any]:
    """A euca-boto session of the test profile whose endpoint selector runs on ``clock``;
    quick retries so that failover tests do not sleep."""

    def make(**settings: Any) -> Any:
        settings.setdefault("euca_retry_base_delay", 0.001)
        settings.setdefault("euca_retry_delay", 0.001)
        session = euca_boto.session(PROFILE, **settings)
        selector_of(session, clock=clock)
        return session

    return make


# -- DNS -------------------------------------------------------------------------------------


@dataclass
class Zone(BaseResolver):
    """A mutable zone: name -> [(type, rdata, ttl)]; names not in it are NXDOMAIN."""

    records: dict[str, list[tuple[str, Any, int]]] = field(default_factory=dict)
    queries: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, rtype: str, rdata: Any, ttl: int = 60) -> None:
        with self.lock:
            self.records.setdefault(name.rstrip(".").lower(), []).append((rtype, rdata, ttl))

    def clear(self) -> None:
        with self.lock:
            self.records.clear()
            self.queries.clear()

    def asked(self, name: str) -> int:
        with self.lock:
            return sum(1 for q, _ in self.queries if q == name)

    def resolve(self, request: DNSRecord, handler: Any) -> DNSRecord:
        reply = request.reply()
        qname = str(request.q.qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        with self.lock:
            self.queries.append((qname, qtype))
            found = self.records.get(qname)
            if found is None:
                reply.header.rcode = 3  # NXDOMAIN
                return reply
            for rtype, rdata, ttl in found:
                if rtype == qtype:
                    reply.add_answer(RR(qname, getattr(QTYPE, rtype), rdata=rdata, ttl=ttl))
        return reply


@dataclass
class DnsServer:
    zone: Zone
    port: int

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@pytest.fixture(scope="module")
def dns_server() -> Iterator[DnsServer]:
    """A real DNS server (dnslib) answering from a mutable zone on 127.0.0.1, UDP and TCP."""
    zone = Zone()
    port = free_port(udp_too=True)
    servers = [DNSServer(zone, address="127.0.0.1", port=port, tcp=tcp,
                         logger=_QuietLogger()) for tcp in (False, True)]
    for server in servers:
        server.start_thread()
    yield DnsServer(zone, port)
    for server in servers:
        server.stop()
        server.server.server_close()


@pytest.fixture
def dns(dns_server: DnsServer) -> Iterator[DnsServer]:
    dns_server.zone.clear()
    yield dns_server
    dns_server.zone.clear()


@pytest.fixture
def silent_dns() -> Iterator[str]:
    """host:port of a UDP socket that takes DNS queries and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"127.0.0.1:{sock.getsockname()[1]}"


class _QuietLogger:
    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None
