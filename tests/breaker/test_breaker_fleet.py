"""Breaker state shared in a real Redis: a fleet trips and resets together; Redis outages."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from botocore.exceptions import ClientError
from redis_servers import RedisServer

import euca_boto
from euca_boto.breakers.storage import FallbackStorage, RedisStorage
from euca_boto.cli import main as cli_main
from euca_boto.testing import LocalCloud

WORKER = Path(__file__).with_name("fleet_worker.py")


class Worker:
    def __init__(self, profile: str, storage: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), profile, storage],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    def ask(self, command: str) -> str:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def close(self) -> str:
        """Stop the worker; return what it logged."""
        _, err = self.process.communicate(timeout=20)
        return err


@pytest.fixture
def workers(profile: str, redis_url: str, fleet_redis: redis.Redis) -> Iterator[list[Worker]]:
    started = [Worker(profile, redis_url), Worker(profile, redis_url)]
    try:
        yield started
    finally:
        for worker in started:
            if worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait()


def at(cloud: LocalCloud) -> str:
    """The host:port a breaker of the cloud's first endpoint is named after."""
    return urlsplit(cloud.url).netloc


def describe_requests(cloud: LocalCloud) -> int:
    return sum(1 for r in cloud.endpoint(0).requests if r.action == "DescribeProperties")


def test_two_processes_trip_and_reset_together(
    cloud: LocalCloud, profile: str, redis_url: str, workers: list[Worker],
    capsys: pytest.CaptureFixture[str],
) -> None:
    first, second = workers
    assert [first.ask("call"), second.ask("call")] == ["ok", "ok"]
    cloud.endpoint(0).fail(503, count=2)
    assert [first.ask("call"), first.ask("call")] == ["error 503", "error 503"]
    sent = describe_requests(cloud)

    # The second process never failed, yet its breaker is open: the state is the fleet's.
    assert second.ask("call") == "refused"
    assert second.ask("state") == "open"
    assert describe_requests(cloud) == sent

    assert cli_main(["breakers", "--storage", redis_url, "list"]) == 0
    listed = capsys.readouterr().out
    assert f"{profile}/euprop" in listed and " open " in listed

    assert cli_main(["breakers", "--storage", redis_url, "reset", f"{profile}/euprop"]) == 0
    name = f"{profile}/euprop@{at(cloud)}+fail_max=2+reset_timeout=600"
    assert capsys.readouterr().out == f"breaker {name}: reset (closed)\n"
    assert [first.ask("call"), second.ask("call")] == ["ok", "ok"]

    logs = [worker.close() for worker in workers]
    assert f"breaker {name}: closed -> open (2 consecutive failures" in logs[0]
    assert f"breaker {name}: closed -> open (changed in the shared state" in logs[1]
    assert f"breaker {name}: open -> closed (changed in the shared state" in logs[1]


def test_cli_forces_open_and_closed_across_the_fleet(
    cloud: LocalCloud, profile: str, redis_url: str, workers: list[Worker]
) -> None:
    first, second = workers
    assert first.ask("call") == "ok"
    assert cli_main(["breakers", "--storage", redis_url, "open", f"{profile}/euprop"]) == 0
    assert [first.ask("call"), second.ask("call")] == ["refused", "refused"]
    assert cli_main(["breakers", "--storage", redis_url, "close", f"{profile}/euprop"]) == 0
    cloud.endpoint(0).fail(503, count=3)
    assert [first.ask("call") for _ in range(3)] == ["error 503"] * 3
    assert first.ask("state") == "forced-closed"


def test_cli_names_the_known_breakers_for_an_unknown_name(
    redis_url: str, fleet_redis: redis.Redis, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["breakers", "--storage", redis_url, "reset", "nobody/euprop"]) == 2
    assert "no breaker named 'nobody/euprop'" in capsys.readouterr().err


def test_cli_explains_that_memory_breakers_belong_to_their_process(
    profile: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EUCA_BOTO_STATE", "memory")
    assert cli_main(["breakers", "--profile", profile, "list"]) == 2
    assert "euca_breaker_storage = memory" in capsys.readouterr().err


def test_cli_reports_an_unreachable_storage(
    private_redis: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    private_redis.stop()
    assert cli_main(["breakers", "--storage", private_redis.url, "list"]) == 1
    assert f"breaker storage {private_redis.url} is unreachable" in capsys.readouterr().err


def test_redis_stopped_mid_run_degrades_to_a_local_breaker(
    cloud: LocalCloud, profile: str, private_redis: RedisServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = euca_boto.session(
        profile, euca_breaker_storage=private_redis.url, euca_breaker_fail_max=2,
        euca_retry_max_attempts=1,
    ).client("euprop")
    client.describe_properties()
    private_redis.stop()

    with caplog.at_level(logging.WARNING, logger="euca_boto.breaker"):
        started = time.monotonic()
        for _ in range(3):
            assert client.describe_properties()["ResponseMetadata"]["HTTPStatusCode"] == 200
        cloud.endpoint(0).fail(503, count=2)
        for _ in range(2):
            with pytest.raises(ClientError):
                client.describe_properties()
        with pytest.raises(euca_boto.CircuitOpenError):
            client.describe_properties()
        elapsed = time.monotonic() - started
    warnings = [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()]
    assert warnings == [
        f"breaker {profile}/euprop@{at(cloud)}+fail_max=2: shared state at {private_redis.url} is "
        "unreachable "
        f"(Error 111 connecting to 127.0.0.1:{private_redis.port}. Connection refused.); "
        "calls go on with a local breaker until it answers again"
    ]
    # Degraded calls do not wait on Redis each time (a generous bound for a loaded machine).
    assert elapsed < 5
    assert "(unreachable; using local state)" in euca_boto.breakers()[0].storage


def test_shared_state_is_used_again_when_redis_answers(private_redis: RedisServer) -> None:
    now = [0.0]
    client = redis.Redis.from_url(private_redis.url, socket_connect_timeout=0.25)
    storage = FallbackStorage(RedisStorage(client, "t/recover"), recheck=5, clock=lambda: now[0])
    storage.transition(None, "open", 100.0)
    assert storage.read().state == "open"
    private_redis.stop()
    assert storage.read().state == "open"  # the last shared state carries on locally
    assert storage.degraded
    storage.transition(None, "closed", 101.0)
    private_redis.start()
    now[0] = 4.9
    assert storage.read().state == "closed"  # still local until the recheck time
    now[0] = 5.0
    assert storage.read().state == "closed"  # a fresh Redis: nothing stored, closed
    assert not storage.degraded
    storage.transition(None, "open", 102.0)
    assert client.hget("euca-boto:breaker:t/recover", "state") == b"open"


def test_two_breaker_objects_on_one_redis_count_failures_together(
    redis_url: str, fleet_redis: redis.Redis, unique: str
) -> None:
    from euca_boto.breakers.breaker import Breaker, BreakerConfig

    name = f"t/{unique}"
    a = Breaker(name, BreakerConfig(fail_max=4), RedisStorage(fleet_redis, name))
    b = Breaker(name, BreakerConfig(fail_max=4), RedisStorage(fleet_redis, name))

    def fail() -> None:
        raise OSError("down")

    for breaker in (a, b, a):
        with pytest.raises(OSError):
            breaker.call(fail)
    assert b.info().failures == 3
    with pytest.raises(OSError):
        b.call(fail)
    assert a.info().state == "open"


def test_cli_never_prints_the_redis_password(
    private_redis: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    private_redis.stop()
    url = f"redis://:s3cret-pass@127.0.0.1:{private_redis.port}/0"
    assert cli_main(["breakers", "--storage", url, "list"]) == 1
    err = capsys.readouterr().err
    assert f"redis://:***@127.0.0.1:{private_redis.port}/0 is unreachable" in err
    assert "s3cret-pass" not in err


def test_cli_rejects_a_storage_that_is_not_redis(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["breakers", "--storage", "http://127.0.0.1:6379", "list"]) == 2
    assert (
        "--storage 'http://127.0.0.1:6379' is not valid; expected memory, or a Redis URL"
        in capsys.readouterr().err
    )
