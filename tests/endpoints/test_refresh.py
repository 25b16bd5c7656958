"""A cached value's readiness: whether getting it needs the network (a load, or waiting for
another caller's), which is what decides if an event loop must get it in a worker thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from euca_boto.endpoints import EndpointError
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
