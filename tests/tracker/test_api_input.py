"""Hostile and unusual input to the tracker API: every answer is JSON with an error code, tokens
travel outside URLs and stay out of logs, and a failing poll is one log line."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from ports import free_port
from tracker_support import LOCAL, Cloud, Receiver

from euca_boto.tracker import Tracker, TrackerClient, TrackerService
from euca_boto.tracker.api.controller import TOKEN_HEADER
from euca_boto.tracker.identity import IDENTITY_HEADER, make_proof
from euca_boto.tracker.model import INSTANCE

SECRET_TOKEN = "s3cret-token-must-not-be-logged"


@pytest.fixture
def service(cloud: Cloud, store_url: str) -> Iterator[TrackerService]:
    tracker = Tracker(store_url, [cloud.admin], resource_types=[INSTANCE])
    running = TrackerService(tracker, cloud.cloud.service_url("sts"), port=0, hook_allow=LOCAL)
    yield running
    running.close()
    tracker.store.close()


def _signed(cloud: Cloud, service: TrackerService, method: str, target: str,
            body: bytes = b"", headers: dict[str, str] | None = None) -> requests.Response:
    credentials = cloud.admin.get_credentials().get_frozen_credentials()
    proof = make_proof(credentials, cloud.cloud.service_url("sts"), "eucalyptus",
                       method, target, body)
    return requests.request(method, service.url + target, data=body or None, timeout=10,
                            headers={IDENTITY_HEADER: proof, **(headers or {})})


# The values a fuzzer found: each once dropped the connection without an HTTP answer, or was
# read as a number although it is not one in ASCII decimal.
@pytest.mark.parametrize("query, message", [
    ("since=99999999999999999999", "since=99999999999999999999 is out of range"),
    ("since=%C2%B2", "since='²' is not a cursor"),
    ("since=%D9%A1%D9%A2", "since='١٢' is not a cursor"),
    ("since=-1", "since='-1' is not a cursor"),
    ("since=%2B5", "since='+5' is not a cursor"),
    ("since=%205", "since=' 5' is not a cursor"),
    ("limit=99999999999999999999", "limit=99999999999999999999 is out of range"),
    ("limit=%C2%B2", "limit='²' is not a decimal integer"),
    ("limit=%D9%A1%D9%A2", "limit='١٢' is not a decimal integer"),
    ("limit=10001", "limit=10001 is out of range"),
    ("since=%FF", "is not a cursor"),
], ids=["since-huge", "since-superscript", "since-arabic-indic", "since-negative",
        "since-plus", "since-space", "limit-huge", "limit-superscript", "limit-arabic-indic",
        "limit-over-page", "since-not-utf8"])
def test_a_malformed_cursor_or_limit_gets_400_json_naming_it(
    cloud: Cloud, service: TrackerService, query: str, message: str
) -> None:
    reply = _signed(cloud, service, "GET", f"/changes?{query}")
    assert reply.status_code == 400
    assert reply.headers["Content-Type"].startswith("application/json")
    assert reply.json()["error"]["code"] == "InvalidRequest"
    assert message in reply.json()["error"]["message"]


def test_the_largest_cursor_is_accepted(cloud: Cloud, service: TrackerService) -> None:
    reply = _signed(cloud, service, "GET", f"/changes?since={2**63 - 1}")
    assert reply.status_code == 200 and reply.json()["changes"] == []


def test_the_token_travels_in_a_json_body_or_a_header(
    cloud: Cloud, service: TrackerService, receiver: Receiver
) -> None:
    body = f'{{"track_hook": "{receiver.url}", "track_token": "{SECRET_TOKEN}"}}'.encode()
    in_body = _signed(cloud, service, "PUT", "/instances", body)
    assert in_body.status_code == 200 and in_body.json()["token"] == SECRET_TOKEN
    other = "another-token-0123456789"
    in_header = _signed(cloud, service, "PUT", "/volumes",
                        f'{{"track_hook": "{receiver.url}"}}'.encode(), {TOKEN_HEADER: other})
    assert in_header.status_code == 200 and in_header.json()["token"] == other


def test_a_field_given_two_ways_or_a_bad_body_is_400(
    cloud: Cloud, service: TrackerService, receiver: Receiver
) -> None:
    twice = _signed(cloud, service, "PUT", f"/instances?track_hook={receiver.url}",
                    f'{{"track_hook": "{receiver.url}"}}'.encode())
    assert twice.status_code == 400
    assert "track_hook is given more than once" in twice.json()["error"]["message"]
    for body, message in [(b"{not json", "not JSON"), (b"[1]", "must be a JSON object"),
                          (b'{"track_hook": 5}', "must be a string"),
                          (b'{"hook": "x"}', "unknown fields in the request body: hook")]:
        reply = _signed(cloud, service, "PUT", "/instances", body)
        assert reply.status_code == 400, body
        assert message in reply.json()["error"]["message"]


def test_the_client_sends_no_token_in_the_url_and_nothing_logs_it(
    cloud: Cloud, service: TrackerService, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sent: list[str] = []
    client = TrackerClient(cloud.admin, service.url)
    client._http.hooks["response"].append(lambda r, *a, **k: sent.append(r.request.url))
    client.track_all("instance", receiver.url, token=SECRET_TOKEN)
    # A query-string token (older clients) is accepted, and still not logged.
    reply = _signed(cloud, service, "PUT",
                    f"/volumes?track_hook={receiver.url}&track_token={SECRET_TOKEN}")
    assert reply.status_code == 200
    assert sent and all(SECRET_TOKEN not in url for url in sent)
    # The server's side of the log (this test's own raw request is logged by urllib3).
    server_side = [r for r in caplog.records if r.name.startswith("euca_boto")]
    assert all(SECRET_TOKEN not in r.getMessage() for r in server_side)


def test_a_failing_poll_is_one_log_line_with_its_cause(tmp_path: Path, refused_port: int) -> None:
    # A profile whose cloud does not answer: every poll fails to learn the account.
    dead = refused_port
    config = tmp_path / "config"
    config.write_text(f"[profile dead]\nregion = eucalyptus\neuca_endpoint = "
                      f"http://127.0.0.1:{dead}/\neuca_retry_max_attempts = 1\n")
    (tmp_path / "credentials").write_text(
        "[dead]\naws_access_key_id = AKIADEAD\naws_secret_access_key = dead-secret\n")
    env = {**os.environ, "AWS_CONFIG_FILE": str(config),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials")}
    log = tmp_path / "tracker.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "euca_boto.cli", "tracker", "serve", "--profile", "dead",
         "--listen", f"127.0.0.1:{free_port()}", "--store", str(tmp_path / "feed.db"),
         "--interval", "0.2"],
        env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while log.read_text().count("poll failed:") < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    output = log.read_text()
    failures = [line for line in output.splitlines() if "poll failed:" in line]
    assert len(failures) >= 2, output
    assert "Traceback" not in output
    assert all("EndpointConnectionError" in line and f"127.0.0.1:{dead}" in line
               for line in failures), failures
