"""A fork child of a process that keeps its topology updated: the updater's thread is the
parent's, so the child's own callers keep its topology fresh."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from forking import in_fork_child

import euca_boto
from euca_boto.endpoints import keep_topology_updated, selector_of
from euca_boto.endpoints.refresh import Cached
from euca_boto.testing import LocalCloud


def euprop_urls(session: Any) -> list[str]:
    return sorted(row.endpoint.url for row in selector_of(session).rows("euprop"))


def wait_until_refused(url: str, timeout: float = 10) -> None:
    """Until nothing listens at ``url`` any more (a request sent while its server stops may be
    accepted and never answered)."""
    parts = urlsplit(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((parts.hostname, parts.port), timeout=1).close()
        except ConnectionRefusedError:
            return
        except OSError:
            pass  # reset or timed out while the server stops
        time.sleep(0.02)
    raise AssertionError(f"{url} still accepts connections after {timeout} s")


def test_a_fork_child_reloads_the_topology_its_parent_kept_updated(
    profile: Callable[..., Path], fresh_cloud: LocalCloud
) -> None:
    profile("euca_topology = describe-services", "euca_topology_refresh = 100ms")
    session: Any = euca_boto.session("localcloud")
    euprop = session.client("euprop")
    euprop.describe_properties(Properties=["dns.enabled"])
    assert len(euprop_urls(session)) == 3

    def child() -> dict[str, Any]:
        wait_until_refused(fresh_cloud.endpoint(1).url)
        deadline = time.monotonic() + 15
        while len(euprop_urls(session)) == 3 and time.monotonic() < deadline:
            euprop.describe_properties(Properties=["dns.enabled"])
            time.sleep(0.05)
        return {"updater running": updater.running, "urls": euprop_urls(session)}

    with ThreadPoolExecutor(1) as executor:
        updater = keep_topology_updated(executor, tick=0.02)
        try:
            # Endpoint 1 leaves the topology only once the child exists: it must learn it.
            seen = in_fork_child(child, timeout=40, meanwhile=fresh_cloud.endpoint(1).stop)
        finally:
            updater.stop()
    assert seen == {"updater running": False, "urls": sorted(
        fresh_cloud.service_url("euprop", i) for i in (0, 2))}


def test_a_reload_a_fork_cut_off_is_done_again_by_the_child() -> None:
    parent = os.getpid()
    inside, release = threading.Event(), threading.Event()

    def load(previous: str | None) -> tuple[str, float]:
        if previous is not None and os.getpid() == parent:
            inside.set()  # the parent's updater is reloading...
            release.wait(20)  # ...and is still at it when the process forks
        return f"loaded in {os.getpid()}", 0.05

    cached = Cached("test", load, time.monotonic)
    assert cached.get() == f"loaded in {parent}"

    def child() -> list[Any]:
        started = time.monotonic()
        updater.stop()  # at once: the updater's task is the parent's
        stopped_at_once = time.monotonic() - started < 5
        time.sleep(0.1)  # stale by now
        return [updater.running, stopped_at_once, cached.get()]

    with ThreadPoolExecutor(1) as executor:
        updater = keep_topology_updated(executor, tick=0.01)
        try:
            assert inside.wait(10)
            running, stopped_at_once, answer = in_fork_child(child, timeout=30)
        finally:
            release.set()
            updater.stop()
    assert not running and stopped_at_once
    assert answer.startswith("loaded in ") and answer != f"loaded in {parent}"
