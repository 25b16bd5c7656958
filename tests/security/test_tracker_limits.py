"""The API's own limits hold against requests built to break them: an oversized header or
request head gets 431 however it arrives, JSON nested to exhaust the parser gets 400 with a code,
and no malformed request makes the tracker answer 5xx or anything but JSON."""

from __future__ import annotations

import base64
import json
import socket
import string
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tracker_attack_support import (  # noqa: F401 - make_service is a fixture
    body_of,
    exchange,
    make_service,
    proof,
    status_of,
)

from euca_boto.testing import LocalCloud
from euca_boto.tracker import TrackerService
from euca_boto.tracker.api.server import Limits
from euca_boto.tracker.identity import IDENTITY_HEADER

CLOSE = "Connection: close\r\n"


def _request(method: str, target: str, headers: str = "", body: bytes = b"") -> bytes:
    length = f"Content-Length: {len(body)}\r\n" if body else ""
    return (f"{method} {target} HTTP/1.1\r\nHost: tracker\r\n{headers}{length}{CLOSE}\r\n"
            .encode() + body)


def test_one_64_kib_header_gets_431(
    make_service: Callable[..., TrackerService],  # noqa: F811
) -> None:
    service = make_service()
    answer = exchange(service.api.port, _request("GET", "/health", f"X-Big: {'a' * 65536}\r\n"))
    assert status_of(answer) == 431, answer[:200]
    assert body_of(answer)["error"]["code"] == "HeaderFieldTooLarge"


def test_many_headers_each_within_its_limit_over_the_block_limit_get_431(
    make_service: Callable[..., TrackerService],  # noqa: F811
) -> None:
    service = make_service()
    headers = "".join(f"X-Part-{n}: {'b' * 2000}\r\n" for n in range(12))
    answer = exchange(service.api.port, _request("GET", "/health", headers))
    assert status_of(answer) == 431, answer[:200]
    assert body_of(answer)["error"]["code"] == "HeadersTooLarge"


def test_a_head_that_grows_past_the_limit_in_pieces_gets_431(
    make_service: Callable[..., TrackerService],  # noqa: F811
) -> None:
    service = make_service()
    with socket.create_connection(("127.0.0.1", service.api.port), timeout=10) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: tracker\r\nX-Slow: ")
        data = b""
        try:
            for _ in range(40):  # 40 KiB at most, the limit is 16
                sock.sendall(b"c" * 1024)
        except OSError:
            pass  # the server answered and closed
        while chunk := sock.recv(65536):
            data += chunk
    assert status_of(data) == 431, data[:200]
    assert body_of(data)["error"]["code"] == "HeadersTooLarge"


def test_a_malformed_request_gets_a_json_400(
    make_service: Callable[..., TrackerService],  # noqa: F811
) -> None:
    service = make_service()
    answer = exchange(service.api.port, b"GET /health HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n")
    assert status_of(answer) == 400
    assert body_of(answer)["error"]["code"] == "MalformedRequest"


def test_a_body_nested_100000_deep_gets_400_json_too_deep(
    cloud: LocalCloud, make_service: Callable[..., TrackerService],  # noqa: F811
) -> None:
    service = make_service(limits=Limits(max_body=1 << 20))
    body = b"[" * 100_000 + b"]" * 100_000
    identity = proof(cloud, "PUT", "/instances", body)
    answer = exchange(service.api.port, _request(
        "PUT", "/instances", f"{IDENTITY_HEADER}: {identity}\r\n", body))
    assert status_of(answer) == 400, answer[:300]
    assert body_of(answer)["error"]["code"] == "JsonTooDeep"


def test_an_identity_proof_nested_to_exhaust_the_parser_gets_401(
    make_service: Callable[..., TrackerService],  # noqa: F811
) -> None:
    service = make_service()
    deep = base64.urlsafe_b64encode(b"[" * 3000 + b"]" * 3000).decode()
    answer = exchange(service.api.port, _request(
        "GET", "/hooks", f"{IDENTITY_HEADER}: {deep}\r\n"))
    assert status_of(answer) == 401, answer[:300]


@pytest.mark.parametrize("body", [
    b'{"track_hook": "http://8.8.8.8/a", "track_hook": "http://127.0.0.1/"}',
    b'{"track_hook": ' * 40 + b'"x"' + b"}" * 40,
], ids=["repeated-key", "nested-objects"])
def test_an_ambiguous_or_nested_hook_body_is_refused_with_a_code(
    cloud: LocalCloud, make_service: Callable[..., TrackerService],  # noqa: F811
    body: bytes,
) -> None:
    service = make_service()
    identity = proof(cloud, "PUT", "/instances", body)
    answer = exchange(service.api.port, _request(
        "PUT", "/instances", f"{IDENTITY_HEADER}: {identity}\r\n", body))
    assert status_of(answer) == 400, answer[:300]
    assert body_of(answer)["error"]["code"] in ("DuplicateKey", "JsonTooDeep")


_token = st.text(string.ascii_letters + string.digits + "-_!#$%&'*+.^`|~", min_size=1,
                 max_size=30)
_value = st.one_of(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60),
    st.sampled_from(["a" * 9000, "Bearer " + "x" * 50, "ets1.0123456789abcdef.e30.AAAA",
                     "eyJob3N0IjogMX0", base64.b64encode(b"[" * 500).decode()]))
_header_names = st.one_of(_token, st.sampled_from(
    [IDENTITY_HEADER, "Authorization", "Content-Length", "Transfer-Encoding",
     "X-Euca-Tracker-Token", "Expect", "Connection"]))


@st.composite
def _raw_request(draw: st.DrawFn) -> bytes:
    method = draw(st.one_of(st.sampled_from(["GET", "PUT", "POST", "DELETE"]), _token))
    path = draw(st.sampled_from(["/health", "/hooks", "/changes", "/session", "/instances",
                                 "/instances/i-1", "/openapi.json", "/", "/%00", "/a/b/c"]))
    query = draw(st.text(string.ascii_letters + string.digits + "=&%+", max_size=30))
    headers = draw(st.lists(st.tuples(_header_names, _value), max_size=6))
    body = draw(st.one_of(
        st.just(b""), st.binary(max_size=80),
        st.sampled_from([b"[" * 5000, b'{"track_hook": {"a": [1, {"b": []}]}}',
                         json.dumps({"track_hook": "http://[2002:7f00:1::]/"}).encode()])))
    head = "".join(f"{name}: {value}\r\n" for name, value in headers
                   if name.lower() not in ("content-length", "connection"))
    target = path + ("?" + query if query else "")
    return _request(method, target, head, body)


def test_no_malformed_request_gets_a_5xx_or_a_non_json_answer(
    make_service: Callable[..., TrackerService],  # noqa: F811
) -> None:
    service = make_service()

    @settings(max_examples=120, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(_raw_request())
    def check(request: bytes) -> None:
        answer = exchange(service.api.port, request, timeout=30)
        status = status_of(answer)
        assert 200 <= status < 500, answer[:300]
        if status >= 400:
            assert b"content-type: application/json" in answer.lower(), answer[:300]
            assert body_of(answer)["error"]["code"]

    check()


def _chunked(target: str, trailers: bytes) -> bytes:
    return (f"PUT {target} HTTP/1.1\r\nHost: tracker\r\nTransfer-Encoding: chunked\r\n{CLOSE}\r\n"
            "2\r\n{}\r\n0\r\n").encode() + trailers


def test_a_trailer_after_a_chunked_body_is_not_read_as_a_header(
    make_service: Callable[..., TrackerService],  # noqa: F811
) -> None:
    service = make_service()
    answer = exchange(service.api.port, _chunked(
        "/instances", b"Authorization: Bearer ets1.0123456789abcdef.e30.AAAA\r\n\r\n"))
    assert status_of(answer) == 401, answer[:300]
    # No caller identity at all: the trailer's credential was not taken for one.
    assert f"missing {IDENTITY_HEADER} header" in body_of(answer)["error"]["message"]


def test_a_trailer_that_grows_in_pieces_is_cut_off_with_a_json_refusal(
    make_service: Callable[..., TrackerService],  # noqa: F811
) -> None:
    service = make_service(limits=Limits(max_body=1024))
    with socket.create_connection(("127.0.0.1", service.api.port), timeout=10) as sock:
        sock.sendall(_chunked("/instances", b"X-Slow: "))
        data = b""
        try:
            for _ in range(200):  # 200 KiB at most; the limits allow 18 KiB
                sock.sendall(b"c" * 1024)
        except OSError:
            pass  # the server answered and closed
        while chunk := sock.recv(65536):
            data += chunk
    assert status_of(data) in (413, 431), data[:200]
    assert body_of(data)["error"]["code"] in ("BodyTooLarge", "HeadersTooLarge")


def test_a_refused_request_is_refused_after_the_answers_to_those_before_it(
    make_service: Callable[..., TrackerService],  # noqa: F811
) -> None:
    service = make_service()
    answer = exchange(service.api.port, b"GET /health HTTP/1.1\r\nHost: tracker\r\n\r\n"
                      + _request("GET", "/health", f"X-Big: {'a' * 65536}\r\n"))
    first, _, rest = answer.partition(b"\r\n\r\n")
    assert status_of(first) == 200, answer[:300]
    second = rest[rest.index(b"HTTP/1.1 "):]
    assert status_of(second) == 431, answer[:300]
    assert body_of(second)["error"]["code"] == "HeaderFieldTooLarge"
