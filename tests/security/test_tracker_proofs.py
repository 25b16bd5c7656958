"""An identity proof is verified as it is sent: whatever an attacker does to a proof's headers
(re-spacing, a second spelling of a name, a second time), the tracker checks exactly what STS
receives, and a used or stale proof stays refused."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
import requests
from tracker_attack_support import (  # noqa: F401 - make_service is a fixture
    body_of,
    decode,
    encode,
    encode_pairs,
    exchange,
    make_service,
    proof,
    status_of,
)

from euca_boto.testing import LocalCloud
from euca_boto.tracker import TrackerService
from euca_boto.tracker.identity import IDENTITY_HEADER

TARGET = "/changes?since=0"


def _get(service: TrackerService, value: str) -> requests.Response:
    return requests.get(service.url + TARGET, headers={IDENTITY_HEADER: value}, timeout=30)


def _sts_calls(cloud: LocalCloud) -> int:
    return sum(1 for r in cloud.requests() if r.service == "sts")


def test_a_used_proof_with_its_authorization_respaced_is_still_a_replay(
    cloud: LocalCloud, make_service: Callable[..., TrackerService],  # noqa: F811
) -> None:
    service = make_service()
    honest = proof(cloud, "GET", TARGET)
    assert _get(service, honest).status_code == 200
    document = decode(honest)
    authorization = document["headers"]["Authorization"]
    assert ", " in authorization
    document["headers"]["Authorization"] = authorization.replace(", ", ",")
    cloud.clear_requests()
    replay = _get(service, encode(document))
    assert replay.status_code == 401, replay.text
    assert "already used (a replay)" in replay.json()["error"]["message"]
    assert _sts_calls(cloud) == 0


def test_a_used_proof_behind_a_junk_lower_case_authorization_is_refused(
    cloud: LocalCloud, make_service: Callable[..., TrackerService],  # noqa: F811
) -> None:
    service = make_service()
    honest = proof(cloud, "GET", TARGET)
    assert _get(service, honest).status_code == 200
    document = decode(honest)
    smuggled = encode_pairs(document, [("authorization", "AWS4-HMAC-SHA256 junk"),
                                       *document["headers"].items()])
    cloud.clear_requests()
    reply = _get(service, smuggled)
    assert reply.status_code == 401, reply.text
    message = reply.json()["error"]["message"]
    assert "Authorization" in message and "more than once" in message
    assert _sts_calls(cloud) == 0


def test_a_stale_proof_behind_a_fresh_lower_case_date_is_refused(
    cloud: LocalCloud, make_service: Callable[..., TrackerService],  # noqa: F811
) -> None:
    service = make_service()
    stale = decode(proof(cloud, "GET", TARGET, minutes_ago=10))
    fresh = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    headers = [("x-amz-date", fresh),
               *((k, v) for k, v in stale["headers"].items() if k != "X-Amz-Date"),
               ("X-Amz-Date", stale["headers"]["X-Amz-Date"])]
    cloud.clear_requests()
    reply = _get(service, encode_pairs(stale, headers))
    assert reply.status_code == 401, reply.text
    assert "X-Amz-Date" in reply.json()["error"]["message"]
    assert _sts_calls(cloud) == 0


def test_a_stale_proof_with_its_date_alone_is_refused_without_asking_sts(
    cloud: LocalCloud, make_service: Callable[..., TrackerService],  # noqa: F811
) -> None:
    service = make_service()
    cloud.clear_requests()
    reply = _get(service, proof(cloud, "GET", TARGET, minutes_ago=10))
    assert reply.status_code == 401
    assert "within 5 minutes" in reply.json()["error"]["message"]
    assert _sts_calls(cloud) == 0


@pytest.mark.parametrize("change, message", [
    (lambda d: d["headers"].update({"X-Forwarded-For": "1.2.3.4"}),
     "X-Forwarded-For is not a signature header"),
    (lambda d: d.update(query=d["query"] + "&Action=GetAccessKeyInfo"),
     "the signed query may hold only"),
    (lambda d: d.update(query=d["query"] + "&" + d["query"].split("&")[0]),
     "more than once"),
    (lambda d: d["headers"].update(
        Authorization=d["headers"]["Authorization"].replace("SignedHeaders=",
                                                            "SignedHeaders=x;")),
     "SignedHeaders"),
    (lambda d: d["headers"].update(
        Authorization=d["headers"]["Authorization"] + ", Signature=" + "0" * 64),
     "Signature is given more than once"),
    (lambda d: d["headers"].update(
        Authorization=d["headers"]["Authorization"].replace("AWS4-HMAC-SHA256", "AWS4-X")),
     "AWS4-HMAC-SHA256"),
    (lambda d: d.update(host="sts.example\r\nX-Injected: 1"), "host"),
], ids=["unknown-header", "extra-action", "repeated-parameter", "unsigned-signed-header",
        "two-signatures", "other-algorithm", "header-injection-in-host"])
def test_a_proof_that_is_not_exactly_a_signed_caller_identity_request_is_refused(
    cloud: LocalCloud, make_service: Callable[..., TrackerService],  # noqa: F811
    change: Callable[[dict[str, object]], None], message: str,
) -> None:
    service = make_service()
    document = decode(proof(cloud, "GET", TARGET))
    change(document)
    cloud.clear_requests()
    reply = _get(service, encode(document))
    assert reply.status_code == 401, reply.text
    assert message in reply.json()["error"]["message"]
    assert _sts_calls(cloud) == 0


def test_sts_receives_the_proof_in_its_canonical_form(
    cloud: LocalCloud, make_service: Callable[..., TrackerService],  # noqa: F811
) -> None:
    service = make_service()
    document = decode(proof(cloud, "GET", TARGET))
    headers = document["headers"]
    document["headers"] = {"x-amz-date": headers["X-Amz-Date"],
                           "AUTHORIZATION": headers["Authorization"].replace(", ", " ,  ")}
    cloud.clear_requests()
    assert _get(service, encode(document)).status_code == 200
    [call] = [r for r in cloud.requests() if r.service == "sts"]
    received = {k.lower(): v for k, v in call.headers.items()}
    assert received["authorization"] == headers["Authorization"]
    assert received["x-amz-date"] == headers["X-Amz-Date"]


@pytest.mark.parametrize("names", [
    (IDENTITY_HEADER, IDENTITY_HEADER.lower()), ("Authorization", "authorization"),
], ids=["identity-twice", "authorization-twice"])
def test_a_request_carrying_an_identity_header_twice_is_refused(
    cloud: LocalCloud, make_service: Callable[..., TrackerService],  # noqa: F811
    names: tuple[str, str],
) -> None:
    service = make_service()
    used = proof(cloud, "GET", TARGET)
    assert _get(service, used).status_code == 200
    values = (used, proof(cloud, "GET", TARGET))
    if names[0] == "Authorization":
        values = ("Bearer junk", "Bearer junk")
    lines = "".join(f"{name}: {value}\r\n" for name, value in zip(names, values, strict=True))
    request = (f"GET {TARGET} HTTP/1.1\r\nHost: tracker\r\n{lines}Connection: close\r\n\r\n")
    answer = exchange(service.api.port, request.encode())
    assert status_of(answer) == 401, answer[:300]
    assert "more than once" in body_of(answer)["error"]["message"]


def test_a_proof_signed_for_another_tracker_opens_no_session_at_one_that_knows_its_name(
    cloud: LocalCloud, make_service: Callable[..., TrackerService],  # noqa: F811
) -> None:
    # Tracker A collects the proofs its callers send it, and replays them to tracker B.
    service = make_service(audience="tracker-b.example:8780")
    collected = proof(cloud, "POST", "/session", audience="tracker-a.example:8780")
    cloud.clear_requests()
    reply = requests.post(service.url + "/session", headers={IDENTITY_HEADER: collected},
                          timeout=30)
    assert reply.status_code == 401, reply.text
    assert "meant for tracker 'tracker-a.example:8780'" in reply.json()["error"]["message"]
    assert _sts_calls(cloud) == 0
    honest = proof(cloud, "POST", "/session", audience="Tracker-B.example:8780")
    assert requests.post(service.url + "/session", headers={IDENTITY_HEADER: honest},
                         timeout=30).status_code == 200
