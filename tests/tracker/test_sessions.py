"""API sessions: a client proves its identity to STS once and carries a session token after
that; the tracker checks tokens locally, replicas sharing a store accept each other's, and a
token that is expired, forged or not this tracker's is refused with 401, after which
TrackerClient proves again by itself."""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from ports import free_port
from tracker_support import Cloud

from euca_boto.tracker import Tracker, TrackerAPIError, TrackerClient, TrackerService, open_store
from euca_boto.tracker.errors import AuthenticationError
from euca_boto.tracker.identity import IDENTITY_HEADER, Caller, make_proof
from euca_boto.tracker.model import INSTANCE
from euca_boto.tracker.sessions import CLOCK_SKEW, Sessions

Make = Callable[..., TrackerService]


@pytest.fixture
def make_service(cloud: Cloud) -> Iterator[Make]:
    started: list[TrackerService] = []

    def make(store_url: str, **kwargs: object) -> TrackerService:
        tracker = Tracker(store_url, [], resource_types=[INSTANCE])
        service = TrackerService(tracker, cloud.cloud.service_url("sts"),
                                 **{"port": 0, **kwargs})  # type: ignore[arg-type]
        started.append(service)
        return service

    yield make
    for service in started:
        service.close()
        service.tracker.store.close()


def _proofs(cloud: Cloud, session: object) -> int:
    """GetCallerIdentity calls LocalCloud's STS received with ``session``'s key."""
    key = session.get_credentials().access_key  # type: ignore[attr-defined]
    return sum(1 for r in cloud.cloud.requests()
               if r.service == "sts" and r.action == "GetCallerIdentity" and r.access_key == key)


def _login(cloud: Cloud, service: TrackerService) -> dict[str, object]:
    credentials = cloud.tenant.get_credentials().get_frozen_credentials()
    proof = make_proof(credentials, cloud.cloud.service_url("sts"), "eucalyptus", "POST",
                       "/session", b"")
    reply = requests.post(service.url + "/session", headers={IDENTITY_HEADER: proof},
                          timeout=30)
    assert reply.status_code == 200, reply.text
    answer: dict[str, object] = reply.json()
    return answer


def _with_token(service: TrackerService, token: str, path: str = "/hooks") -> requests.Response:
    return requests.get(service.url + path, headers={"Authorization": f"Bearer {token}"},
                        timeout=30)


def test_a_client_proves_its_identity_once_for_many_requests_from_many_threads(
    cloud: Cloud, make_service: Make, tmp_path: Path
) -> None:
    service = make_service(str(tmp_path / "feed.db"))
    client = TrackerClient(cloud.tenant, service.url)
    cloud.cloud.clear_requests()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(10):
                assert client.changes(since=0)[0] == []
                assert client.hooks() == []
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert _proofs(cloud, cloud.tenant) == 1


def test_the_session_answer_names_the_caller_and_the_lifetime(
    cloud: Cloud, make_service: Make, tmp_path: Path
) -> None:
    service = make_service(str(tmp_path / "feed.db"))
    answer = _login(cloud, service)
    assert answer["account"] == cloud.tenant_account
    assert answer["expires_in"] == 900
    assert abs(float(answer["expires_at"]) - (time.time() + 900)) < 60  # type: ignore[arg-type]
    token = str(answer["token"])
    assert token.startswith("ets1.")
    assert _with_token(service, token).json() == {"hooks": []}


def test_two_replicas_sharing_a_postgresql_store_accept_each_others_tokens(
    cloud: Cloud, postgres_url: str, make_service: Make  # the store outlives the services
) -> None:
    first, second = make_service(postgres_url), make_service(postgres_url)
    from_first = str(_login(cloud, first)["token"])
    assert _with_token(second, from_first).status_code == 200
    from_second = str(_login(cloud, second)["token"])
    assert _with_token(first, from_second).status_code == 200
    # One key, made by whichever replica asked first, signs for both.
    assert from_first.split(".")[1] == from_second.split(".")[1]


def test_a_token_of_another_tracker_is_refused_and_the_client_proves_again(
    cloud: Cloud, make_service: Make, tmp_path: Path
) -> None:
    ours = make_service(str(tmp_path / "ours.db"))
    theirs = make_service(str(tmp_path / "theirs.db"))
    token = str(_login(cloud, theirs)["token"])
    refused = _with_token(ours, token)
    assert refused.status_code == 401
    error = refused.json()["error"]
    assert error["code"] == "SessionRejected"
    assert "prove your identity again" in error["message"] and token not in refused.text

    client = TrackerClient(cloud.tenant, theirs.url)
    assert client.hooks() == []
    client.url = ours.url  # the tracker was replaced by one with other keys
    cloud.cloud.clear_requests()
    assert client.hooks() == []
    assert _proofs(cloud, cloud.tenant) == 1


def test_an_expired_token_is_refused_and_the_client_proves_again(
    cloud: Cloud, make_service: Make, tmp_path: Path
) -> None:
    service = make_service(str(tmp_path / "feed.db"))
    token = str(_login(cloud, service)["token"])
    client = TrackerClient(cloud.tenant, service.url)
    assert client.hooks() == []
    # The tracker's clock passes the tokens' 15 minutes; the client's has not.
    service.sessions.clock = lambda: time.time() + 16 * 60
    refused = _with_token(service, token)
    assert refused.status_code == 401
    assert "expired" in refused.json()["error"]["message"]
    cloud.cloud.clear_requests()
    assert client.hooks() == []
    assert _proofs(cloud, cloud.tenant) == 1


def test_a_short_lived_token_is_renewed_before_it_expires(
    cloud: Cloud, make_service: Make, tmp_path: Path
) -> None:
    service = make_service(str(tmp_path / "feed.db"), session_ttl=1.0)
    client = TrackerClient(cloud.tenant, service.url)
    cloud.cloud.clear_requests()
    assert client.hooks() == []
    time.sleep(1.2)
    assert client.hooks() == []
    assert _proofs(cloud, cloud.tenant) == 2


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(token: str) -> dict[str, object]:
    payload = token.split(".")[2]
    claims: dict[str, object] = json.loads(base64.urlsafe_b64decode(
        payload + "=" * (-len(payload) % 4)))
    return claims


@pytest.mark.parametrize("forge, reason", [
    (lambda t, other: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
     "signature does not match"),
    (lambda t, other: ".".join([*t.split(".")[:2], _b64(json.dumps(
        {**_claims(t), "acct": other}).encode()), t.split(".")[3]]),
     "signature does not match"),
    (lambda t, other: ".".join([t.split(".")[0], "0123456789abcdef", *t.split(".")[2:]]),
     "a key this tracker does not hold"),
    (lambda t, other: t + "x", "malformed"),
    (lambda t, other: "ets1." + "A" * 5000, "malformed"),
], ids=["mac-changed", "other-account-claimed", "unknown-key", "garbled", "oversized"])
def test_a_forged_token_is_refused_with_401_and_never_echoed(
    cloud: Cloud, make_service: Make, tmp_path: Path,
    forge: Callable[[str, str], str], reason: str,
) -> None:
    service = make_service(str(tmp_path / "feed.db"))
    token = str(_login(cloud, service)["token"])
    forged = forge(token, cloud.other_account)
    reply = _with_token(service, forged)
    assert reply.status_code == 401
    assert reply.json()["error"]["code"] == "SessionRejected"
    assert reason in reply.json()["error"]["message"]
    assert forged not in reply.text and token.split(".")[3] not in reply.text


def test_a_token_cannot_buy_another_token(
    cloud: Cloud, make_service: Make, tmp_path: Path
) -> None:
    service = make_service(str(tmp_path / "feed.db"))
    token = str(_login(cloud, service)["token"])
    reply = requests.post(service.url + "/session", timeout=30,
                          headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 401
    assert "takes an X-Euca-Tracker-Identity proof" in reply.json()["error"]["message"]


def test_tokens_never_reach_a_log_or_an_error(
    cloud: Cloud, make_service: Make, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    service = make_service(str(tmp_path / "feed.db"))
    client = TrackerClient(cloud.tenant, service.url)
    assert client.hooks() == []
    service.sessions.clock = lambda: time.time() + 16 * 60
    assert client.hooks() == []
    with pytest.raises(TrackerAPIError) as caught:
        client.track("i-00000000", "http://127.0.0.1:9/hook")
    assert caught.value.status == 400  # a refusal, after a refused token and a new one
    text = "\n".join(r.getMessage() for r in caplog.records) + str(caught.value)
    assert "ets1." not in text  # every token starts so


def test_a_tracker_that_knows_its_name_accepts_the_proofs_its_clients_sign_for_it(
    cloud: Cloud, make_service: Make, tmp_path: Path
) -> None:
    port = free_port()
    service = make_service(str(tmp_path / "feed.db"), port=port, audience=f"127.0.0.1:{port}")
    assert TrackerClient(cloud.tenant, service.url).hooks() == []
    # The same tracker reached by another name: the client signs for that name.
    with pytest.raises(TrackerAPIError) as caught:
        TrackerClient(cloud.tenant, f"http://localhost:{port}").hooks()
    assert caught.value.status == 401
    assert f"meant for tracker 'localhost:{port}'" in caught.value.message


# A tracker remembers the tokens it verified; each verdict must be the one a tracker that never
# saw the token before gives, at every moment and under every key.

def _verdict(sessions: Sessions, token: str) -> str:
    try:
        caller = sessions.verify(token)
    except AuthenticationError as refused:
        assert refused.code == "SessionRejected"
        return f"refused: {refused}"
    return f"{caller.account} {caller.arn}"


def test_a_remembered_token_gets_the_verdict_of_a_fresh_tracker_at_every_moment(
    tmp_path: Path,
) -> None:
    store = open_store(str(tmp_path / "feed.db"))
    now = [1_000_000.0]
    ttl = 900.0
    issuer = Sessions(store, ttl, clock=lambda: now[0])
    warm = Sessions(store, ttl, clock=lambda: now[0])  # another replica, verifying throughout
    alice, bob = Caller("111111111111", "arn:a"), Caller("222222222222", "arn:b")
    early, early_expires = issuer.issue(alice)
    now[0] += ttl - 10  # near the end of the first key's signing period
    late, late_expires = issuer.issue(bob)  # still the first key, valid for one more period
    assert late.split(".")[1] == early.split(".")[1] and late_expires == early_expires + ttl - 10
    moments = [now[0], early_expires - 0.001, early_expires,
               now[0] + 20,  # the second key signs; the first still verifies
               late_expires - 0.001, late_expires,
               now[0] - CLOCK_SKEW - 1]  # the clock went back: issued "in the future"
    tokens = [early, late, early[:-2] + ("AA" if not early.endswith("AA") else "BB")]
    seen = []
    for moment in moments:
        now[0] = moment
        if moment == moments[3]:
            tokens.append(issuer.issue(alice)[0])
            assert tokens[-1].split(".")[1] != early.split(".")[1]  # rotated
        for token in tokens:
            remembered = [_verdict(warm, token) for _ in range(2)]
            fresh = _verdict(Sessions(store, ttl, clock=lambda: now[0]), token)
            assert remembered == [fresh, fresh], (moment, token[-6:])
            seen.append(fresh)
    assert "111111111111 arn:a" in seen and "222222222222 arn:b" in seen
    assert any("has expired" in v for v in seen)
    assert any("validity is not one this tracker issues" in v for v in seen)
    assert any("signature does not match" in v for v in seen)
    store.close()


def test_a_token_verified_before_is_refused_from_the_instant_it_expires(
    tmp_path: Path,
) -> None:
    store = open_store(str(tmp_path / "feed.db"))
    now = [2_000_000.0]
    sessions = Sessions(store, 60.0, clock=lambda: now[0])
    token, expires = sessions.issue(Caller("111111111111", "arn:a"))
    for _ in range(3):
        assert sessions.verify(token).account == "111111111111"
    now[0] = expires - 0.001
    assert sessions.verify(token).account == "111111111111"
    now[0] = expires
    with pytest.raises(AuthenticationError, match="has expired"):
        sessions.verify(token)
    store.close()


def test_a_netrc_entry_for_the_tracker_does_not_replace_the_session_token(
    cloud: Cloud, make_service: Make, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password elsewhere\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    service = make_service(str(tmp_path / "feed.db"))
    client = TrackerClient(cloud.tenant, service.url)
    cloud.cloud.clear_requests()
    assert client.hooks() == [] and client.hooks() == []
    assert _proofs(cloud, cloud.tenant) == 1
