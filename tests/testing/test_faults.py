"""Every fault kind, as a plain boto3 client experiences it, and as DescribeServices reports it."""

from __future__ import annotations

import errno
import socket
import time
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from euca_boto.testing import LocalCloud

Client = Callable[..., Any]


def test_a_status_fault_answers_the_next_requests_with_retry_after(
    cloud: LocalCloud, client: Client
) -> None:
    sts = client("sts", 1)
    cloud.endpoint(1).fail(503, count=2, retry_after=7)
    for _ in range(2):
        with pytest.raises(ClientError) as caught:
            sts.get_caller_identity()
        response = caught.value.response
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 503
        assert response["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "7"
        assert response["Error"]["Code"] == "ServiceUnavailable"
    assert sts.get_caller_identity()["Account"]
    assert [(r.status, r.fault) for r in cloud.endpoint(1).requests] == [
        (503, "status"),
        (503, "status"),
        (200, None),
    ]


def test_retry_after_may_be_an_http_date(cloud: LocalCloud, client: Client) -> None:
    cloud.endpoint(0).fail(429, retry_after="Wed, 21 Oct 2026 07:28:00 GMT")
    with pytest.raises(ClientError) as caught:
        client("ec2").describe_regions()
    metadata = caught.value.response["ResponseMetadata"]
    assert metadata["HTTPStatusCode"] == 429
    assert metadata["HTTPHeaders"]["retry-after"] == "Wed, 21 Oct 2026 07:28:00 GMT"
    assert caught.value.response["Error"]["Code"] == "Throttling"


def test_a_status_fault_can_carry_its_own_body(cloud: LocalCloud, client: Client) -> None:
    cloud.endpoint(0).fail(
        500,
        body="<Response><Errors><Error><Code>Custom</Code><Message>m</Message></Error>"
        "</Errors><RequestID>r</RequestID></Response>",
    )
    with pytest.raises(ClientError) as caught:
        client("ec2").describe_regions()
    assert caught.value.response["Error"] == {"Code": "Custom", "Message": "m"}


def test_faults_on_one_endpoint_leave_the_others_alone(cloud: LocalCloud, client: Client) -> None:
    cloud.endpoint(2).fail(500, count=5)
    assert client("sts", 0).get_caller_identity()["Account"]
    assert client("sts", 1).get_caller_identity()["Account"]


def test_faults_apply_in_the_order_they_were_planned(cloud: LocalCloud, client: Client) -> None:
    endpoint = cloud.endpoint(0)
    endpoint.fail(500)
    endpoint.malformed()
    endpoint.fail(502)
    ec2 = client("ec2")
    outcomes = []
    for _ in range(4):
        try:
            ec2.describe_regions()
            outcomes.append("ok")
        except ClientError as exc:
            outcomes.append(str(exc.response["ResponseMetadata"]["HTTPStatusCode"]))
        except ResponseParserError:
            outcomes.append("malformed")
    assert outcomes == ["500", "malformed", "502", "ok"]


def test_latency_delays_every_answer_until_cleared(cloud: LocalCloud, client: Client) -> None:
    sts = client("sts")
    cloud.endpoint(0).latency(0.4)
    for _ in range(2):
        started = time.monotonic()
        sts.get_caller_identity()
        assert time.monotonic() - started >= 0.4
    cloud.endpoint(0).clear()
    started = time.monotonic()
    sts.get_caller_identity()
    assert time.monotonic() - started < 0.4


def test_latency_beyond_the_read_timeout_is_a_read_timeout(
    cloud: LocalCloud, client: Client
) -> None:
    cloud.endpoint(0).latency(1.0)
    with pytest.raises(ReadTimeoutError):
        client("sts", read_timeout=0.3).get_caller_identity()


def test_a_reset_drops_the_connection_without_an_answer(cloud: LocalCloud, client: Client) -> None:
    ec2 = client("ec2")
    cloud.endpoint(0).reset()
    with pytest.raises(ConnectionClosedError):
        ec2.describe_instances()
    assert ec2.describe_instances()["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert [(r.status, r.fault) for r in cloud.endpoint(0).requests] == [
        (None, "reset"),
        (200, None),
    ]


def test_a_reset_is_a_tcp_rst(cloud: LocalCloud) -> None:
    cloud.endpoint(0).reset()
    with socket.create_connection(("127.0.0.1", cloud.endpoint(0).port), timeout=2) as sock:
        sock.sendall(b"GET /services/Empyrean HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        with pytest.raises(ConnectionResetError):
            sock.recv(1024)


def test_a_stopped_endpoint_refuses_connections_until_started(
    cloud: LocalCloud, client: Client
) -> None:
    endpoint = cloud.endpoint(1)
    port = endpoint.port
    sts = client("sts", 1)
    sts.get_caller_identity()
    endpoint.stop()
    with pytest.raises(EndpointConnectionError):
        sts.get_caller_identity()
    endpoint.start()
    assert endpoint.port == port
    assert sts.get_caller_identity()["Account"]


def test_a_stopped_endpoint_keeps_its_port_so_it_starts_again_where_it_was(
    cloud: LocalCloud, client: Client
) -> None:
    # Other programs on the machine take free ports all the time (every outgoing connection
    # does); a port given up while stopped could be taken before start() binds it again.
    endpoint = cloud.endpoint(1)
    port = endpoint.port
    endpoint.stop()
    other = socket.socket()
    try:
        with pytest.raises(OSError) as caught:
            other.bind(("127.0.0.1", port))
        assert caught.value.errno == errno.EADDRINUSE
    finally:
        other.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    endpoint.start()
    assert endpoint.port == port
    assert client("sts", 1).get_caller_identity()["Account"]


def test_a_stopped_cloud_gives_its_ports_back() -> None:
    with LocalCloud(endpoints=2, aws=False) as cloud:
        ports = [endpoint.port for endpoint in cloud.endpoints]
        cloud.endpoint(0).stop()
    for port in ports:
        with socket.socket() as other:
            other.bind(("127.0.0.1", port))


def test_a_blackhole_never_answers_so_the_client_times_out(
    cloud: LocalCloud, client: Client
) -> None:
    cloud.endpoint(2).blackhole()
    started = time.monotonic()
    with pytest.raises(ReadTimeoutError):
        client("ec2", 2, read_timeout=0.5).describe_regions()
    assert time.monotonic() - started >= 0.5
    cloud.endpoint(2).clear()
    assert client("ec2", 2).describe_regions()["Regions"]


def test_a_malformed_answer_is_a_200_with_truncated_xml(cloud: LocalCloud, client: Client) -> None:
    cloud.endpoint(0).malformed()
    with pytest.raises(ResponseParserError) as caught:
        client("ec2").describe_regions()
    assert "invalid XML" in str(caught.value)
    assert [(r.status, r.fault) for r in cloud.endpoint(0).requests] == [(200, "malformed")]


def test_stop_returns_quickly_with_blackholed_requests_held_open() -> None:
    with LocalCloud(endpoints=1, partitions=1, aws=False) as small:
        small.endpoint(0).blackhole()
        sockets = []
        for _ in range(3):
            sock = socket.create_connection(("127.0.0.1", small.endpoint(0).port))
            sock.sendall(b"GET / HTTP/1.1\r\nHost: properties.x\r\n\r\n")
            sockets.append(sock)
        time.sleep(0.1)
        started = time.monotonic()
        small.stop()
        assert time.monotonic() - started < 1.5
    for sock in sockets:
        sock.settimeout(2)
        assert sock.recv(1024) == b""  # closed, never answered
        sock.close()


def test_fault_arguments_are_checked(cloud: LocalCloud) -> None:
    with pytest.raises(ValueError, match="HTTP status code"):
        cloud.endpoint(0).fail(99)
    with pytest.raises(ValueError, match="count must be >= 1"):
        cloud.endpoint(0).reset(0)
    with pytest.raises(ValueError, match="latency must be >= 0"):
        cloud.endpoint(0).latency(-1)


# Topology ------------------------------------------------------------------------------------


def states(
    cloud: LocalCloud, admin: Callable[..., Any], endpoint: int
) -> tuple[dict[str, str], int]:
    """The state of each endpoint's compute service, and the epoch, as ``endpoint`` reports."""
    reply = admin(
        "bootstrap",
        {
            "Action": "DescribeServices",
            "Version": "eucalyptus",
            "ListAll": "true",
            "ByServiceType": "compute",
        },
        endpoint,
    )
    assert reply.status == 200, reply.text
    ns = {"e": reply.text.split('xmlns:euca="', 1)[1].split('"', 1)[0]}
    items = ElementTree.fromstring(reply.body).findall("e:serviceStatuses/e:item", ns)
    epochs = {item.findtext("e:localEpoch", namespaces=ns) for item in items}
    assert len(epochs) == 1
    return (
        {
            item.findtext("e:serviceId/e:name", namespaces=ns) or "": item.findtext(
                "e:localState", namespaces=ns
            )
            or ""
            for item in items
        },
        int(epochs.pop() or 0),
    )


@pytest.mark.parametrize(
    ("fault", "state"),
    [
        (lambda e: e.stop(), "STOPPED"),
        (lambda e: e.blackhole(), "NOTREADY"),
        (lambda e: e.fail(503, count=3), "NOTREADY"),
    ],
    ids=["stopped", "blackholed", "failing"],
)
def test_a_faulted_endpoint_shows_in_describe_services_with_a_new_epoch(
    cloud: LocalCloud, admin: Callable[..., Any], fault: Callable[[Any], None], state: str
) -> None:
    before, epoch = states(cloud, admin, 0)
    assert set(before.values()) == {"ENABLED"}
    fault(cloud.endpoint(1))
    during, during_epoch = states(cloud, admin, 0)
    assert during == {"ufs0.compute": "ENABLED", "ufs1.compute": state, "ufs2.compute": "ENABLED"}
    assert during_epoch > epoch
    cloud.clear()
    after, after_epoch = states(cloud, admin, 2)
    assert set(after.values()) == {"ENABLED"}
    assert after_epoch > during_epoch


def test_an_endpoint_is_enabled_again_once_its_failures_are_used_up(
    cloud: LocalCloud, admin: Callable[..., Any], client: Client
) -> None:
    cloud.endpoint(1).fail(500)
    assert states(cloud, admin, 0)[0]["ufs1.compute"] == "NOTREADY"
    with pytest.raises(ClientError):
        client("sts", 1).get_caller_identity()
    assert states(cloud, admin, 0)[0]["ufs1.compute"] == "ENABLED"


def test_a_client_error_status_does_not_make_an_endpoint_notready(
    cloud: LocalCloud, admin: Callable[..., Any]
) -> None:
    cloud.endpoint(1).fail(429)
    assert states(cloud, admin, 0)[0]["ufs1.compute"] == "ENABLED"
