"""The ``euca-boto tracker serve`` daemon: killed with SIGKILL mid-delivery, restarted, it loses
nothing and duplicates nothing in the feed, and its receivers get every change."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from awsenv import PROFILE
from ports import free_port
from tracker_support import Cloud, Receiver

from euca_boto.tracker import TrackerClient, open_store

TOKEN = "daemon-token-0123456789"


class Daemon:
    def __init__(
        self, cloud: Cloud, store: str, log: Path, extra: list[str] | None = None
    ) -> None:
        self.log = log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "euca_boto.cli", "tracker", "serve",
             "--listen", f"127.0.0.1:{self.port}", "--store", store, "--profile", PROFILE,
             "--interval", "0.2", "--deliver-every", "0.05", "--delivery-lease", "1",
             *(extra or [])],
            env={**os.environ, "EUCA_BOTO_RETRY_BASE_DELAY": "0.05",
                 "EUCA_BOTO_RETRY_DELAY": "0.1", "EUCA_BOTO_TRACKER_HOOK_ALLOW": "127.0.0.1"},
            stdout=log.open("ab"), stderr=subprocess.STDOUT,
        )

    def wait_polled(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the tracker exited with {self.process.returncode}: "
                            f"{self.log.read_text()}")
            try:
                if requests.get(self.url + "/health", timeout=2).json()["last_poll"]:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        pytest.fail("the tracker did not complete a poll in time")

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


def _wait_for_feed(store_url: str, instances: list[str], wanted: set[tuple[str, str, str]],
                   timeout: float = 30.0) -> None:
    store = open_store(store_url)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = {(c.resource_id, c.old_state or "", c.new_state or "")
                    for c in store.changes(0, 10_000).changes if c.resource_id in instances}
            if wanted <= seen:
                return
            time.sleep(0.05)
    finally:
        store.close()
    pytest.fail(f"the feed did not record {sorted(wanted - seen)} in {timeout:g} s")


@pytest.fixture
def daemons() -> Iterator[list[Daemon]]:
    started: list[Daemon] = []
    yield started
    for daemon in started:
        if daemon.process.poll() is None:
            daemon.process.kill()
            daemon.process.wait(timeout=10)


def test_sigkill_during_delivery_loses_and_duplicates_nothing(
    cloud: Cloud, store_url: str, receiver: Receiver, daemons: list[Daemon], tmp_path: Path
) -> None:
    log = tmp_path / "tracker.log"
    instances = cloud.run_instances(cloud.admin, 6)
    ec2 = cloud.admin.client("ec2")
    first = Daemon(cloud, store_url, log)
    daemons.append(first)
    first.wait_polled()
    TrackerClient(cloud.admin, first.url).track_all("instance", receiver.url, token=TOKEN)
    receiver.latency = 0.15  # deliveries are slow, so the kill lands in the middle of them
    ec2.stop_instances(InstanceIds=instances)
    # A poll can run while the cloud is still stopping the six one by one and see only some of
    # them stopped; the rest are recorded by a later poll. Starting them again before any
    # poll saw them stopped would undo a transition no poll could observe, so the kill waits
    # until the feed holds every stop.
    _wait_for_feed(store_url, instances, {(i, "running", "stopped") for i in instances})
    receiver.wait_for(2)
    first.kill()
    assert first.process.returncode == -signal.SIGKILL
    ec2.start_instances(InstanceIds=instances)

    second = Daemon(cloud, store_url, log)
    daemons.append(second)
    second.wait_polled()
    receiver.latency = 0.0
    deadline = time.monotonic() + 30
    store = open_store(store_url)
    try:
        while time.monotonic() < deadline:
            feed = [c for c in store.changes(0, 10_000).changes if c.resource_id in instances]
            delivered = {d.change["id"] for d in receiver.wait_for(0)}
            if len(feed) == 12 and delivered >= {c.id for c in feed}:
                break
            time.sleep(0.1)
    finally:
        store.close()
    assert second.terminate() == 0

    # The feed: every transition exactly once, ids increasing.
    transitions = Counter((c.resource_id, c.old_state, c.new_state) for c in feed)
    assert transitions == Counter(
        {(i, "running", "stopped"): 1 for i in instances}
        | {(i, "stopped", "running"): 1 for i in instances})
    ids = [c.id for c in feed]
    assert ids == sorted(set(ids))
    # The receiver: every entry at least once, no gaps, at most the one in flight repeated.
    got = [d.change["id"] for d in receiver.wait_for(0)]
    assert set(got) == set(ids)
    assert sum(got.count(i) - 1 for i in set(got)) <= 1
    assert got == sorted(got)
