"""A fork child of a process whose breaker keeps its state in Redis: it connects anew, and a
parent thread in the middle of a round trip does not hold it up."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
import redis
from forking import in_fork_child
from redis_proxy import RedisProxy

import euca_boto


@pytest.fixture
def proxy(redis_url: str, fleet_redis: redis.Redis) -> Iterator[RedisProxy]:
    with RedisProxy(redis_url) as started:
        yield started


def test_a_fork_child_uses_the_redis_breaker_a_parent_thread_waits_on(proxy: RedisProxy) -> None:
    name = f"forked-{uuid.uuid4().hex[:8]}"
    # socket_timeout: the held reply must not look like an unreachable Redis.
    url = proxy.url(socket_timeout=10)
    guarded = euca_boto.breaker(name, fail_max=2, storage=url)(lambda: "ok")
    assert guarded() == "ok"
    breaker = euca_boto.get_breaker(name)

    def child() -> list[str]:
        return [guarded(), guarded(), breaker.info().state, breaker.info().storage]

    proxy.hold_reply()
    waiting = threading.Thread(target=guarded)  # its reply is held: it stays inside a command
    waiting.start()
    try:
        assert proxy.held.wait(10)
        seen = in_fork_child(child, timeout=30)
    finally:
        proxy.release()
        waiting.join(10)
    assert seen == ["ok", "ok", "closed", breaker.info().storage]
    assert "unreachable" not in seen[3]
