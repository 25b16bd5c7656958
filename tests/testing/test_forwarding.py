"""EC2, IAM, STS and S3 through LocalCloud's endpoints, answered by moto."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from euca_boto.testing import LocalCloud

Client = Callable[..., Any]


def test_ec2_instances_run_on_one_endpoint_are_seen_on_another(
    cloud: LocalCloud, client: Client
) -> None:
    reservation = client("ec2", 0).run_instances(ImageId="ami-12345678", MinCount=2, MaxCount=2)
    started = {i["InstanceId"] for i in reservation["Instances"]}
    described = client("ec2", 2).describe_instances(InstanceIds=sorted(started))
    seen = {i["InstanceId"] for r in described["Reservations"] for i in r["Instances"]}
    assert seen == started
    assert [(r.action, r.status) for r in cloud.endpoint(0).requests] == [("RunInstances", 200)]


def test_iam_users_are_created(client: Client) -> None:
    iam = client("iam", 1)
    user = iam.create_user(UserName="alice-forwarded")["User"]
    assert user["UserName"] == "alice-forwarded"
    assert "alice-forwarded" in [u["UserName"] for u in iam.list_users()["Users"]]


def test_sts_answers_the_caller_identity(client: Client) -> None:
    identity = client("sts", 2).get_caller_identity()
    assert identity["Account"].isdigit()
    assert identity["Arn"].startswith("arn:aws:")


def test_s3_objects_round_trip_path_style(cloud: LocalCloud, client: Client) -> None:
    s3 = client("s3", 1)
    s3.create_bucket(Bucket="forwarding-bucket")
    s3.put_object(Bucket="forwarding-bucket", Key="dir/with space.txt", Body=b"payload")
    got = s3.get_object(Bucket="forwarding-bucket", Key="dir/with space.txt")
    assert got["Body"].read() == b"payload"
    assert (
        s3.head_object(Bucket="forwarding-bucket", Key="dir/with space.txt")["ContentLength"] == 7
    )
    assert [(r.method, r.path, r.action) for r in cloud.endpoint(1).requests] == [
        ("PUT", "/services/objectstorage/forwarding-bucket", "CreateBucket"),
        ("PUT", "/services/objectstorage/forwarding-bucket/dir/with%20space.txt", "PutObject"),
        ("GET", "/services/objectstorage/forwarding-bucket/dir/with%20space.txt", "GetObject"),
        ("HEAD", "/services/objectstorage/forwarding-bucket/dir/with%20space.txt", "HeadObject"),
    ]


def test_moto_errors_are_relayed_unchanged(client: Client) -> None:
    with pytest.raises(ClientError) as caught:
        client("s3").get_object(Bucket="no-such-bucket-here", Key="k")
    assert caught.value.response["Error"]["Code"] == "NoSuchBucket"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_the_legacy_eucalyptus_path_reaches_ec2(cloud: LocalCloud) -> None:
    ec2 = boto3.client(
        "ec2",
        endpoint_url=cloud.url + "/services/Eucalyptus",
        region_name=cloud.region,
        aws_access_key_id=cloud.access_key,
        aws_secret_access_key=cloud.secret_key,
    )
    assert ec2.describe_regions()["Regions"]
    assert cloud.endpoint(0).requests[-1].service == "ec2"


def test_host_routing_reaches_forwarded_services(
    cloud: LocalCloud, raw: Callable[..., Any]
) -> None:
    # A request to "/" for Host sts.<domain>, signed for that host, as DNS-based clients send it.
    host = f"sts.{cloud.dns_domain}:{cloud.endpoint(0).port}"
    request = AWSRequest(
        method="POST",
        url=f"http://{host}/",
        data={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
        headers={"Content-Type": "application/x-www-form-urlencoded", "Host": host},
    )
    SigV4Auth(Credentials(cloud.access_key, cloud.secret_key), "sts", cloud.region).add_auth(
        request
    )
    prepared = request.prepare()
    reply = raw("POST", cloud.url + "/", prepared.body, dict(prepared.headers))
    assert reply.status == 200
    assert b"<GetCallerIdentityResult>" in reply.body


def test_without_aws_forwarded_services_answer_503(signed: Callable[..., Any]) -> None:
    with LocalCloud(endpoints=1, partitions=1, aws=False) as small:
        reply = signed(
            small.service_url("ec2"),
            {"Action": "DescribeRegions"},
            access_key=small.access_key,
            secret_key=small.secret_key,
        )
        assert reply.status == 503
        assert "<Code>503 Service Unavailable</Code>" in reply.text
        assert "started with aws=False" in reply.text
        ec2 = boto3.client(
            "ec2",
            endpoint_url=small.service_url("ec2"),
            region_name="eucalyptus",
            aws_access_key_id=small.access_key,
            aws_secret_access_key=small.secret_key,
            config=Config(retries={"total_max_attempts": 1}),
        )
        with pytest.raises(ClientError) as caught:
            ec2.describe_regions()
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
