"""The request log: what each endpoint received and how it answered."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from euca_boto.testing import LocalCloud, RequestRecord

Call = Callable[..., Any]


def test_a_record_holds_the_request_as_received(cloud: LocalCloud, admin: Call) -> None:
    before = time.time()
    admin(
        "properties",
        {
            "Action": "DescribeProperties",
            "Version": "eucalyptus",
            "Property.1": "dns.",
            "Property.2": "euca.",
        },
        1,
        signature="v2",
    )
    [record] = cloud.endpoint(1).requests
    assert isinstance(record, RequestRecord)
    assert (record.endpoint, record.method, record.path) == (1, "POST", "/services/Properties")
    assert (record.service, record.action, record.status) == (
        "properties",
        "DescribeProperties",
        200,
    )
    assert record.params["Property.2"] == "euca."
    assert record.params["SignatureVersion"] == "2"
    assert record.params["AWSAccessKeyId"] == cloud.access_key
    assert record.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert record.access_key == cloud.access_key
    assert record.fault is None
    assert before <= record.time <= time.time()


def test_sigv4_requests_keep_their_authorization_header(cloud: LocalCloud, admin: Call) -> None:
    admin("bootstrap", {"Action": "DescribeServices", "Version": "eucalyptus"}, method="GET")
    [record] = cloud.endpoint(0).requests
    assert record.method == "GET"
    assert record.params == {"Action": "DescribeServices", "Version": "eucalyptus"}
    assert record.headers["Authorization"].startswith(
        f"AWS4-HMAC-SHA256 Credential={cloud.access_key}/"
    )


def test_repeated_parameters_are_kept_as_a_list(cloud: LocalCloud, raw: Call) -> None:
    raw("GET", cloud.service_url("euprop") + "?Action=DescribeProperties&Tag=a&Tag=b")
    [record] = cloud.endpoint(0).requests
    assert record.params == {"Action": "DescribeProperties", "Tag": ["a", "b"]}
    assert record.status == 400  # no Version


def test_refused_requests_are_logged_with_their_status(cloud: LocalCloud, admin: Call) -> None:
    admin(
        "properties",
        {"Action": "DescribeProperties", "Version": "eucalyptus"},
        secret_key="not-the-secret",
    )
    [record] = cloud.endpoint(0).requests
    assert (record.status, record.access_key) == (403, None)


def test_the_cloud_log_concatenates_endpoints_and_can_be_cleared(
    cloud: LocalCloud, client: Callable[..., Any]
) -> None:
    client("sts", 2).get_caller_identity()
    client("ec2", 0).describe_regions()
    assert [(r.endpoint, r.service, r.action) for r in cloud.requests()] == [
        (0, "ec2", "DescribeRegions"),
        (2, "sts", "GetCallerIdentity"),
    ]
    cloud.endpoint(2).clear_requests()
    assert [r.endpoint for r in cloud.requests()] == [0]
    cloud.clear_requests()
    assert cloud.requests() == []


def test_records_serialise_to_json_ready_dicts(cloud: LocalCloud, admin: Call) -> None:
    admin("bootstrap", {"Action": "DescribeServices", "Version": "eucalyptus"})
    as_json = cloud.endpoint(0).requests[0].to_json()
    assert as_json["service"] == "bootstrap"
    assert as_json["status"] == 200
    assert set(as_json) == {
        "endpoint",
        "method",
        "path",
        "service",
        "action",
        "params",
        "headers",
        "status",
        "time",
        "fault",
        "access_key",
        "client_port",
    }
    assert isinstance(as_json["client_port"], int)
