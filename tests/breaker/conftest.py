"""Fixtures of the breaker tests: a profile for the module's LocalCloud, and Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis
from awsenv import AwsEnv
from redis_servers import RedisServer

from euca_boto.testing import LocalCloud


@pytest.fixture
def unique() -> str:
    """A word no other test (of this run or another) uses: breaker names built on it never
    repeat, and ``fleet_redis`` knows them for this test's."""
    return f"p{uuid.uuid4().hex[:8]}"


@pytest.fixture
def profile(cloud: LocalCloud, aws_env: AwsEnv, unique: str) -> Iterator[str]:
    """A fresh profile name (so breaker names never repeat) in AWS files for ``cloud``."""
    name = unique
    aws_env.use(*cloud.write_aws_files(aws_env.directory, profile=name))
    cloud.clear()
    cloud.clear_requests()
    yield name
    cloud.clear()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A private Redis for this test session (each xdist worker has its own). Not the shared
    one on 127.0.0.1:6379: ``fleet_redis`` removes the breakers that appeared during a test,
    which in a shared Redis would include those of another test run at the same moment."""
    server = RedisServer().start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def fleet_redis(redis_url: str, unique: str) -> Iterator[redis.Redis]:
    """A client of ``redis_url``; the breakers the test left there are removed afterwards:
    those whose names hold ``unique`` (the test's profile), and no others, since other tests
    and other checkouts share this Redis at the same time."""
    client = redis.Redis.from_url(redis_url)
    yield client
    for name in client.smembers("euca-boto:breakers"):
        if unique.encode() in name:
            client.srem("euca-boto:breakers", name)
            client.delete(b"euca-boto:breaker:" + name)


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    """A Redis of this test alone, which the test may stop and start."""
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()
