"""A caller that leaves while being admitted to a half-open breaker, whose state is shared in
Redis, gives its probe slot back: the fleet is not locked out of a service that recovered.

The caller is put in the middle of its admission by a proxy in front of a real redis-server
that holds back a reply, and leaves there: cancelled (asyncio) or interrupted (Ctrl-C)."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections.abc import Iterator

import pytest
import redis
from redis_proxy import RedisProxy

import euca_boto
from euca_boto.core import process

# Long enough that the reset timeout never elapses again during a test.
RESET = 0.3


@pytest.fixture
def proxy(redis_url: str, fleet_redis: redis.Redis) -> Iterator[RedisProxy]:
    with RedisProxy(redis_url) as started:
        yield started


class Service:
    """A protected service that is down until it is told it has recovered."""

    def __init__(self) -> None:
        self.up = False
        self.calls = 0

    def answer(self) -> str:
        self.calls += 1
        if not self.up:
            raise ConnectionError("service down")
        return "ok"


def _another_process(name: str, redis_url: str, service: Service) -> str:
    """One call as a process of the fleet that was never involved: its own breaker object
    over the same Redis (this process's breakers are forgotten first)."""
    process.reset()
    guarded = euca_boto.breaker(name, fail_max=1, reset_timeout=RESET, storage=redis_url)(
        service.answer)
    try:
        return str(guarded())
    except euca_boto.CircuitOpenError as refused:
        return f"refused: {refused}"


def test_a_caller_cancelled_while_admitted_gives_its_probe_slot_back(
    proxy: RedisProxy, redis_url: str, unique: str
) -> None:
    name = f"cancelled-{unique}"
    service = Service()

    async def answer() -> str:
        return service.answer()

    # socket_timeout: the hold must not look like an unreachable Redis.
    guarded = euca_boto.breaker(name, fail_max=1, reset_timeout=RESET,
                                storage=proxy.url(socket_timeout=10))(answer)

    async def main() -> None:
        with pytest.raises(ConnectionError):
            await guarded()  # the breaker opens
        await asyncio.sleep(RESET + 0.1)  # the next call is admitted as the probe
        service.up = True
        proxy.hold_reply()
        probe = asyncio.create_task(guarded())
        assert await asyncio.to_thread(proxy.held.wait, 10)  # inside its admission
        probe.cancel()
        with pytest.raises(asyncio.CancelledError):
            await probe
        proxy.release()

    asyncio.run(main())  # returns once the admission's worker thread is done too

    assert service.calls == 1  # the cancelled probe never ran
    assert _another_process(name, redis_url, service) == "ok"
    assert euca_boto.get_breaker(name).info().state == "closed"


def test_a_caller_interrupted_while_taking_the_probe_slot_gives_it_back(
    proxy: RedisProxy, redis_url: str, unique: str
) -> None:
    name = f"interrupted-{unique}"
    service = Service()
    guarded = euca_boto.breaker(name, fail_max=1, reset_timeout=RESET,
                                storage=proxy.url(socket_timeout=10))(service.answer)

    def interrupted() -> None:
        raise KeyboardInterrupt  # a probe interrupted: it says nothing about the service

    probing = euca_boto.breaker(name, fail_max=1, reset_timeout=RESET,
                                storage=proxy.url(socket_timeout=10))(interrupted)
    with pytest.raises(ConnectionError):
        guarded()  # opens
    time.sleep(RESET + 0.1)
    with pytest.raises(KeyboardInterrupt):
        probing()  # half-open now, with its probe slot free again
    assert euca_boto.get_breaker(name).info().state == "half-open"

    # The next admission reads the state, then takes the slot: Ctrl-C arrives while the
    # answer to the taking is on its way.
    service.up = True
    proxy.hold_reply(after=1)
    main_thread = threading.main_thread().ident
    assert main_thread is not None

    def press_ctrl_c() -> None:
        if proxy.held.wait(10):
            signal.pthread_kill(main_thread, signal.SIGINT)
            time.sleep(0.2)
        proxy.release()

    # Ctrl-C raises KeyboardInterrupt only where SIGINT has Python's default handler; a run
    # started in the background by a non-interactive shell inherits SIGINT ignored.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    presser = threading.Thread(target=press_ctrl_c)
    presser.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            guarded()
    finally:
        presser.join(timeout=30)
        signal.signal(signal.SIGINT, previous)

    assert service.calls == 1
    assert _another_process(name, redis_url, service) == "ok"
    assert euca_boto.get_breaker(name).info().state == "closed"
