"""A ``multiprocessing`` pool of the ``fork`` context, made by a process that uses euca-boto from
several threads at that moment: one calling the cloud, one waiting inside the state file (held
up by another process's write), one keeping the topology updated. Its workers call through the
parent's client at once, on connections of their own, and keep their topology fresh."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from awsenv import PROFILE
from forking import close_listening_sockets, written_by_another_process

import euca_boto
from euca_boto.endpoints import keep_topology_updated, selector_of
from euca_boto.testing import LocalCloud

# What the pool's workers inherit from the test: its session and client, its updater.
PARENT: dict[str, Any] = {}


def euprop_urls() -> list[str]:
    return sorted(row.endpoint.url for row in selector_of(PARENT["session"]).rows("euprop"))


def call_once(_: int) -> dict[str, Any]:
    answer = PARENT["euprop"].describe_properties(Properties=["dns.enabled"])
    return {"pid": os.getpid(), "names": [p["Name"] for p in answer["Properties"]],
            "updater running": PARENT["updater"].running}


def call_until_the_topology_changes(_: int) -> list[str]:
    deadline = time.monotonic() + 15
    while len(euprop_urls()) == 3 and time.monotonic() < deadline:
        PARENT["euprop"].describe_properties(Properties=["dns.enabled"])
        time.sleep(0.05)
    return euprop_urls()


# Python 3.12 and later warn that forking a process with threads may deadlock the child: that
# is what this test makes sure euca-boto's state does not do.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_fork_pool_works_beside_the_threads_of_its_parent(
    deployment: dict[str, str], fresh_cloud: LocalCloud
) -> None:
    session: Any = euca_boto.session(PROFILE)
    euprop = session.client("euprop")
    euprop.describe_properties(Properties=["dns.enabled"])
    PARENT.update(session=session, euprop=euprop)
    stop = threading.Event()

    def keep_calling() -> int:
        for done in range(5000):  # bounded; stopped much earlier
            if stop.is_set():
                return done
            euprop.describe_properties(Properties=["dns.enabled"])
        return 5000

    with ThreadPoolExecutor(3) as executor:
        PARENT["updater"] = updater = keep_topology_updated(executor, tick=0.02)
        calling = executor.submit(keep_calling)
        try:
            with written_by_another_process(deployment["STATE_FILE"]):
                inside = executor.submit(euprop.breaker.reset)  # waits for the other writer
                time.sleep(0.3)
                assert not inside.done()
                pool = multiprocessing.get_context("fork").Pool(
                    2, initializer=close_listening_sockets)
            try:
                calls = pool.map_async(call_once, range(12), chunksize=1).get(timeout=60)
                fresh_cloud.endpoint(1).stop()
                topologies = pool.map_async(call_until_the_topology_changes, range(4),
                                            chunksize=1).get(timeout=60)
            finally:
                pool.terminate()
                pool.join()
        finally:
            stop.set()
            updater.stop()
        assert calling.result(timeout=30) > 0
        inside.result(timeout=30)

    assert os.getpid() not in {call["pid"] for call in calls}
    assert [(call["names"], call["updater running"]) for call in calls] == [
        (["dns.enabled"], False)] * 12
    assert topologies == [sorted(fresh_cloud.service_url("euprop", i) for i in (0, 2))] * 4
