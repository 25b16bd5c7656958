"""One client cannot lock everyone out of the tracker API: it holds many idle connections and
reopens every one the server closes, yet other clients' requests are answered and ``/health``
answers JSON. Each loopback address is a client of its own; the caps are set low so the counts
stay small (bench/bench_admission.py runs the 1,000-connection flood)."""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from tracker_attack_support import (  # noqa: F401 - make_service is a fixture
    body_of,
    connect,
    exchange,
    make_service,
    status_of,
)

from euca_boto.tracker import TrackerService
from euca_boto.tracker.api.server import Limits

LIMITS = Limits(max_connections=30, max_connections_per_client=10, health_reserve=2,
                header_timeout=20.0, request_timeout=20.0, refuse_after=0.5)
HEALTH = b"GET /health HTTP/1.1\r\nHost: tracker\r\nConnection: close\r\n\r\n"


class Flood:
    """Clients at ``sources`` each holding ``count`` idle connections, reopening the ones the
    server closes, until stopped (at most ``seconds``)."""

    def __init__(self, port: int, sources: list[str], count: int, seconds: float = 60) -> None:
        self.port, self.sources, self.count = port, sources, count
        self.deadline = time.monotonic() + seconds
        self.stop = threading.Event()
        self.reopened = 0
        self.ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Flood:
        self._thread.start()
        assert self.ready.wait(60)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._thread.join(timeout=60)

    def _open(self, source: str) -> socket.socket | None:
        try:
            return connect(self.port, source, timeout=5)
        except OSError:
            return None

    def _run(self) -> None:
        held: dict[socket.socket, str] = {}
        for source in self.sources:
            for _ in range(self.count):
                sock = self._open(source)
                if sock is not None:
                    held[sock] = source
        self.ready.set()
        while not self.stop.is_set() and time.monotonic() < self.deadline:
            readable, _, _ = select.select(list(held), [], [], 0.05)
            for sock in readable:
                # The server answered (refused) or closed it: reopen, as the attacker does.
                source = held.pop(sock)
                sock.close()
                again = self._open(source)
                self.reopened += 1
                if again is not None:
                    held[again] = source
        for sock in held:
            sock.close()


@pytest.fixture
def service(make_service: Callable[..., TrackerService]) -> Iterator[TrackerService]:  # noqa: F811
    yield make_service(limits=LIMITS)


def test_one_client_holding_idle_connections_does_not_lock_others_out(
    service: TrackerService,
) -> None:
    port = service.api.port
    with Flood(port, ["127.0.0.2"], 100) as flood:
        answers = [exchange(port, HEALTH, source="127.0.0.3") for _ in range(20)]
        held = service.api.admission.open
    assert [status_of(a) for a in answers] == [200] * 20
    assert all(body_of(a)["status"] == "ok" for a in answers)
    assert flood.reopened > 0  # the server refused or closed the flood's extra connections
    assert held <= LIMITS.max_connections_per_client + 1


def test_idle_connections_of_many_addresses_make_room_for_a_newcomer(
    service: TrackerService,
) -> None:
    port = service.api.port
    sources = [f"127.0.0.{n}" for n in range(2, 6)]  # 4 x 10 idle, over the total of 30
    with Flood(port, sources, 10):
        answers = [exchange(port, HEALTH, source="127.0.1.1") for _ in range(10)]
    assert [status_of(a) for a in answers] == [200] * 10
    assert service.api.admission.evicted > 0


@contextlib.contextmanager
def _busy(service: TrackerService, sources: list[str]) -> Iterator[None]:
    """Ten requests in progress from each of ``sources`` (bodies announced, never sent)."""
    busy = []
    try:
        for source in sources:
            for _ in range(10):
                sock = connect(service.api.port, source)
                sock.sendall(b"PUT /instances HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n")
                busy.append(sock)
        deadline = time.monotonic() + 30
        while service.api.admission.open < len(busy) and time.monotonic() < deadline:
            time.sleep(0.02)
        yield
    finally:
        for sock in busy:
            sock.close()


def test_when_every_connection_is_busy_health_is_answered_from_the_reserve(
    service: TrackerService,
) -> None:
    port = service.api.port
    with _busy(service, ["127.0.0.2", "127.0.0.3", "127.0.0.4"]):  # 30: the total
        health = exchange(port, HEALTH, source="127.0.1.1")
        other = exchange(port, b"GET /hooks HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                         source="127.0.1.1")
    assert status_of(health) == 200 and body_of(health)["status"] == "ok"
    assert status_of(other) == 503
    assert body_of(other)["error"]["code"] == "Busy"
    assert "reserved for GET /health" in body_of(other)["error"]["message"]


def test_a_refused_connection_gets_a_json_503_saying_why(service: TrackerService) -> None:
    with _busy(service, ["127.0.0.7"]):  # the client's 10, none idle
        answer = exchange(service.api.port, HEALTH, source="127.0.0.7")
    assert status_of(answer) == 503
    assert body_of(answer)["error"]["code"] == "TooManyConnections"
