"""Hooks may reach only global addresses (SSRF): refused at registration and again at delivery,
after DNS resolution, redirects never followed; the operator's allowlist re-enables targets."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from tracker_support import Cloud, Receiver

from euca_boto.tracker import Deliverer, Tracker, TrackerAPIError, TrackerClient, TrackerService
from euca_boto.tracker.delivery import HttpSender
from euca_boto.tracker.destinations import DestinationPolicy
from euca_boto.tracker.model import INSTANCE
from euca_boto.tracker.store import open_store

TOKEN = "destination-token-0123456789"


@pytest.fixture
def strict_service(cloud: Cloud, store_url: str) -> Iterator[TrackerService]:
    """A tracker with no allowlist, as it runs by default."""
    tracker = Tracker(store_url, [cloud.admin], resource_types=[INSTANCE])
    running = TrackerService(tracker, cloud.cloud.service_url("sts"), port=0)
    yield running
    running.close()
    tracker.store.close()


@pytest.mark.parametrize("url, reason", [
    ("http://169.254.169.254/latest/meta-data/", "link-local, 169.254.0.0/16"),
    ("http://127.0.0.1:5432/", "loopback, 127.0.0.0/8"),
    ("http://[::1]:6379/", "loopback, ::1/128"),
    ("http://localhost:8780/hook", "loopback"),
    ("http://10.1.2.3/hook", "private, 10.0.0.0/8"),
    ("http://192.168.0.1/hook", "private, 192.168.0.0/16"),
    ("http://[fd00::1]/hook", "unique local, fc00::/7"),
    ("http://224.0.0.1/hook", "multicast, 224.0.0.0/4"),
    ("http://0.0.0.0:80/hook", "this network, 0.0.0.0/8"),
    ("http://[::ffff:127.0.0.1]/hook", "carries 127.0.0.1, loopback"),
    ("http://[fe80::1]/hook", "link-local, fe80::/10"),
], ids=["metadata", "postgres", "redis-v6", "localhost", "10/8", "192.168/16", "ula",
        "multicast", "unspecified", "v4-mapped", "link-local-v6"])
def test_a_hook_on_an_internal_address_is_refused_at_registration(
    cloud: Cloud, strict_service: TrackerService, url: str, reason: str
) -> None:
    with pytest.raises(TrackerAPIError) as caught:
        TrackerClient(cloud.admin, strict_service.url).track_all("instance", url)
    assert (caught.value.status, caught.value.code) == (400, "ForbiddenDestination")
    assert "is not a global address" in caught.value.message
    assert reason in caught.value.message
    assert "euca_tracker_hook_allow" in caught.value.message
    assert TrackerClient(cloud.admin, strict_service.url).hooks() == []


def test_a_name_that_does_not_resolve_is_refused(
    cloud: Cloud, strict_service: TrackerService
) -> None:
    with pytest.raises(TrackerAPIError) as caught:
        TrackerClient(cloud.admin, strict_service.url).track_all(
            "instance", "http://no-such-host.invalid/hook")
    assert caught.value.code == "ForbiddenDestination"
    assert "does not resolve" in caught.value.message


def test_the_allowlist_admits_a_network_or_a_host_name() -> None:
    policy = DestinationPolicy(["127.0.0.0/8", "hooks.internal"],
                               resolver=lambda host, port: ["10.9.9.9"])
    assert policy.check("http://hooks.internal:9000/h") == "10.9.9.9"
    with pytest.raises(ValueError, match=r"is not a global address \(private, 10.0.0.0/8\)"):
        policy.check("http://other.internal/h")
    assert DestinationPolicy(["127.0.0.0/8"]).check("http://127.0.0.5:1/h") == "127.0.0.5"


def test_a_name_rebound_to_loopback_after_registration_is_refused_at_delivery(
    store_url: str, receiver: Receiver
) -> None:
    # Registered while the name pointed at a public address; now it resolves to the receiver.
    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    store = open_store(store_url)
    store.apply("acct", INSTANCE, {"i-1": "pending"}, 1.0)
    hook = store.put_hook("acct", INSTANCE, "", f"http://hooks.example:{port}/hook", TOKEN)
    store.apply("acct", INSTANCE, {"i-1": "running"}, 2.0)
    rebound = DestinationPolicy(resolver=lambda host, port: ["127.0.0.1"])
    deliverer = Deliverer(store, sender=HttpSender(destinations=rebound), sleep=lambda s: None)
    assert deliverer.deliver() == 0
    assert receiver.attempts == 0
    failed = store.get_hook(hook.id)
    assert failed is not None and "hooks.example (127.0.0.1) is not a global address (loopback" in (
        failed.last_error or "")
    store.close()


def test_delivery_connects_to_the_address_that_was_checked(
    store_url: str, receiver: Receiver
) -> None:
    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    store = open_store(store_url)
    store.apply("acct", INSTANCE, {"i-1": "pending"}, 1.0)
    store.put_hook("acct", INSTANCE, "", f"http://hooks.example:{port}/hook", TOKEN)
    store.apply("acct", INSTANCE, {"i-1": "running"}, 2.0)
    allowed = DestinationPolicy(["hooks.example"], resolver=lambda host, port: ["127.0.0.1"])
    assert Deliverer(store, sender=HttpSender(destinations=allowed)).deliver() == 1
    [delivery] = receiver.wait_for(1)
    assert delivery.headers["Host"] == f"hooks.example:{port}"
    store.close()


@pytest.fixture
def redirector(receiver: Receiver) -> Iterator[str]:
    """A hook receiver on 127.0.0.1 that answers every POST with a redirect to ``receiver``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(307)
            self.send_header("Location", receiver.url.replace("127.0.0.1", "[::1]"))
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_a_redirect_is_not_followed(store_url: str, receiver: Receiver, redirector: str) -> None:
    store = open_store(store_url)
    store.apply("acct", INSTANCE, {"i-1": "pending"}, 1.0)
    hook = store.put_hook("acct", INSTANCE, "", redirector, TOKEN)
    store.apply("acct", INSTANCE, {"i-1": "running"}, 2.0)
    deliverer = Deliverer(store, hook_allow=("127.0.0.1",), sleep=lambda s: None)
    assert deliverer.deliver() == 0
    assert receiver.attempts == 0
    failed = store.get_hook(hook.id)
    assert failed is not None and "HTTP 307" in (failed.last_error or "")
    store.close()


@pytest.fixture
def proxy() -> Iterator[list[str]]:
    """A stand-in HTTP proxy on 127.0.0.1 that records every request it is sent."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            seen.append(self.path)
            self.send_response(502)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_CONNECT = do_POST

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    seen.append(f"http://127.0.0.1:{server.server_address[1]}")
    yield seen
    server.shutdown()
    server.server_close()


def test_a_delivery_takes_neither_the_environments_proxy_nor_netrc(
    store_url: str, receiver: Receiver, proxy: list[str], tmp_path: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A proxy would connect to a name it resolves itself, not to the address the policy
    # checked; a ~/.netrc password would reach the hook's target as an Authorization header.
    proxy_url = proxy.pop()
    monkeypatch.setenv("HTTP_PROXY", proxy_url)
    monkeypatch.setenv("http_proxy", proxy_url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    netrc = tmp_path / ".netrc"
    netrc.write_text("machine hooks.example login operator password netrc-secret\n"
                     "machine 127.0.0.1 login operator password netrc-secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    store = open_store(store_url)
    store.apply("acct", INSTANCE, {"i-1": "pending"}, 1.0)
    store.put_hook("acct", INSTANCE, "", f"http://hooks.example:{port}/hook", TOKEN)
    store.apply("acct", INSTANCE, {"i-1": "running"}, 2.0)
    allowed = DestinationPolicy(["hooks.example"], resolver=lambda host, port: ["127.0.0.1"])
    assert Deliverer(store, sender=HttpSender(destinations=allowed)).deliver() == 1
    [delivery] = receiver.wait_for(1)
    assert proxy == []
    assert "Authorization" not in delivery.headers
    store.close()
