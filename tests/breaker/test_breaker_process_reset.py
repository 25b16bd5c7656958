"""The process reset closes the Redis clients of the breakers kept in Redis."""

from __future__ import annotations

import time

import redis

import euca_boto
from euca_boto.core import process


def connected_as(client: redis.Redis, name: str) -> int:
    return sum(1 for entry in client.client_list() if entry.get("name") == name)


def test_reset_closes_the_redis_clients_of_breakers(redis_url: str, fleet_redis: redis.Redis,
                                                    unique: str) -> None:
    name = f"reset-{unique}"
    storage = f"{redis_url}?client_name={name}"
    assert euca_boto.breaker(name, storage=storage)(lambda: "ok")() == "ok"
    assert connected_as(fleet_redis, name) >= 1

    process.reset()

    deadline = time.monotonic() + 10  # the server notices a closed connection a moment later
    while connected_as(fleet_redis, name) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert connected_as(fleet_redis, name) == 0
    assert euca_boto.breakers() == []
