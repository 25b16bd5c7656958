"""Identity proofs are fresh and single-use: a stale proof, one from the future and a replayed
one are refused with 401 saying why."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
import requests
from tracker_support import LOCAL, Cloud

from euca_boto.tracker import Tracker, TrackerClient, TrackerService
from euca_boto.tracker.identity import IDENTITY_HEADER, ReplayCache, make_proof
from euca_boto.tracker.model import INSTANCE


@pytest.fixture
def service(cloud: Cloud, tmp_path: object) -> Iterator[TrackerService]:
    tracker = Tracker(f"{tmp_path}/feed.db", [cloud.admin], resource_types=[INSTANCE])
    running = TrackerService(tracker, cloud.cloud.service_url("sts"), port=0, hook_allow=LOCAL)
    yield running
    running.close()
    tracker.store.close()


def _proof(cloud: Cloud, target: str, minutes_ago: float = 0) -> str:
    when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=minutes_ago)
    credentials = cloud.admin.get_credentials().get_frozen_credentials()
    return make_proof(credentials, cloud.cloud.service_url("sts"), "eucalyptus", "GET", target,
                      b"", signed_at=when)


@pytest.mark.parametrize("minutes_ago, when", [
    (60 * 48, "172800 s ago"), (6, "360 s ago"), (-6, "360 s in the future"),
], ids=["two-days-old", "six-minutes-old", "six-minutes-ahead"])
def test_a_proof_signed_more_than_5_minutes_from_the_trackers_clock_is_refused(
    cloud: Cloud, service: TrackerService, minutes_ago: float, when: str
) -> None:
    reply = requests.get(service.url + "/hooks",
                         headers={IDENTITY_HEADER: _proof(cloud, "/hooks", minutes_ago)},
                         timeout=10)
    assert reply.status_code == 401
    assert reply.json()["error"]["code"] == "Unauthenticated"
    message = reply.json()["error"]["message"]
    assert "the identity proof was signed at" in message
    assert when.split(" ", 1)[1] in message and "within 5 minutes" in message


def test_a_proof_four_minutes_old_is_accepted(cloud: Cloud, service: TrackerService) -> None:
    reply = requests.get(service.url + "/hooks",
                         headers={IDENTITY_HEADER: _proof(cloud, "/hooks", 4)}, timeout=10)
    assert reply.status_code == 200


def test_a_replayed_proof_is_refused(cloud: Cloud, service: TrackerService) -> None:
    proof = _proof(cloud, "/changes?since=0")
    first = requests.get(service.url + "/changes?since=0", headers={IDENTITY_HEADER: proof},
                         timeout=10)
    again = requests.get(service.url + "/changes?since=0", headers={IDENTITY_HEADER: proof},
                         timeout=10)
    assert first.status_code == 200
    assert again.status_code == 401
    assert "already used (a replay)" in again.json()["error"]["message"]


def test_the_same_request_twice_gets_two_proofs_and_both_pass(
    cloud: Cloud, service: TrackerService
) -> None:
    client = TrackerClient(cloud.admin, service.url)
    assert client.changes(since=0) == client.changes(since=0)


def test_the_replay_cache_forgets_after_its_window() -> None:
    now = [1000.0]
    cache = ReplayCache(600, clock=lambda: now[0])
    assert cache.add("a") and not cache.add("a")
    now[0] += 601
    assert cache.add("b") and len(cache) == 1 and cache.add("a")
