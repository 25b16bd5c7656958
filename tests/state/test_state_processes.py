"""Plain Python processes with ``euca_boto.session(..., euca_state=...)``: what one process
learnt, the next one knows; ejections and breaker timeouts expire on the wall clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from state_support import euca_boto_command, hits, script

from euca_boto.testing import LocalCloud

QUICK = ("euca_retry_base_delay=0.001", "euca_retry_delay=0.01")


@pytest.fixture
def state(tmp_path: Path) -> str:
    return str(tmp_path / "state.sqlite3")


def endpoints(cloud: LocalCloud) -> str:
    return f"euca_endpoint_urls={cloud.endpoint(0).url},{cloud.endpoint(1).url}"


def test_the_next_process_starts_with_the_ejection(
    fresh_cloud: LocalCloud, env: Callable[..., dict[str, str]], state: str
) -> None:
    environ = env()
    settings = (f"euca_state={state}", endpoints(fresh_cloud), "euca_eject_time=2m", *QUICK)
    fresh_cloud.endpoint(0).fail(503, count=100)
    first = script(environ, 1, *settings)
    assert first.stdout.split() == ["ok"], first.stderr
    assert "failed (HTTP 503); left out for 120 s" in first.stderr
    second = script(environ, 2, *settings)
    assert second.stdout.split() == ["ok", "ok"], second.stderr
    assert "failed" not in second.stderr
    assert (hits(fresh_cloud, 0), hits(fresh_cloud, 1)) == (1, 3)


def test_in_memory_the_next_process_tries_the_endpoint_again(
    fresh_cloud: LocalCloud, env: Callable[..., dict[str, str]]
) -> None:
    environ = env()
    settings = ("euca_state=memory", endpoints(fresh_cloud), "euca_eject_time=2m", *QUICK)
    fresh_cloud.endpoint(0).fail(503, count=100)
    for _ in range(2):
        assert script(environ, 1, *settings).stdout.split() == ["ok"]
    assert hits(fresh_cloud, 0) == 2


def test_an_ejection_ends_on_time_in_another_process(
    fresh_cloud: LocalCloud, env: Callable[..., dict[str, str]], state: str
) -> None:
    environ = env()
    settings = (f"euca_state={state}", endpoints(fresh_cloud), "euca_eject_time=1", *QUICK)
    fresh_cloud.endpoint(0).fail(503, count=1)
    assert script(environ, 1, *settings).stdout.split() == ["ok"]
    time.sleep(1.2)
    later = script(environ, 1, *settings)
    assert later.stdout.split() == ["ok"], later.stderr
    # The ejection was over: the endpoint was probed first, and is back in rotation.
    assert hits(fresh_cloud, 0) == 2
    assert "answered again; it is back in rotation" in later.stderr


def test_an_open_breaker_refuses_in_the_next_process(
    fresh_cloud: LocalCloud, env: Callable[..., dict[str, str]], state: str
) -> None:
    environ = env()
    settings = (f"euca_state={state}", "euca_retry_max_attempts=1", "euca_breaker_fail_max=3",
                "euca_breaker_reset_timeout=10m")
    fresh_cloud.endpoint(0).fail(503, count=100)
    # Failures add up across processes: two, then one more opens the breaker.
    assert script(environ, 2, *settings).stdout.split() == ["error", "503"] * 2
    assert script(environ, 1, *settings).stdout.split() == ["error", "503"]
    sent = hits(fresh_cloud, 0)
    assert script(environ, 2, *settings).stdout.split() == ["refused", "refused"]
    assert hits(fresh_cloud, 0) == sent == 3


def test_the_reset_timeout_runs_on_the_wall_clock_across_processes(
    fresh_cloud: LocalCloud, env: Callable[..., dict[str, str]], state: str
) -> None:
    environ = env()
    # Long enough for the next process to start and be refused, on a busy machine too.
    settings = (f"euca_state={state}", "euca_retry_max_attempts=1", "euca_breaker_fail_max=1",
                "euca_breaker_reset_timeout=8")
    fresh_cloud.endpoint(0).fail(503, count=1)
    assert script(environ, 1, *settings).stdout.split() == ["error", "503"]
    opened = time.time()
    assert script(environ, 1, *settings).stdout.split() == ["refused"]
    time.sleep(max(0.0, opened + 8.2 - time.time()))
    probe = script(environ, 1, *settings)
    assert probe.stdout.split() == ["ok"], probe.stderr
    name = f"localcloud/euprop@{urlsplit(fresh_cloud.url).netloc}+fail_max=1+reset_timeout=8"
    assert f"breaker {name}: open -> half-open" in probe.stderr
    assert f"breaker {name}: half-open -> closed (1 probe succeeded)" in probe.stderr
    listed = euca_boto_command(environ, "breakers", "--storage", state, "list")
    assert listed.stdout.splitlines()[1].split()[:2] == [name, "closed"]
