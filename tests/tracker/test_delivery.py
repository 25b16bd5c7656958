"""Delivering feed entries to webhooks and callables: once, in order, signed, resumable."""

from __future__ import annotations

from pathlib import Path

import pytest
from tracker_support import LOCAL, Cloud, Receiver

from euca_boto.retry import RetryPolicy, wait_fixed
from euca_boto.tracker import Change, Deliverer, Tracker, open_store, verify_signature
from euca_boto.tracker.model import INSTANCE, Hook
from euca_boto.tracker.replicas import Replica
from euca_boto.tracker.signature import CHANGE_HEADER, SIGNATURE_HEADER
from euca_boto.tracker.store.base import SqlStore

TOKEN = "receiver-token-0123456789"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _deliverer(store: SqlStore, clock: Clock, slept: list[float], **kwargs: object) -> Deliverer:
    policy = RetryPolicy(backoff=wait_fixed(0.25), max_attempts=3)
    return Deliverer(store, policy=policy, clock=clock, sleep=slept.append, hook_allow=LOCAL,
                     **kwargs)  # type: ignore[arg-type]


def _feed(store: SqlStore, transitions: list[str], resource: str = "i-1") -> list[Change]:
    store.apply("acct", INSTANCE, {resource: transitions[0]}, 1.0)
    changes = []
    for n, state in enumerate(transitions[1:], start=2):
        changes += store.apply("acct", INSTANCE, {resource: state}, float(n))
    return changes


def _hooked_store(
    store_url: str, receiver: Receiver, resource: str = "i-1"
) -> tuple[SqlStore, Hook]:
    """A store that has seen i-1 pending, with a hook to ``receiver`` on ``resource`` (every
    instance when it is "")."""
    store = open_store(store_url)
    store.apply("acct", INSTANCE, {"i-1": "pending"}, 1.0)
    return store, store.put_hook("acct", INSTANCE, resource, receiver.url, TOKEN)


def test_each_change_arrives_once_in_order_and_signed_with_the_hooks_token(
    store_url: str, receiver: Receiver
) -> None:
    store, _ = _hooked_store(store_url, receiver)
    changes = _feed(store, ["pending", "running", "stopping", "stopped"])
    slept: list[float] = []
    deliverer = _deliverer(store, Clock(), slept)
    assert deliverer.deliver() == 3
    assert deliverer.deliver() == 0  # nothing is sent twice
    got = receiver.wait_for(3)
    assert [d.body for d in got] == [c.to_json() for c in changes]
    assert [d.headers[CHANGE_HEADER] for d in got] == [str(c.id) for c in changes]
    assert all(verify_signature(TOKEN, d.body, d.headers[SIGNATURE_HEADER]) for d in got)
    forged = got[0].headers[SIGNATURE_HEADER]
    assert not verify_signature("another-token-000000", got[0].body, forged)
    assert got[0].change == {"id": 1, "account": "acct", "resource_type": "instance",
                             "resource_id": "i-1", "old_state": "pending",
                             "new_state": "running", "observed_at": 2.0}
    assert slept == []


def test_a_receiver_that_fails_for_a_while_gets_every_change_after_it_recovers(
    store_url: str, receiver: Receiver
) -> None:
    store, hook = _hooked_store(store_url, receiver, resource="")
    changes = _feed(store, ["pending", "running", "stopped", "running"])
    clock = Clock()
    slept: list[float] = []
    deliverer = _deliverer(store, clock, slept, breaker_fail_max=100)
    receiver.fail(5)  # 3 attempts of the first cycle, 2 of the second
    assert deliverer.deliver() == 0
    assert slept == [0.25, 0.25]  # the retry policy's delays, between the 3 attempts
    paused = store.get_hook(hook.id)
    assert paused is not None and paused.failures == 1 and "HTTP 503" in (paused.last_error or "")
    assert deliverer.deliver() == 0  # not due yet: the hook waits before trying again
    clock.now = paused.next_attempt_at
    assert deliverer.deliver() == 3  # two more failures, then the receiver is back
    assert [d.change["id"] for d in receiver.wait_for(3)] == [c.id for c in changes]
    recovered = store.get_hook(hook.id)
    assert recovered is not None
    assert (recovered.failures, recovered.last_error, recovered.cursor) == (0, None, changes[-1].id)


def test_a_destination_that_keeps_failing_is_suspended_with_its_status_visible(
    store_url: str, receiver: Receiver
) -> None:
    store, hook = _hooked_store(store_url, receiver)
    _feed(store, ["pending", "running"])
    clock = Clock()
    slept: list[float] = []
    deliverer = _deliverer(store, clock, slept, suspend_after=2, breaker_fail_max=100)
    receiver.fail(100, status=500)
    for _ in range(3):
        deliverer.deliver()
        clock.now += 1000
    suspended = store.get_hook(hook.id)
    assert suspended is not None
    assert suspended.public_dict()["status"] == "suspended"
    assert suspended.failures == 2
    assert receiver.attempts == 6  # two cycles of three attempts; none once suspended


def test_the_breaker_of_a_destination_stops_sending_to_it(
    tmp_path: Path, receiver: Receiver
) -> None:
    store = open_store(str(tmp_path / "feed.db"))
    store.apply("acct", INSTANCE, {"i-1": "pending", "i-2": "pending"}, 1.0)
    store.put_hook("acct", INSTANCE, "i-1", receiver.url, TOKEN)
    store.put_hook("acct", INSTANCE, "i-2", receiver.url, TOKEN)
    store.apply("acct", INSTANCE, {"i-1": "running", "i-2": "running"}, 2.0)
    clock = Clock()
    slept: list[float] = []
    deliverer = _deliverer(store, clock, slept, breaker_fail_max=3)
    receiver.fail(100)
    deliverer.deliver()
    assert receiver.attempts == 3  # the second hook's send was refused by the open breaker
    assert deliverer.breaker(receiver.url).info().state == "open"


def test_a_new_deliverer_on_the_same_store_resumes_after_the_last_delivered_change(
    store_url: str, receiver: Receiver
) -> None:
    store, _ = _hooked_store(store_url, receiver)
    first = _feed(store, ["pending", "running"])
    _deliverer(store, Clock(), []).deliver()
    store.close()
    reopened = open_store(store_url)
    second = reopened.apply("acct", INSTANCE, {"i-1": "stopped"}, 9.0)
    assert _deliverer(reopened, Clock(), []).deliver() == 1
    assert [d.change["id"] for d in receiver.wait_for(2)] == [first[0].id, second[0].id]


def test_an_in_process_callable_receives_the_changes_of_its_resource_type(
    cloud: Cloud, tmp_path: Path
) -> None:
    tracker = Tracker(str(tmp_path / "feed.db"), [cloud.admin], resource_types=[INSTANCE])
    tracker.poll()
    got: list[Change] = []
    tracker.subscribe(got.append, INSTANCE, account="123456789012", name="collector")
    [instance] = cloud.run_instances(cloud.admin)
    tracker.poll()
    assert tracker.deliver() == 1
    assert [(c.resource_id, c.old_state, c.new_state) for c in got] == [
        (instance, None, "running")]


def test_instances_changing_state_in_the_cloud_reach_the_webhook_once_each(
    cloud: Cloud, tmp_path: Path, receiver: Receiver
) -> None:
    instances = cloud.run_instances(cloud.admin, 2)
    tracker = Tracker(str(tmp_path / "feed.db"), [cloud.admin], resource_types=[INSTANCE],
                      hook_allow=LOCAL)
    tracker.poll()
    for instance in instances:
        tracker.store.put_hook("123456789012", INSTANCE, instance, receiver.url, TOKEN)
    cloud.admin.client("ec2").stop_instances(InstanceIds=instances)
    tracker.poll()
    cloud.admin.client("ec2").terminate_instances(InstanceIds=[instances[0]])
    tracker.poll()
    tracker.deliver()
    tracker.deliver()
    feed = [c for c in tracker.changes(0).changes if c.resource_id in instances]
    got = receiver.wait_for(len(feed))
    assert sorted(d.change["id"] for d in got) == [c.id for c in feed]  # each exactly once
    for instance in instances:  # and in order for each hook
        assert [d.change["id"] for d in got if d.change["resource_id"] == instance] == [
            c.id for c in feed if c.resource_id == instance]
    assert sorted((c.resource_id, c.new_state) for c in feed[:2]) == sorted(
        [(instances[0], "stopped"), (instances[1], "stopped")])
    assert (feed[2].resource_id, feed[2].new_state) == (instances[0], "terminated")


@pytest.mark.parametrize("value, expected", [("3", 3.0), ("0.5", 0.5), ("soon", None)])
def test_retry_after_of_a_receiver_is_read_as_seconds(value: str, expected: float | None) -> None:
    from euca_boto.tracker.delivery import _retry_after

    assert _retry_after(value) == expected


def test_two_trackers_sharing_a_store_deliver_each_change_once(
    store_url: str, receiver: Receiver
) -> None:
    import threading

    store = open_store(store_url)
    store.apply("acct", INSTANCE, {}, 1.0)
    store.put_hook("acct", INSTANCE, "", receiver.url, TOKEN)
    changes = store.apply("acct", INSTANCE, {f"i-{n:03d}": "running" for n in range(40)}, 2.0)
    receiver.latency = 0.005
    deliverers = [_deliverer(open_store(store_url), Clock(), []) for _ in range(2)]
    counts: list[int] = []
    threads = [threading.Thread(target=lambda d=d: counts.append(d.deliver()))
               for d in deliverers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(counts) == 40
    assert sorted(d.change["id"] for d in receiver.wait_for(40)) == [c.id for c in changes]


def test_the_same_listing_applied_by_two_trackers_at_once_is_recorded_once(
    store_url: str,
) -> None:
    import threading

    stores = [open_store(store_url) for _ in range(2)]
    stores[0].apply("acct", INSTANCE, {"i-1": "running"}, 1.0)
    barrier = threading.Barrier(2)
    results: list[list[Change]] = []

    def apply(store: SqlStore) -> None:
        barrier.wait(10)
        results.append(store.apply("acct", INSTANCE, {"i-1": "stopped"}, 2.0))

    threads = [threading.Thread(target=apply, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(len(r) for r in results) == [0, 1]
    assert [(c.old_state, c.new_state) for c in stores[0].changes(0).changes] == [
        ("running", "stopped")]


def test_several_workers_deliver_every_hook_in_order(store_url: str, receiver: Receiver) -> None:
    store = open_store(store_url)
    resources = [f"i-{n}" for n in range(6)]
    store.apply("acct", INSTANCE, {r: "s0" for r in resources}, 1.0)
    for resource in resources:
        store.put_hook("acct", INSTANCE, resource, receiver.url, TOKEN)
    for n in range(1, 6):
        store.apply("acct", INSTANCE, {r: f"s{n}" for r in resources}, float(n + 1))
    receiver.latency = 0.01
    deliverer = Deliverer(store, workers=4, hook_allow=LOCAL)
    assert deliverer.deliver() == 30
    deliverer.close()
    got = receiver.wait_for(30)
    assert len(got) == 30
    for resource in resources:
        states = [d.change["new_state"] for d in got if d.change["resource_id"] == resource]
        assert states == [f"s{n}" for n in range(1, 6)]
    assert {d.headers["X-Euca-Tracker-Hook"] for d in got} == {
        str(h.id) for h in store.hooks()}
    store.close()


def test_replicas_whose_cycles_never_overlap_still_deliver_every_hook(
    store_url: str, receiver: Receiver
) -> None:
    # Two replicas share the hooks with something to send, half each. Hooks with nothing to
    # send must not use up a replica's share: when the second replica's cycle comes after the
    # first one's has ended, it goes on with the other hooks, not the ones served already.
    store = open_store(store_url)
    instances = [f"i-{n}" for n in range(1, 7)]
    store.apply("acct", INSTANCE, {i: "pending" for i in instances}, 1.0)
    for instance in instances:
        store.put_hook("acct", INSTANCE, instance, receiver.url, TOKEN)
    changes = store.apply("acct", INSTANCE, {i: "running" for i in instances}, 2.0)
    clock = Clock()
    replicas = [Replica(store, owner=f"replica-{n}", clock=clock) for n in range(2)]
    for replica in replicas:
        replica.live()  # both are known to be alive before either delivers
    first, second = (_deliverer(store, clock, [], replica=replica) for replica in replicas)
    assert first.deliver() == 3  # half of the six
    assert second.deliver() == 2  # half of the three left
    assert first.deliver() == 1
    got = receiver.wait_for(6)
    assert sorted(d.change["id"] for d in got) == sorted(c.id for c in changes)
    assert first.deliver() + second.deliver() == 0  # and nothing twice
    store.close()
