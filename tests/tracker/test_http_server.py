"""The API's HTTP server under hostile clients: slow bodies and headers are timed out without
growing threads, sizes are limited, TLS works, and the OpenAPI document is served."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from ports import free_port

from euca_boto.tracker import Tracker, TrackerService
from euca_boto.tracker.api.server import Limits
from euca_boto.tracker.model import INSTANCE

# Every client here is 127.0.0.1: the per-client cap is the total's (admission has tests of its
# own, in tests/security).
LIMITS = Limits(header_timeout=1.0, request_timeout=1.0, idle_timeout=2.0, max_body=1024,
                max_connections_per_client=1000)


def _service(tmp_path: Path, **kwargs: object) -> TrackerService:
    tracker = Tracker(str(tmp_path / "feed.db"), [], resource_types=[INSTANCE])
    # The STS is never reached by these requests: they fail before authentication.
    return TrackerService(tracker, "http://127.0.0.1:9/", port=0, limits=LIMITS,
                          **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def service(tmp_path: Path) -> Iterator[TrackerService]:
    running = _service(tmp_path)
    yield running
    running.close()
    running.tracker.store.close()


def _slow_body_client(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"PUT /instances HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")
    return sock


def _read_all(sock: socket.socket) -> bytes:
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def test_a_body_that_never_arrives_gets_408_and_a_closed_connection(
    service: TrackerService
) -> None:
    sock = _slow_body_client(service.api.port)
    started = time.monotonic()
    answer = _read_all(sock)
    sock.close()
    assert time.monotonic() - started < 5
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b'"code":"RequestTimeout"' in answer


def test_300_slow_body_clients_do_not_grow_threads_and_are_all_closed(
    service: TrackerService
) -> None:
    threads_before = threading.active_count()
    clients = [_slow_body_client(service.api.port) for _ in range(300)]
    threads_during = threading.active_count()
    deadline = time.monotonic() + 15
    closed = 0
    for sock in clients:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            if _read_all(sock).startswith(b"HTTP/1.1 408 "):
                closed += 1
        except OSError:
            pass
        sock.close()
    assert closed == 300
    assert threads_during - threads_before <= 5  # no thread per connection
    deadline = time.monotonic() + 5
    while service.api.open_connections and time.monotonic() < deadline:
        time.sleep(0.05)
    assert service.api.open_connections == 0


def test_headers_that_never_complete_are_cut_off(service: TrackerService) -> None:
    sock = socket.create_connection(("127.0.0.1", service.api.port), timeout=10)
    sock.sendall(b"GET /hooks HTTP/1.1\r\nHost: x\r\n")
    started = time.monotonic()
    assert _read_all(sock) == b""
    assert time.monotonic() - started < 5
    sock.close()


def test_a_body_over_the_limit_gets_413_json(service: TrackerService) -> None:
    reply = requests.put(service.url + "/instances", data=b"x" * 2048, timeout=10)
    assert reply.status_code == 413
    assert reply.json()["error"]["code"] == "BodyTooLarge"


def test_the_openapi_document_describes_the_routes(service: TrackerService) -> None:
    spec = requests.get(service.url + "/openapi.json", timeout=10).json()
    assert spec["openapi"].startswith("3.")
    assert {"/health", "/hooks", "/changes", "/{collection}", "/{collection}/{id}"} <= set(
        spec["paths"])
    since = spec["paths"]["/changes"]["get"]["parameters"][0]
    assert since["schema"]["maximum"] == 2**63 - 1


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tracker.test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("tracker.test"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_tls_with_a_self_signed_certificate(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    running = _service(tmp_path, tls_cert=str(cert), tls_key=str(key))
    try:
        assert running.url.startswith("https://127.0.0.1:")
        health = requests.get(running.url + "/health", verify=str(cert), timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(running.url + "/health", timeout=10)  # not trusted by default
        plain = socket.create_connection(("127.0.0.1", running.api.port), timeout=5)
        plain.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert not _read_all(plain).startswith(b"HTTP/1.1 200")
        plain.close()
    finally:
        running.close()
        running.tracker.store.close()


def test_a_tls_tracker_stops_at_once_beside_a_client_that_keeps_its_connection_unread(
    tmp_path: Path
) -> None:
    # A keep-alive client that has its answer and reads no more never sends TLS's close_notify:
    # stopping the tracker must not wait for it, which took the whole shutdown grace.
    cert, key = _self_signed(tmp_path)
    grace = 10.0
    limits = Limits(header_timeout=1.0, request_timeout=1.0, idle_timeout=60.0,
                    shutdown_grace=grace)
    tracker = Tracker(str(tmp_path / "feed.db"), [], resource_types=[INSTANCE])
    running = TrackerService(tracker, "http://127.0.0.1:9/", port=0, limits=limits,
                             tls_cert=str(cert), tls_key=str(key))
    context = ssl.create_default_context(cafile=str(cert))
    raw = socket.create_connection(("127.0.0.1", running.api.port), timeout=10)
    client = context.wrap_socket(raw, server_hostname="127.0.0.1")
    try:
        client.sendall(b"GET /health HTTP/1.1\r\nHost: tracker.test\r\n\r\n")
        assert client.recv(65536).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        running.close()
        stopped = time.monotonic() - started
        assert stopped < grace / 2, f"stopping took {stopped:.1f} s of a {grace:g} s grace"
        assert running.api.open_connections == 0
    finally:
        client.close()
        running.close()
        tracker.store.close()


def test_close_finishes_and_frees_the_port(tmp_path: Path) -> None:
    running = _service(tmp_path)
    port = running.api.port
    assert requests.get(running.url + "/health", timeout=10).status_code == 200
    running.close()
    running.tracker.store.close()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/health", timeout=2)


def _answers(data: bytes) -> list[tuple[int, bytes]]:
    """The status and body of each answer in ``data`` (answers with a Content-Length)."""
    answers = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        answers.append((int(head[9:12]), rest[:length]))
        data = rest[length:]
    return answers


def test_requests_sent_before_the_answers_are_answered_in_order(
    service: TrackerService,
) -> None:
    sock = socket.create_connection(("127.0.0.1", service.api.port), timeout=10)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
                 b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n"
                 b"GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    answers = _answers(_read_all(sock))
    sock.close()
    assert [status for status, _ in answers] == [200, 200, 404]
    assert b'"status":"ok"' in answers[0][1] and b'"openapi"' in answers[1][1]


def test_a_client_that_expects_100_continue_gets_it_before_sending_its_body(
    service: TrackerService,
) -> None:
    sock = socket.create_connection(("127.0.0.1", service.api.port), timeout=10)
    sock.sendall(b"PUT /instances HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                 b"Expect: 100-continue\r\nConnection: close\r\n\r\n")
    assert sock.recv(65536).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
    sock.sendall(b"{}")
    answer = _read_all(sock)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 401 ")  # the body arrived; no caller identity


def test_an_idle_keep_alive_connection_is_closed_after_the_idle_timeout(
    service: TrackerService,
) -> None:
    sock = socket.create_connection(("127.0.0.1", service.api.port), timeout=10)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    first = sock.recv(65536)
    started = time.monotonic()
    rest = _read_all(sock)  # the server closes the idle connection
    sock.close()
    assert first.startswith(b"HTTP/1.1 200 ") and b"date: " in first.lower() and rest == b""
    assert LIMITS.idle_timeout - 0.5 < time.monotonic() - started < LIMITS.idle_timeout + 3


@pytest.mark.parametrize("request_head", [
    b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
    b"GET /health HTTP/1.0\r\n\r\n",
], ids=["upgrade", "http-1.0"])
def test_a_request_the_connection_ends_with_is_answered_then_closed(
    service: TrackerService, request_head: bytes,
) -> None:
    sock = socket.create_connection(("127.0.0.1", service.api.port), timeout=10)
    sock.sendall(request_head + b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    answers = _answers(_read_all(sock))
    sock.close()
    assert [status for status, _ in answers] == [200]


def test_an_answer_to_head_has_no_body(service: TrackerService) -> None:
    sock = socket.create_connection(("127.0.0.1", service.api.port), timeout=10)
    sock.sendall(b"HEAD /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n"
                 b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = _read_all(sock)
    sock.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 405 ")  # a method the API does not serve, said in JSON
    assert rest.startswith(b"HTTP/1.1 200 ")  # no body in between


def test_thousands_of_requests_sent_at_once_are_all_answered_in_order(
    service: TrackerService,
) -> None:
    sock = socket.create_connection(("127.0.0.1", service.api.port), timeout=30)
    count = 3000
    # The first on a worker thread; the others wait for it, then are answered by the event
    # loop itself (405).
    sock.sendall(b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"
                 + b"POST /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n" * (count - 2)
                 + b"GET /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    answers = _answers(_read_all(sock))
    sock.close()
    assert [status for status, _ in answers] == [404] + [405] * (count - 2) + [200]


def test_a_client_that_does_not_read_its_answers_is_not_read_either(
    service: TrackerService,
) -> None:
    hog = socket.create_connection(("127.0.0.1", service.api.port), timeout=10)
    request = (b"GET /openapi.json HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 4000 + b"\r\n\r\n")
    hog.settimeout(3)
    sent, blocked = 0, False
    try:
        for _ in range(20_000):  # 80 MB of requests, 150 MB of answers
            hog.sendall(request)
            sent += 1
    except TimeoutError:
        blocked = True  # the server stopped reading: its answers were not taken
    assert blocked, f"all {sent} requests were read"
    assert requests.get(service.url + "/health", timeout=10).status_code == 200
    hog.close()


def test_a_health_check_sent_while_the_tracker_starts_gets_its_whole_answer(
    tmp_path: Path,
) -> None:
    # An orchestrator asks /health as soon as the port takes connections, which may be before
    # the service has finished starting: its answer must be the whole one even then.
    answers: list[bytes] = []
    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can: any order shows
    try:
        for attempt in range(50):
            port = free_port()
            got: list[bytes] = []

            def ask(port: int = port, got: list[bytes] = got) -> None:
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    try:
                        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
                    except OSError:
                        continue  # not listening yet
                    with sock:
                        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n"
                                     b"Connection: close\r\n\r\n")
                        got.append(_read_all(sock))
                    return

            asker = threading.Thread(target=ask)
            asker.start()
            tracker = Tracker(str(tmp_path / f"feed-{attempt}.db"), [], resource_types=[INSTANCE])
            running = TrackerService(tracker, "http://127.0.0.1:9/", port=port, limits=LIMITS)
            asker.join(15)
            running.close()
            tracker.store.close()
            answers.append(got[0] if got else b"(no answer)")
    finally:
        sys.setswitchinterval(switching)
    assert [answer.split(b"\r\n", 1)[0] for answer in answers] == [b"HTTP/1.1 200 OK"] * 50
    assert all(b'"last_poll"' in answer and b'"requests_in_progress"' in answer
               for answer in answers)

