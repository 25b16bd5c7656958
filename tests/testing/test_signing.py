"""Every request is authenticated: SigV4 and SigV2, admin and forwarded services alike."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from euca_boto.testing import LocalCloud

Call = Callable[..., Any]
DESCRIBE = {"Action": "DescribeProperties", "Version": "eucalyptus", "Property.1": "dns.enabled"}
WRONG_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def tamper(body: bytes) -> bytes:
    return body.replace(b"dns.enabled", b"dns.enabler")


@pytest.mark.parametrize("signature", ["v4", "v2"])
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_correctly_signed_request_is_accepted(
    cloud: LocalCloud, admin: Call, signature: str, method: str
) -> None:
    reply = admin("properties", DESCRIBE, signature=signature, method=method)
    assert reply.status == 200
    assert "<euca:name>dns.enabled</euca:name>" in reply.text
    assert cloud.endpoint(0).requests[-1].access_key == cloud.access_key


@pytest.mark.parametrize("signature", ["v4", "v2"])
@pytest.mark.parametrize(
    ("case", "options", "message"),
    [
        ("wrong secret", {"secret_key": WRONG_SECRET}, "does not match"),
        ("unknown key", {"access_key": "AKIAUNKNOWNUNKNOWN00"}, "is not known"),
        ("tampered body", {"tamper": tamper}, "does not match"),
    ],
)
def test_a_bad_signature_is_a_403_pipeline_error(
    admin: Call, signature: str, case: str, options: dict[str, Any], message: str
) -> None:
    reply = admin("properties", DESCRIBE, signature=signature, **options)
    assert reply.status == 403, case
    assert reply.headers["content-type"] == "text/plain"
    assert reply.text.startswith(
        '<?xml version="1.0"?><Response><Errors><Error><Code>403 Forbidden</Code><Message>'
    )
    assert message in reply.text


def test_an_unsigned_request_is_a_403(admin: Call) -> None:
    reply = admin("properties", DESCRIBE, signature="none")
    assert reply.status == 403
    assert "<Message>The request is not signed</Message>" in reply.text


def test_the_sigv4_scope_region_and_service_are_not_checked(cloud: LocalCloud, raw: Call) -> None:
    request = AWSRequest(
        method="POST",
        url=cloud.service_url("euprop"),
        data=DESCRIBE,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    SigV4Auth(Credentials(cloud.access_key, cloud.secret_key), "anything", "elsewhere-1").add_auth(
        request
    )
    prepared = request.prepare()
    reply = raw("POST", prepared.url, prepared.body, dict(prepared.headers))
    assert reply.status == 200


def test_a_signature_over_the_root_path_is_accepted(cloud: LocalCloud) -> None:
    # The AWS Java SDK signs "/" whatever the path; Eucalyptus accepts that (§2.4).
    request = AWSRequest(
        method="POST",
        url=cloud.url + "/",
        data=DESCRIBE,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    SigV4Auth(Credentials(cloud.access_key, cloud.secret_key), "euprop", "eucalyptus").add_auth(
        request
    )
    prepared = request.prepare()
    http_request = urllib.request.Request(
        cloud.service_url("euprop"),
        data=prepared.body.encode(),
        headers=dict(prepared.headers),
        method="POST",
    )
    with urllib.request.urlopen(http_request, timeout=5) as response:
        assert response.status == 200
        assert b"<euca:name>dns.enabled</euca:name>" in response.read()


def aws_client(cloud: LocalCloud, service: str, key: str, secret: str, **config: Any) -> Any:
    return boto3.client(
        service,
        endpoint_url=cloud.service_url(service),
        region_name=cloud.region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(retries={"total_max_attempts": 1}, **config),
    )


@pytest.mark.parametrize(
    ("service", "call", "wrong_secret_code", "unknown_key_code"),
    [
        ("sts", lambda c: c.get_caller_identity(), "SignatureDoesNotMatch", "InvalidClientTokenId"),
        ("iam", lambda c: c.list_users(), "SignatureDoesNotMatch", "InvalidClientTokenId"),
        ("ec2", lambda c: c.describe_regions(), "AuthFailure", "AuthFailure"),
        ("s3", lambda c: c.list_buckets(), "SignatureDoesNotMatch", "InvalidAccessKeyId"),
    ],
)
def test_forwarded_services_refuse_bad_signatures_in_their_own_error_shape(
    cloud: LocalCloud,
    service: str,
    call: Callable[[Any], Any],
    wrong_secret_code: str,
    unknown_key_code: str,
) -> None:
    for key, secret, code in [
        (cloud.access_key, WRONG_SECRET, wrong_secret_code),
        ("AKIAUNKNOWNUNKNOWN00", cloud.secret_key, unknown_key_code),
    ]:
        with pytest.raises(ClientError) as caught:
            call(aws_client(cloud, service, key, secret))
        assert caught.value.response["Error"]["Code"] == code
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert [r.status for r in cloud.endpoint(0).requests] == [403, 403]


def test_an_unsigned_forwarded_request_is_refused(cloud: LocalCloud) -> None:
    ec2 = aws_client(cloud, "ec2", "unused", "unused", signature_version=UNSIGNED)
    with pytest.raises(ClientError) as caught:
        ec2.describe_regions()
    assert caught.value.response["Error"]["Code"] == "MissingAuthenticationToken"


def test_keys_issued_for_another_account_work_on_forwarded_services(cloud: LocalCloud) -> None:
    key, secret = cloud.add_credentials(account="acme")
    identity = aws_client(cloud, "sts", key, secret).get_caller_identity()
    assert identity["Account"]
    assert cloud.endpoint(0).requests[-1].access_key == key


def test_a_presigned_s3_url_is_accepted(cloud: LocalCloud) -> None:
    s3 = aws_client(cloud, "s3", cloud.access_key, cloud.secret_key)
    s3.create_bucket(Bucket="presigned-bucket")
    s3.put_object(Bucket="presigned-bucket", Key="greeting.txt", Body=b"hello")
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": "presigned-bucket", "Key": "greeting.txt"}
    )
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.read() == b"hello"
