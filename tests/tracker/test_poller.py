"""Polling LocalCloud (moto behind it) into the feed: instances, volumes, zones, services."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from tracker_support import Cloud

from euca_boto.tracker import Tracker
from euca_boto.tracker.model import INSTANCE, SERVICE, VOLUME
from euca_boto.tracker.poller import Poller


def _tracker(tmp_path: Path, *sessions: Any, types: tuple[str, ...] = (INSTANCE,)) -> Tracker:
    return Tracker(str(tmp_path / "feed.db"), list(sessions), resource_types=types)


def test_an_instance_that_stops_and_starts_is_two_entries_in_order(
    cloud: Cloud, tmp_path: Path
) -> None:
    [instance] = cloud.run_instances(cloud.admin)
    tracker = _tracker(tmp_path, cloud.admin)
    baseline = tracker.poll()
    assert baseline is not None and baseline.changes == [] and baseline.errors == []
    ec2 = cloud.admin.client("ec2")
    ec2.stop_instances(InstanceIds=[instance])
    stopped = tracker.poll()
    ec2.start_instances(InstanceIds=[instance])
    started = tracker.poll()
    assert stopped is not None and started is not None
    entries = tracker.changes(0).changes
    assert [(c.resource_id, c.old_state, c.new_state) for c in entries] == [
        (instance, "running", "stopped"), (instance, "stopped", "running")]
    assert entries[0].id < entries[1].id
    assert {c.account for c in entries} == {"123456789012"}


def test_a_new_volume_appears_in_the_feed(cloud: Cloud, tmp_path: Path) -> None:
    tracker = _tracker(tmp_path, cloud.admin, types=(VOLUME,))
    tracker.poll()
    volume = cloud.admin.client("ec2").create_volume(AvailabilityZone="us-east-1a", Size=1)
    report = tracker.poll()
    assert report is not None
    assert [(c.resource_type, c.resource_id, c.old_state, c.new_state)
            for c in report.changes] == [("volume", volume["VolumeId"], None, "available")]


def test_a_stopped_endpoint_changes_the_state_of_its_eucalyptus_services(
    cloud: Cloud, tmp_path: Path
) -> None:
    tracker = _tracker(tmp_path, cloud.admin, types=(SERVICE,))
    tracker.poll()
    cloud.cloud.endpoint(1).stop()
    report = tracker.poll()
    assert report is not None and report.changes
    assert {(c.old_state, c.new_state) for c in report.changes} == {("ENABLED", "STOPPED")}
    assert all(c.resource_type == SERVICE and c.resource_id.startswith("arn:euca:")
               for c in report.changes)


def test_each_account_is_polled_with_its_own_credentials(cloud: Cloud, tmp_path: Path) -> None:
    tracker = _tracker(tmp_path, cloud.admin, cloud.tenant)
    tracker.poll()
    [mine] = cloud.run_instances(cloud.tenant)
    report = tracker.poll()
    assert report is not None
    assert [(c.account, c.resource_id, c.new_state) for c in report.changes] == [
        (cloud.tenant_account, mine, "running")]


def test_a_failed_listing_keeps_the_last_known_states(cloud: Cloud, tmp_path: Path) -> None:
    cloud.run_instances(cloud.admin)
    tracker = _tracker(tmp_path, cloud.admin)
    tracker.poll()
    known = tracker.store.changes(0).next_cursor
    cloud.cloud.endpoint(0).fail(400, count=10)  # not retried: the listing fails at once
    report = tracker.poll()
    assert report is not None
    assert report.changes == []
    assert report.errors and "instance" in report.errors[0]
    assert tracker.store.changes(0).next_cursor == known  # nothing recorded as gone


def test_a_poll_never_overlaps_one_still_running(cloud: Cloud, tmp_path: Path) -> None:
    entered, release = threading.Event(), threading.Event()

    def slow_listing(account: Any) -> dict[str, str]:
        entered.set()
        release.wait(10)
        return {"i-1": "running"}

    poller = Poller(_tracker(tmp_path).store, [cloud.admin], [INSTANCE],
                    listings={INSTANCE: slow_listing})
    results: list[Any] = []
    first = threading.Thread(target=lambda: results.append(poller.poll()))
    first.start()
    assert entered.wait(10)
    assert poller.poll() is None  # the second poll is refused while the first runs
    release.set()
    first.join(10)
    assert results and results[0] is not None and results[0].errors == []
