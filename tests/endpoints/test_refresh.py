"""A cached value's readiness: whether getting it needs the network (a load, or waiting for
another caller's), which is what decides if an event loop must get it in a worker thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest

from euca_boto.endpoints import EndpointError, keep_topology_updated
from euca_boto.endpoints.refresh import RETRY_AFTER_FAILURE, Cached

Load = Callable[[], tuple[str, float]]


@contextmanager
def loading_elsewhere(cached: Cached[str], loads: list[Load], value: str) -> Iterator[None]:
    """Another thread loads ``value`` into ``cached`` and is held there until the block ends."""
    started, release = threading.Event(), threading.Event()

    def slow() -> tuple[str, float]:
        started.set()
        release.wait(5)
        return value, 10.0

    loads.append(slow)
    loader = threading.Thread(target=cached.get)
    loader.start()
    try:
        assert started.wait(5)
        yield
    finally:
        release.set()
        loader.join(5)


def test_ready_is_false_only_when_get_would_wait_for_the_network(clock: Any) -> None:
    loads: list[Load] = []
    cached = Cached("test", lambda previous: loads.pop(0)(), clock)
    assert not cached.ready()  # never loaded: the first get loads

    with loading_elsewhere(cached, loads, "v1"):
        assert not cached.ready()  # no value yet: get would wait for the first load
    assert cached.ready()
    assert cached.get() == "v1"

    clock.advance(11)
    assert not cached.ready()  # stale: the next get reloads

    def fail() -> tuple[str, float]:
        raise EndpointError("down")

    loads.append(fail)
    assert cached.get() == "v1"  # a failed reload keeps the last good value...
    assert cached.ready()  # ...and is not tried again by every call

    clock.advance(RETRY_AFTER_FAILURE + 1)
    with loading_elsewhere(cached, loads, "v2"):
        assert cached.ready()  # another caller reloads: the stale value is at hand
        assert cached.get() == "v1"
    assert cached.get() == "v2"


def test_a_background_updater_outlives_a_value_that_cannot_be_reloaded(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A loader may fail with more than EndpointError: a profile removed from the configuration
    # file since the session read it gives botocore's ProfileNotFound, say.
    answers: list[Any] = ["v1", RuntimeError("the profile is gone"), "v2"]

    def load(previous: str | None) -> tuple[str, float]:
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer, 0.05

    cached = Cached("test", load, time.monotonic)
    assert cached.get() == "v1"
    with ThreadPoolExecutor(1) as executor:
        updater = keep_topology_updated(executor, tick=0.01)
        deadline = time.monotonic() + RETRY_AFTER_FAILURE + 10
        while cached.get() != "v2" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert updater.running
        updater.stop()  # does not raise what the loader raised
    assert cached.get() == "v2"
    assert [r.getMessage() for r in caplog.records if r.getMessage().startswith("test:")] == [
        "test: reload failed, keeping the last good answer: RuntimeError: the profile is gone"]
