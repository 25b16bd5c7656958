"""The plugin on aiobotocore sessions: protected coroutine clients, waits that leave the event
loop free, breakers with shared state consulted off the loop, caller-context credentials, and
clear errors for the wrong kind of session or client."""

from __future__ import annotations

import asyncio
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from awsenv import IMAGE
from botocore.exceptions import ClientError
from dnslib import QTYPE, RR, A, DNSRecord
from dnslib.server import BaseResolver, DNSServer
from modes import InFlight, needs_aiobotocore
from ports import free_port

import euca_boto
from euca_boto import EucaBotoError, aio
from euca_boto.breakers.protected import ProtectedClient
from euca_boto.metrics import METRICS
from euca_boto.testing import LocalCloud

pytestmark = needs_aiobotocore

DOMAIN = "cloud.test"


def requests(cloud: LocalCloud, action: str, at_least: int = 0) -> list[Any]:
    deadline = time.monotonic() + 3
    found: list[Any] = []
    while time.monotonic() < deadline:
        again = [r for r in cloud.endpoint(0).requests if r.action == action]
        if len(again) >= at_least and len(again) == len(found):
            return again
        found = again
        time.sleep(0.02)
    return found


def test_clients_come_back_protected_with_coroutine_operations(
    profile: Callable[[str], str], fresh_cloud: LocalCloud
) -> None:
    name = profile("")

    async def main() -> tuple[Any, Any, Any]:
        async with aio.session(name).create_client("euprop") as client:
            pending = client.describe_properties(Properties=["dns.enabled"])
            assert asyncio.iscoroutine(pending)
            return type(client), client.breaker.name, await pending

    kind, breaker, result = asyncio.run(main())
    assert kind is ProtectedClient
    assert breaker == f"{name}/euprop@{fresh_cloud.url.split('://')[1].rstrip('/')}"
    assert result["Properties"][0]["Name"] == "dns.enabled"
    assert METRICS.get("euprop", "DescribeProperties").calls == 1


def test_installing_twice_changes_nothing(profile: Callable[[str], str]) -> None:
    session = aio.session(profile(""))
    create_client = session.create_client
    assert aio.install(session, euca_retry_max_attempts=2) is session
    assert session.create_client is create_client

    async def main() -> int:
        async with session.create_client("euprop") as client:
            metadata = (await client.describe_properties())["ResponseMetadata"]
            return int(metadata["EucaRetry"]["Attempts"])

    assert asyncio.run(main()) == 1


def test_the_retry_delay_is_awaited_not_slept(
    profile: Callable[[str], str], fresh_cloud: LocalCloud
) -> None:
    fresh_cloud.endpoint(0).fail(503)
    waiting = False
    ticks_while_waiting = 0

    async def observed_sleep(seconds: float) -> None:
        nonlocal waiting
        waiting = True
        try:
            await asyncio.sleep(seconds)
        finally:
            waiting = False

    async def ticker() -> None:
        nonlocal ticks_while_waiting
        while True:
            await asyncio.sleep(0.01)
            ticks_while_waiting += waiting

    async def main() -> Any:
        session = aio.session(profile(""), euca_retry_backoff="fixed", euca_retry_delay=0.2)
        async with session.create_client("euprop") as client:
            await aio.configure_retry(client, async_sleep=observed_sleep)
            ticking = asyncio.create_task(ticker())
            try:
                return await client.describe_properties()
            finally:
                ticking.cancel()

    result = asyncio.run(main())
    assert result["ResponseMetadata"]["EucaRetry"] == {"Attempts": 2, "Slept": 0.2}
    assert ticks_while_waiting > 0  # other tasks ran during the delay


class _SlowZone(BaseResolver):
    """Answers ``properties.<DOMAIN>`` with 127.0.0.1 (no SRV records), each answer held back
    until the event loop under test has ticked a few times, or ``hold`` seconds have passed.

    ``ticks`` is advanced by a task on the event loop; each held query records how many ticks
    it saw while it was held. A lookup that blocked the loop sees none and is answered late but
    still inside the resolver's 2 s timeout, so the test fails on its assertion, not on DNS. How
    fast the machine is does not matter: only whether the loop ran while a lookup was pending.
    """

    TICKS_WANTED = 3

    def __init__(self, hold: float) -> None:
        self.hold = hold
        self.queries = 0
        self.ticks = 0
        self.ticks_seen: list[int] = []

    def resolve(self, request: DNSRecord, handler: Any) -> DNSRecord:
        self.queries += 1
        start, deadline = self.ticks, time.monotonic() + self.hold
        while self.ticks - start < self.TICKS_WANTED and time.monotonic() < deadline:
            time.sleep(0.005)
        self.ticks_seen.append(self.ticks - start)
        reply = request.reply()
        name = str(request.q.qname).rstrip(".")
        if name != f"properties.{DOMAIN}":
            reply.header.rcode = 3  # NXDOMAIN
        elif QTYPE[request.q.qtype] == "A":
            reply.add_answer(RR(name, QTYPE.A, rdata=A("127.0.0.1"), ttl=60))
        return reply


@pytest.fixture
def slow_dns() -> Iterator[tuple[str, _SlowZone]]:
    """host:port of a DNS server (UDP) that holds every answer back (up to 1.2 s) until the
    event loop has ticked, and its zone."""
    zone = _SlowZone(1.2)
    port = free_port(udp_too=True)
    server = DNSServer(zone, address="127.0.0.1", port=port, logger=_QuietLogger())
    server.start_thread()
    try:
        yield f"127.0.0.1:{port}", zone
    finally:
        server.stop()
        server.server.server_close()


class _QuietLogger:
    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None


def test_the_first_dns_lookup_leaves_the_event_loop_free(
    profile: Callable[[str], str], fresh_cloud: LocalCloud, slow_dns: tuple[str, _SlowZone]
) -> None:
    resolver, zone = slow_dns
    name = profile(f"euca_topology = dns\neuca_dns_domain = {DOMAIN}\n"
                   f"euca_dns_resolver = {resolver}\n")

    async def ticker() -> None:
        while True:
            await asyncio.sleep(0.005)
            zone.ticks += 1

    async def main() -> Any:
        async with aio.session(name).create_client("euprop") as client:
            ticking = asyncio.create_task(ticker())
            await asyncio.sleep(0)  # the ticker waits before the call starts
            try:
                return await client.describe_properties(Properties=["dns.enabled"])
            finally:
                ticking.cancel()

    result = asyncio.run(main())
    assert result["Properties"][0]["Name"] == "dns.enabled"
    assert zone.queries == 3  # SRV, A and AAAA on the first call
    # The loop kept running while each lookup was pending: none of them held it up.
    assert len(zone.ticks_seen) == 3
    assert min(zone.ticks_seen) >= zone.TICKS_WANTED, zone.ticks_seen


def test_concurrent_calls_overlap(profile: Callable[[str], str], fresh_cloud: LocalCloud) -> None:
    fresh_cloud.endpoint(0).latency(1.0)  # room for all eight to go out, even on a busy machine
    peaks: list[int] = []

    async def main() -> list[Any]:
        async with aio.session(profile("")).create_client("euprop") as client:
            out = InFlight(client, "euprop")
            try:
                return await asyncio.gather(*(client.describe_properties() for _ in range(8)))
            finally:
                peaks.append(out.peak)

    results = asyncio.run(main())
    assert [r["ResponseMetadata"]["HTTPStatusCode"] for r in results] == [200] * 8
    assert peaks == [8]


def test_pages_of_a_protected_client_each_go_through_the_breaker(
    profile: Callable[[str], str], fresh_cloud: LocalCloud
) -> None:
    name = profile("")
    plain = euca_boto.session(name).client("ec2")
    while len(plain.describe_instances()["Reservations"]) < 6:
        plain.run_instances(ImageId=IMAGE, MinCount=1, MaxCount=1)
    METRICS.clear()

    async def main() -> int:
        async with aio.session(name).create_client("ec2") as client:
            pages = client.get_paginator("describe_instances").paginate(MaxResults=5)
            return len([page async for page in pages])

    count = asyncio.run(main())
    assert count >= 2
    assert METRICS.get("ec2", "DescribeInstances").calls == count


def test_a_role_context_signs_with_credentials_fetched_off_the_loop(
    profile: Callable[[str], str], fresh_cloud: LocalCloud
) -> None:
    role = "arn:aws:iam::123456789012:role/operator"

    async def main() -> None:
        session = aio.session(profile(""), euca_retry_max_attempts=1, euca_breaker=False)
        async with session.create_client("euprop") as client:
            async with euca_boto.caller_context(role_arn=role, session_name="nightly"):
                try:
                    await client.describe_properties()
                except Exception:
                    pass  # the cloud may refuse the role; the signature is the point

    asyncio.run(main())
    [assume] = requests(fresh_cloud, "AssumeRole", at_least=1)
    assert assume.params["RoleArn"] == role
    [call] = requests(fresh_cloud, "DescribeProperties", at_least=1)
    signer = re.search(r"Credential=([A-Z0-9]+)/", call.headers["Authorization"])
    assert signer is not None and signer.group(1) != fresh_cloud.access_key


# -- a breaker whose state is in Redis ---------------------------------------------------------


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A private redis-server on a free port of 127.0.0.1, for this module."""
    binary = shutil.which("redis-server")
    assert binary is not None, "redis-server is needed (.ci/run installs it)"
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_shared_breaker_is_consulted_off_the_event_loop(
    profile: Callable[[str], str], fresh_cloud: LocalCloud, redis_url: str
) -> None:
    name = profile("")
    threads: list[str] = []
    euca_boto.add_breaker_listener(lambda change: threads.append(
        f"{change.new}@{threading.current_thread().name}"))
    fresh_cloud.endpoint(0).fail(503)

    async def main() -> tuple[str, type[BaseException]]:
        session = aio.session(name, euca_retry_max_attempts=1, euca_breaker_fail_max=1,
                              euca_breaker_storage=redis_url)
        async with session.create_client("euprop") as client:
            with pytest.raises(ClientError):
                await client.describe_properties()
            with pytest.raises(euca_boto.CircuitOpenError) as refused:
                await client.describe_properties()
            return threading.current_thread().name, type(refused.value)

    loop_thread, refused = asyncio.run(main())
    assert refused is euca_boto.CircuitOpenError
    [opened] = threads
    state, thread = opened.split("@")
    assert state == "open" and thread != loop_thread
    [info] = [b for b in euca_boto.breakers() if b.name.startswith(f"{name}/euprop@")]
    assert info.storage.startswith("redis://127.0.0.1:")
    assert len(requests(fresh_cloud, "DescribeProperties", at_least=1)) == 1


# -- the wrong kind of session or client -------------------------------------------------------


def test_an_aiobotocore_client_is_not_wrapped(profile: Callable[[str], str]) -> None:
    async def main() -> None:
        async with aio.session(profile("")).create_client("euprop") as client:
            aio.wrap(client)

    with pytest.raises(EucaBotoError, match="aiobotocore client, whose operations are "
                                            "awaitable already; install the plugin"):
        asyncio.run(main())


def test_the_sync_install_refuses_an_aiobotocore_session() -> None:
    from aiobotocore.session import AioSession

    with pytest.raises(TypeError, match=r"use euca_boto.aio.install\(session\)"):
        euca_boto.install(AioSession())


def test_the_async_install_refuses_a_boto3_session() -> None:
    with pytest.raises(TypeError, match="takes an aiobotocore AioSession, not Session"):
        aio.install(euca_boto.session())


def test_sync_configure_retry_points_to_the_async_one(profile: Callable[[str], str]) -> None:
    async def main() -> None:
        async with aio.session(profile("")).create_client("euprop") as client:
            euca_boto.configure_retry(client, euca_retry_max_attempts=2)

    with pytest.raises(TypeError, match=r"use `await euca_boto.aio.configure_retry"):
        asyncio.run(main())


def test_describe_services_topology_works_on_an_aiobotocore_session(
    profile: Callable[[str], str], fresh_cloud: LocalCloud
) -> None:
    name = profile("euca_topology = describe-services\n")

    async def main() -> list[Any]:
        async with aio.session(name).create_client("euprop") as client:
            return [await client.describe_properties(Properties=["dns.enabled"])
                    for _ in range(6)]

    results = asyncio.run(main())
    assert [r["Properties"][0]["Name"] for r in results] == ["dns.enabled"] * 6
    answered = [e.index for e in fresh_cloud.endpoints
                if any(r.action == "DescribeProperties" for r in e.requests)]
    assert len(answered) > 1  # spread over the endpoints the topology reported
    topology = requests(fresh_cloud, "DescribeServices")
    assert topology and topology[0].access_key == fresh_cloud.access_key
