"""Change watches: GET /changes?wait=S holds until a change arrives or the time is up, and
TrackerClient.watch() yields changes as they come, resuming from its cursor after the tracker
goes away and comes back."""

from __future__ import annotations

import functools
import queue
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from tracker_support import LOCAL, Cloud

from euca_boto.tracker import Change, Tracker, TrackerClient, TrackerService
from euca_boto.tracker.api.server import Limits
from euca_boto.tracker.model import INSTANCE


def _start(cloud: Cloud, store: str, port: int = 0) -> TrackerService:
    tracker = Tracker(store, [cloud.admin], resource_types=[INSTANCE], hook_allow=LOCAL)
    return TrackerService(tracker, cloud.cloud.service_url("sts"), port=port, hook_allow=LOCAL)


@pytest.fixture
def service(cloud: Cloud, store_url: str) -> Iterator[TrackerService]:
    running = _start(cloud, store_url)
    yield running
    running.close()
    running.tracker.store.close()


def test_a_watch_with_nothing_new_is_held_for_its_wait_and_answers_empty(
    cloud: Cloud, service: TrackerService
) -> None:
    service.tracker.poll()
    client = TrackerClient(cloud.admin, service.url)
    _, head = client.changes()
    started = time.monotonic()
    changes, cursor = client.changes(since=head, wait=2)
    assert time.monotonic() - started >= 1.9
    assert (changes, cursor) == ([], head)


def test_a_held_watch_answers_as_soon_as_a_poll_records_a_change(
    cloud: Cloud, service: TrackerService
) -> None:
    [instance] = cloud.run_instances(cloud.admin)
    service.tracker.poll()
    client = TrackerClient(cloud.admin, service.url)
    _, head = client.changes()
    answers: queue.Queue[tuple[list[Change], float]] = queue.Queue()

    def hold() -> None:
        changes, _ = client.changes(since=head, wait=30)
        answers.put((changes, time.monotonic()))

    threading.Thread(target=hold, daemon=True).start()
    time.sleep(0.5)  # the watch is waiting
    cloud.admin.client("ec2").stop_instances(InstanceIds=[instance])
    service.tracker.poll()
    polled = time.monotonic()
    changes, answered = answers.get(timeout=10)
    assert [(c.resource_id, c.new_state) for c in changes] == [(instance, "stopped")]
    assert answered - polled < 5  # well before the 30 s wait


def test_watch_yields_changes_and_resumes_after_the_tracker_restarts(
    cloud: Cloud, store_url: str
) -> None:
    [instance] = cloud.run_instances(cloud.admin)
    first = _start(cloud, store_url)
    first.tracker.poll()
    port = first.api.port
    client = TrackerClient(cloud.admin, first.url, timeout=5)
    _, head = client.changes()
    got: queue.Queue[Change] = queue.Queue()
    stop = threading.Event()

    def consume() -> None:
        for change in client.watch(since=head, wait=2, stop=stop, retry_delay=0.2):
            got.put(change)

    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    ec2 = cloud.admin.client("ec2")
    ec2.stop_instances(InstanceIds=[instance])
    first.tracker.poll()
    assert got.get(timeout=10).new_state == "stopped"
    first.close()  # the tracker goes away; a change is recorded meanwhile by another process
    first.tracker.store.close()
    ec2.start_instances(InstanceIds=[instance])
    second = _start(cloud, store_url, port=port)
    try:
        second.tracker.poll()
        resumed = got.get(timeout=20)
        assert (resumed.resource_id, resumed.old_state, resumed.new_state) == (
            instance, "stopped", "running")
        assert got.empty()
    finally:
        stop.set()
        consumer.join(timeout=10)
        second.close()
        second.tracker.store.close()


def test_a_watch_longer_than_60_seconds_is_refused(cloud: Cloud, service: TrackerService) -> None:
    from euca_boto.tracker import TrackerAPIError

    with pytest.raises(TrackerAPIError) as caught:
        TrackerClient(cloud.admin, service.url).changes(wait=61)
    assert caught.value.status == 400 and "wait=61 is out of range" in caught.value.message


def _until(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.05)


def _holds(client: TrackerClient, watches: int) -> bool:
    return bool(client.health()["watches_held"] == watches)


def test_held_watches_take_no_request_slot(cloud: Cloud, store_url: str) -> None:
    # A server that handles at most 4 requests at once still answers while 20 watches wait,
    # and its /health counts them.
    [instance] = cloud.run_instances(cloud.admin)
    tracker = Tracker(store_url, [cloud.admin], resource_types=[INSTANCE])
    service = TrackerService(tracker, cloud.cloud.service_url("sts"), port=0,
                             limits=Limits(max_requests=4))
    try:
        tracker.poll()
        client = TrackerClient(cloud.admin, service.url)
        _, head = client.changes()
        answers: queue.Queue[object] = queue.Queue()

        def hold() -> None:
            try:
                answers.put(client.changes(head, wait=30))
            except Exception as error:  # noqa: BLE001 - the test reports it
                answers.put(error)

        for held in range(2, 21, 2):
            # Two at a time through the 4 places: each pair is held before the next comes.
            for _ in range(2):
                threading.Thread(target=hold, daemon=True).start()
            _until(functools.partial(_holds, client, held))
        health = client.health()
        assert (health["watches_held"], health["requests_in_progress"],
                health["max_requests"]) == (20, 0, 4)
        assert answers.empty()  # all held
        assert client.hooks() == []  # and a plain request is served meanwhile (not 503 Busy)
        cloud.admin.client("ec2").stop_instances(InstanceIds=[instance])
        tracker.poll()  # the feed grows: every watch answers with the change
        for _ in range(20):
            answer = answers.get(timeout=15)
            assert isinstance(answer, tuple), answer
            changes: list[Change] = answer[0]
            assert [(c.resource_id, c.new_state) for c in changes] == [(instance, "stopped")]
        _until(functools.partial(_holds, client, 0))
    finally:
        service.close()
        tracker.store.close()


def test_a_held_watch_is_answered_at_once_when_the_tracker_stops(
    cloud: Cloud, store_url: str
) -> None:
    service = _start(cloud, store_url)
    service.tracker.poll()
    client = TrackerClient(cloud.admin, service.url)
    _, head = client.changes()
    answers: queue.Queue[object] = queue.Queue()

    def hold() -> None:
        try:
            answers.put(client.changes(since=head, wait=30))
        except Exception as error:  # noqa: BLE001 - the test reports it
            answers.put(error)

    threading.Thread(target=hold, daemon=True).start()
    time.sleep(0.5)  # the watch is waiting
    started = time.monotonic()
    service.close()
    service.tracker.store.close()
    assert answers.get(timeout=30) == ([], head)  # the client resumes from its cursor
    assert time.monotonic() - started < service.api.limits.shutdown_grace / 2
