"""The tracker's HTTP API over real sockets, callers authenticated by the cloud's STS."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from awsenv import PROFILE
from tracker_support import LOCAL, Cloud, Receiver

from euca_boto.tracker import Tracker, TrackerAPIError, TrackerClient, TrackerService
from euca_boto.tracker.identity import IDENTITY_HEADER, make_proof
from euca_boto.tracker.model import INSTANCE

ADMIN_ACCOUNT = "123456789012"


@pytest.fixture
def workers() -> int:
    """Handlers run inline unless a test parametrizes this (worker queue: same API)."""
    return 0


@pytest.fixture
def service(cloud: Cloud, store_url: str, workers: int) -> Iterator[TrackerService]:
    tracker = Tracker(store_url, [cloud.admin, cloud.tenant, cloud.other],
                      resource_types=[INSTANCE],
                      hook_allow=LOCAL)
    running = TrackerService(tracker, cloud.cloud.service_url("sts"), port=0, workers=workers,
                             hook_allow=LOCAL)
    yield running
    running.close()
    tracker.store.close()


def _client(session: Any, service: TrackerService) -> TrackerClient:
    return TrackerClient(session, service.url)


def _tracked_instance(
    cloud: Cloud, service: TrackerService, receiver: Receiver
) -> tuple[str, TrackerClient, dict[str, Any]]:
    """A new instance the tracker has seen, hooked by the admin to ``receiver`` with a
    24-character token: the instance, the admin's client and the created hook."""
    [instance] = cloud.run_instances(cloud.admin)
    service.tracker.poll()
    client = _client(cloud.admin, service)
    return instance, client, client.track(instance, receiver.url, token="t" * 24)


@pytest.mark.parametrize("workers", [0, 3], ids=["inline", "workers"])
def test_a_hook_is_registered_listed_and_removed_by_its_owner(
    cloud: Cloud, service: TrackerService, receiver: Receiver
) -> None:
    instance, client, created = _tracked_instance(cloud, service, receiver)
    assert created["token"] == "t" * 24
    assert (created["resource_type"], created["resource_id"], created["url"], created["status"]) \
        == ("instance", instance, receiver.url, "active")
    listed = client.hooks()
    assert [(h["resource_id"], h["url"]) for h in listed] == [(instance, receiver.url)]
    assert "token" not in listed[0]
    assert client.untrack(instance)["removed"] is True
    assert client.hooks() == []


def test_without_a_token_the_tracker_generates_one_for_the_hook(
    cloud: Cloud, service: TrackerService, receiver: Receiver
) -> None:
    created = _client(cloud.admin, service).track_all("instance", receiver.url)
    assert len(created["token"]) >= 32 and created["resource_id"] is None


def test_a_change_in_the_cloud_reaches_the_hook_and_the_feed(
    cloud: Cloud, service: TrackerService, receiver: Receiver
) -> None:
    instance, client, _ = _tracked_instance(cloud, service, receiver)
    _, head = client.changes()
    cloud.admin.client("ec2").stop_instances(InstanceIds=[instance])
    service.tracker.poll()
    service.tracker.deliver()
    changes, cursor = client.changes(since=head)
    assert [(c.resource_id, c.old_state, c.new_state) for c in changes] == [
        (instance, "running", "stopped")]
    assert cursor == changes[-1].id
    assert [d.change["id"] for d in receiver.wait_for(1)] == [changes[0].id]


@pytest.mark.parametrize("workers", [0, 3], ids=["inline", "workers"])
def test_two_accounts_see_neither_each_others_hooks_nor_changes(
    cloud: Cloud, service: TrackerService, receiver: Receiver
) -> None:
    # acme and globex: two accounts whose keys were made with add_credentials.
    service.tracker.poll()
    [acmes] = cloud.run_instances(cloud.tenant)
    [globexs] = cloud.run_instances(cloud.other)
    service.tracker.poll()
    acme, globex = _client(cloud.tenant, service), _client(cloud.other, service)
    acme.track_all("instance", receiver.url)
    globex.track(globexs, receiver.url)
    assert {c.account for c in acme.changes()[0]} == {cloud.tenant_account}
    assert {c.resource_id for c in acme.changes()[0]} == {acmes}
    assert {c.account for c in globex.changes()[0]} == {cloud.other_account}
    assert {c.resource_id for c in globex.changes()[0]} == {globexs}
    assert [h["resource_id"] for h in globex.hooks()] == [globexs]
    assert [h["resource_id"] for h in acme.hooks()] == [None]
    with pytest.raises(TrackerAPIError) as caught:
        globex.track(acmes, receiver.url)  # another account's instance does not exist for it
    assert caught.value.status == 404
    assert f"for account {cloud.other_account}" in caught.value.message
    with pytest.raises(TrackerAPIError) as removing:
        globex.untrack(resource_type="instance")  # acme's type hook is not globex's
    assert removing.value.status == 404
    # globex registering "the same" type hook makes its own; acme's keeps its URL.
    globex.track_all("instance", receiver.url.replace("/hook", "/globex"))
    assert [(h["resource_id"], h["url"]) for h in acme.hooks()] == [(None, receiver.url)]
    assert sorted(h["resource_id"] or "" for h in globex.hooks()) == ["", globexs]


def test_each_account_is_known_by_the_key_that_signed(
    cloud: Cloud, service: TrackerService
) -> None:
    for session, account in [(cloud.admin, ADMIN_ACCOUNT), (cloud.tenant, cloud.tenant_account),
                             (cloud.other, cloud.other_account)]:
        identity = session.client("sts").get_caller_identity()
        assert identity["Account"] == account
        assert identity["Arn"] == f"arn:aws:iam::{account}:user/admin"
    assert len({cloud.tenant_account, cloud.other_account, ADMIN_ACCOUNT}) == 3


def test_an_unsigned_request_gets_401_with_a_clear_body(service: TrackerService) -> None:
    reply = requests.get(service.url + "/hooks", timeout=10)
    assert reply.status_code == 401
    assert reply.json()["error"]["code"] == "Unauthenticated"
    assert f"missing {IDENTITY_HEADER} header" in reply.json()["error"]["message"]


def test_a_request_signed_with_a_wrong_secret_gets_403(
    cloud: Cloud, service: TrackerService
) -> None:
    forged = boto3.Session(
        profile_name=PROFILE, aws_access_key_id=cloud.cloud.access_key,
        aws_secret_access_key="not-the-secret-key-00000000000000000000",
    )
    with pytest.raises(TrackerAPIError) as caught:
        TrackerClient(forged, service.url).hooks()
    assert caught.value.status == 403
    assert "STS rejected the signed identity: SignatureDoesNotMatch" in caught.value.message


def test_a_proof_signed_for_another_request_is_refused(
    cloud: Cloud, service: TrackerService
) -> None:
    credentials = cloud.admin.get_credentials().get_frozen_credentials()
    proof = make_proof(credentials, cloud.cloud.service_url("sts"), "eucalyptus",
                       "GET", "/hooks", b"")
    reply = requests.get(service.url + "/changes?since=0", headers={IDENTITY_HEADER: proof},
                         timeout=10)
    assert reply.status_code == 401
    assert "signed for a different request" in reply.json()["error"]["message"]


def test_a_garbled_proof_is_refused(service: TrackerService) -> None:
    garbage = base64.urlsafe_b64encode(json.dumps({"host": 1}).encode()).decode()
    for value in ("%%%not-base64", garbage):
        reply = requests.get(service.url + "/hooks", headers={IDENTITY_HEADER: value}, timeout=10)
        assert reply.status_code == 401, value


@pytest.mark.parametrize("target, status, code, message", [
    ("/instances/i-1?track_hook=ftp://x/y", 400, "InvalidRequest", "is not a usable URL"),
    ("/instances/i-1?track_hook=http://", 400, "InvalidRequest", "is not a usable URL"),
    ("/instances/i-1", 400, "InvalidRequest", "track_hook is required"),
    ("/instances/i-1?track_hook=http://127.0.0.1:9/h&track_token=short", 400,
     "InvalidRequest", "track_token must be"),
    ("/instances/i-doesnotexist?track_hook=http://127.0.0.1:9/h", 404, "NotFound",
     "'i-doesnotexist' is not known to the tracker"),
    ("/buckets/b1?track_hook=http://127.0.0.1:9/h", 404, "NotFound", "unknown path /buckets"),
    ("/changes?since=abc", 400, "InvalidRequest", "since='abc' is not a cursor"),
    ("/changes?since=1&since=2", 400, "InvalidRequest", "more than once: since"),
    ("/changes?limit=0", 400, "InvalidRequest", "limit=0 is out of range"),
])
def test_bad_requests_get_clear_4xx_errors(
    cloud: Cloud, service: TrackerService, target: str, status: int, code: str, message: str
) -> None:
    method = "GET" if target.startswith("/changes") else "PUT"
    client = _client(cloud.admin, service)
    with pytest.raises(TrackerAPIError) as caught:
        client._request(method, target)
    assert (caught.value.status, caught.value.code) == (status, code)
    assert message in caught.value.message


def test_a_wrong_method_gets_405(cloud: Cloud, service: TrackerService) -> None:
    with pytest.raises(TrackerAPIError) as caught:
        _client(cloud.admin, service)._request("PUT", "/hooks")
    assert caught.value.status == 405


def test_a_cursor_older_than_retention_gets_410_telling_the_client_to_relist(
    cloud: Cloud, service: TrackerService
) -> None:
    store = service.tracker.store
    store.apply(ADMIN_ACCOUNT, "zone", {}, 1.0)
    store.apply(ADMIN_ACCOUNT, "zone", {"z9": "available"}, 2.0)
    store.apply(ADMIN_ACCOUNT, "zone", {"z9": "impaired"}, 3.0)
    store.prune(observed_before=2.5)
    with pytest.raises(TrackerAPIError) as caught:
        _client(cloud.admin, service).changes(since=0)
    assert caught.value.status == 410 and caught.value.code == "CursorExpired"
    assert "list the resources again" in caught.value.message


@pytest.mark.parametrize("workers", [0, 3], ids=["inline", "workers"])
def test_health_answers_without_authentication_and_names_the_dispatcher(
    service: TrackerService, workers: int
) -> None:
    health = requests.get(service.url + "/health", timeout=10).json()
    assert health["status"] == "ok" and health["schema_version"] == 4
    assert health["dispatcher"] == (f"queue, {workers} workers" if workers else "inline")
    assert "password" not in json.dumps(health)


def test_tracker_url_must_be_http(cloud: Cloud, tmp_path: Path) -> None:
    from euca_boto.tracker import InvalidRequest

    with pytest.raises(InvalidRequest, match="tracker URL must be http"):
        TrackerClient(cloud.admin, "ftp://127.0.0.1:1")
