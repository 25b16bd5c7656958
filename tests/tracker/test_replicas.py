"""Three ``tracker serve`` replicas on one PostgreSQL split the polling (each account's resource
type polled by exactly one of them) and the deliveries; when one is SIGKILLed the others take
its share over within the lease time, and nothing is lost or duplicated in the feed."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests
from test_daemon import TOKEN, Daemon, _wait_for_feed, daemons  # noqa: F401 - the fixture
from tracker_support import Cloud, Receiver

from euca_boto.tracker import TrackerClient, open_store

LEASE = 1.5
SCOPES = {f"123456789012/{t}" for t in ("instance", "volume", "zone", "service")}


def _health(daemon: Daemon) -> dict[str, Any]:
    health: dict[str, Any] = requests.get(daemon.url + "/health", timeout=5).json()
    return health


def _polled(replicas: list[Daemon]) -> list[set[str]]:
    return [set((_health(d)["last_poll"] or {}).get("scopes", [])) for d in replicas]


def _described(daemon: Daemon) -> str:
    """What a replica says of itself and the end of its log, for a failure's message."""
    lines = daemon.log.read_text(errors="replace").splitlines()[-20:]
    return f"{daemon.url}: {_health(daemon)}\n  " + "\n  ".join(lines)


def _wait_until_split(replicas: list[Daemon], timeout: float) -> list[set[str]]:
    deadline = time.monotonic() + timeout
    while True:
        shares = _polled(replicas)
        union = set().union(*shares)
        if union == SCOPES and sum(len(s) for s in shares) == len(SCOPES) and all(
                len(s) <= -(-len(SCOPES) // len(replicas)) for s in shares):
            return shares
        if time.monotonic() > deadline:
            pytest.fail(f"the replicas did not split the polls: {shares}\n"
                        + "\n".join(_described(d) for d in replicas))
        time.sleep(0.1)


def test_three_replicas_split_the_work_and_survive_a_sigkill(
    cloud: Cloud, postgres_url: str, receiver: Receiver, daemons: list[Daemon],  # noqa: F811
    tmp_path: Path
) -> None:
    instances = cloud.run_instances(cloud.admin, 6)
    extra = ["--poll-lease", str(LEASE), "--delivery-lease", str(LEASE)]
    replicas = [Daemon(cloud, postgres_url, tmp_path / f"replica-{n}.log", extra)
                for n in range(3)]
    daemons.extend(replicas)
    for replica in replicas:
        replica.wait_polled()
    # Each scope is polled by exactly one replica, and each holds at most its share.
    shares = _wait_until_split(replicas, timeout=20)
    assert sum(1 for s in shares if s) >= 2

    client = TrackerClient(cloud.admin, replicas[0].url)
    # Each delivery takes a second: a replica that holds its share of the due hooks is busy
    # with them for that long, so the others' cycles find the rest even when the machine is so
    # loaded that a replica waits a while for a core (with instant deliveries one replica can
    # work through all six in a few quick cycles while the others wait, which is correct but
    # shows no split).
    receiver.latency = 1.0
    for instance in instances:  # six hooks, spread over the replicas' delivery workers
        client.track(instance, receiver.url, token=TOKEN)
    ec2 = cloud.admin.client("ec2")
    ec2.stop_instances(InstanceIds=instances)
    _wait_for_feed(postgres_url, instances, {(i, "running", "stopped") for i in instances})
    # A bound on liveness, not on speed (a delivery that timed out on a busy machine waits for
    # a later cycle).
    assert len(receiver.wait_for(6, timeout=60)) >= 6
    deadline = time.monotonic() + 10
    while True:  # each replica counts its deliveries at the end of its cycle
        delivered = [_health(r)["delivered"] for r in replicas]
        if sum(delivered) >= 6 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert sum(delivered) >= 6 and sum(1 for n in delivered if n) >= 2, delivered

    victim, survivors = replicas[0], replicas[1:]
    receiver.latency = 0.1
    ec2.start_instances(InstanceIds=instances)
    victim.kill()
    killed_at = time.monotonic()
    # The survivors take over the victim's polls within the lease time (plus a poll or two).
    _wait_until_split(survivors, timeout=LEASE + 10)
    took_over = time.monotonic() - killed_at
    _wait_for_feed(postgres_url, instances, {(i, "stopped", "running") for i in instances})
    receiver.latency = 0.0

    store = open_store(postgres_url)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            feed = [c for c in store.changes(0, 10_000).changes if c.resource_id in instances]
            if {c.id for c in feed} <= {d.change["id"] for d in receiver.wait_for(0)}:
                break
            time.sleep(0.1)
    finally:
        store.close()
    transitions = Counter((c.resource_id, c.old_state, c.new_state) for c in feed)
    assert transitions == Counter(
        {(i, "running", "stopped"): 1 for i in instances}
        | {(i, "stopped", "running"): 1 for i in instances})
    got = [d.change["id"] for d in receiver.wait_for(0)]
    assert set(got) == {c.id for c in feed}  # every change delivered
    for instance in instances:  # in order per hook, at most the in-flight one repeated
        mine = [i for i in got if i in {c.id for c in feed if c.resource_id == instance}]
        assert sorted(set(mine)) == sorted(dict.fromkeys(mine))
    assert took_over < LEASE + 10
    for survivor in survivors:
        assert survivor.terminate() == 0
