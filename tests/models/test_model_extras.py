"""The sdk-extras merged into botocore's iam, sts and ec2 models, on the wire."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from models_support import MODELS_DIR, CannedServer, ClientFactory, make_client

IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"


def query_reply(namespace: str, action: str, result: str | None) -> str:
    inner = f"<{action}Result>{result}</{action}Result>" if result is not None else ""
    return (
        f'<{action}Response xmlns="{namespace}">{inner}'
        f"<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></{action}Response>"
    )


def test_plain_session_iam_and_sts_have_no_eucalyptus_operations() -> None:
    session = botocore.session.Session()

    iam = session.get_service_model("iam")
    sts = session.get_service_model("sts")
    ec2 = session.get_service_model("ec2")

    assert "ListAccounts" not in iam.operation_names
    assert "DelegateAccount" not in iam.operation_model("ListUsers").input_shape.members
    assert "GetImpersonationToken" not in sts.operation_names
    assert "MigrateInstances" not in ec2.operation_names


def test_plain_session_iam_client_has_no_list_accounts(server: CannedServer) -> None:
    iam = make_client(botocore.session.Session(), "iam", server.url)

    assert not hasattr(iam, "list_accounts")


@pytest.mark.parametrize(
    ("service", "operation", "arguments", "reply", "wire", "path", "expected"),
    [
        pytest.param(
            "iam", "list_accounts", {},
            query_reply(
                IAM_NS,
                "ListAccounts",
                "<Accounts><member><AccountName>eucalyptus</AccountName>"
                "<AccountId>000000000001</AccountId></member><member><AccountName>acme"
                "</AccountName><AccountId>123456789012</AccountId></member></Accounts>",
            ),
            "Action=ListAccounts&Version=2010-05-08",
            ("Accounts",),
            [
                {"AccountName": "eucalyptus", "AccountId": "000000000001"},
                {"AccountName": "acme", "AccountId": "123456789012"},
            ],
            id="iam-list-accounts",
        ),
        pytest.param(
            "iam", "create_account", {"AccountName": "acme"},
            query_reply(
                IAM_NS,
                "CreateAccount",
                "<Account><AccountName>acme</AccountName><AccountId>123456789012</AccountId>"
                "</Account>",
            ),
            "Action=CreateAccount&Version=2010-05-08&AccountName=acme",
            ("Account",),
            {"AccountName": "acme", "AccountId": "123456789012"},
            id="iam-create-account",
        ),
        pytest.param(
            "sts", "get_impersonation_token", {"AccountAlias": "acme", "UserName": "bob"},
            query_reply(
                STS_NS,
                "GetImpersonationToken",
                "<Credentials><AccessKeyId>AKIAIMP</AccessKeyId>"
                "<SecretAccessKey>s</SecretAccessKey><SessionToken>imp</SessionToken>"
                "<Expiration>2026-11-26T12:00:00Z</Expiration></Credentials>",
            ),
            "Action=GetImpersonationToken&Version=2011-06-15&AccountAlias=acme&UserName=bob",
            ("Credentials", "AccessKeyId"),
            "AKIAIMP",
            id="sts-get-impersonation-token",
        ),
        pytest.param(
            "ec2", "migrate_instances",
            {"SourceHost": "10.0.0.5", "DestinationHosts": ["10.0.0.6", "10.0.0.7"],
             "AllowHosts": True},
            f'<MigrateInstancesResponseType xmlns="{EC2_NS}"><requestId>r-9</requestId>'
            "</MigrateInstancesResponseType>",
            "Action=MigrateInstances&Version=2016-11-15&SourceHost=10.0.0.5"
            "&DestinationHost.1=10.0.0.6&DestinationHost.2=10.0.0.7&AllowHosts=true",
            ("ResponseMetadata", "RequestId"),
            "r-9",
            id="ec2-migrate-instances",
        ),
    ],
)
def test_extra_operation_round_trip(
    server: CannedServer,
    client: ClientFactory,
    service: str,
    operation: str,
    arguments: dict[str, Any],
    reply: str,
    wire: str,
    path: tuple[str, ...],
    expected: Any,
) -> None:
    """The request goes on the wire as the model says; the answer parses into its shape."""
    server.reply(reply)

    parsed: Any = getattr(client(service), operation)(**arguments)

    assert server.last_body == wire
    for key in path:
        parsed = parsed[key]
    assert parsed == expected


def test_delegate_account_goes_on_the_wire_of_standard_actions(
    server: CannedServer, client: ClientFactory
) -> None:
    server.reply(query_reply(IAM_NS, "ListUsers", "<Users/><IsTruncated>false</IsTruncated>"))
    server.reply(query_reply(IAM_NS, "GetAccountSummary", "<SummaryMap/>"))
    iam = client("iam")

    iam.list_users(DelegateAccount="acme")
    iam.get_account_summary(DelegateAccount="123456789012")

    assert [r.body for r in server.requests] == [
        "Action=ListUsers&Version=2010-05-08&DelegateAccount=acme",
        "Action=GetAccountSummary&Version=2010-05-08&DelegateAccount=123456789012",
    ]


def test_every_documented_delegate_action_accepts_delegate_account() -> None:
    session = botocore.session.Session()
    session.get_component("data_loader").search_paths.insert(0, str(MODELS_DIR))
    iam = session.get_service_model("iam")
    without = {
        "CreateAccount",
        "DeleteAccount",
        "ListAccounts",
        "PutAccountPolicy",
        "GetAccountPolicy",
        "ListAccountPolicies",
        "DeleteAccountPolicy",
        "GetLdapSyncStatus",
        "DownloadServerCertificate",
    }

    accepting = {
        name
        for name in iam.operation_names
        if iam.operation_model(name).input_shape is not None
        and "DelegateAccount" in iam.operation_model(name).input_shape.members
    }

    assert len(accepting) == 87
    assert {"ListUsers", "GetUserInfo", "UpdateUserInfo", "CreateSigningCertificate",
            "DeleteServerCertificate", "GetServerCertificate", "ListServerCertificates",
            "UpdateServerCertificate", "UploadServerCertificate"} <= accepting
    assert not accepting & without


def test_get_user_show_extra_returns_enabled_and_password_expiration(
    server: CannedServer, client: ClientFactory
) -> None:
    server.reply(
        query_reply(
            IAM_NS,
            "GetUser",
            "<User><Path>/</Path><UserName>bob</UserName><UserId>AIDA1</UserId>"
            "<Arn>arn:aws:iam::123456789012:user/bob</Arn>"
            "<CreateDate>2026-11-01T10:00:00Z</CreateDate><Enabled>true</Enabled>"
            "<PasswordExpiration>2027-01-01T00:00:00Z</PasswordExpiration></User>",
        )
    )

    user = client("iam").get_user(UserName="bob", ShowExtra=True)["User"]

    assert server.last_body == "Action=GetUser&Version=2010-05-08&UserName=bob&ShowExtra=true"
    assert user["Enabled"] is True
    assert user["PasswordExpiration"] == "2027-01-01T00:00:00Z"


def test_update_user_enabled_and_password_expiration(
    server: CannedServer, client: ClientFactory
) -> None:
    server.reply(query_reply(IAM_NS, "UpdateUser", None))

    client("iam").update_user(
        UserName="bob", Enabled=False, PasswordExpiration="2027-01-01T00:00:00Z"
    )

    assert server.last_body == (
        "Action=UpdateUser&Version=2010-05-08&UserName=bob&Enabled=false"
        "&PasswordExpiration=2027-01-01T00%3A00%3A00Z"
    )


def test_list_account_policies_paginates_on_marker(
    server: CannedServer, client: ClientFactory
) -> None:
    server.reply(
        query_reply(
            IAM_NS,
            "ListAccountPolicies",
            "<PolicyNames><member>quota</member><member>deny-s3</member></PolicyNames>"
            "<IsTruncated>true</IsTruncated><Marker>m2</Marker>",
        )
    )
    server.reply(
        query_reply(
            IAM_NS,
            "ListAccountPolicies",
            "<PolicyNames><member>limits</member></PolicyNames><IsTruncated>false</IsTruncated>",
        )
    )
    paginator = client("iam").get_paginator("list_account_policies")

    names = list(
        paginator.paginate(AccountName="acme", PaginationConfig={"PageSize": 2}).search(
            "PolicyNames[]"
        )
    )

    assert names == ["quota", "deny-s3", "limits"]
    assert [r.body for r in server.requests] == [
        "Action=ListAccountPolicies&Version=2010-05-08&AccountName=acme&MaxItems=2",
        "Action=ListAccountPolicies&Version=2010-05-08&AccountName=acme&MaxItems=2&Marker=m2",
    ]


def test_sts_get_access_token(server: CannedServer, client: ClientFactory) -> None:
    server.reply(
        query_reply(
            STS_NS,
            "GetAccessToken",
            "<Credentials><AccessKeyId>AKIATEMP</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
            "<SessionToken>tok</SessionToken><Expiration>2026-11-26T12:00:00Z</Expiration>"
            "</Credentials>",
        )
    )

    parsed = client("sts").get_access_token(DurationSeconds=3600)

    assert server.last_body == "Action=GetAccessToken&Version=2011-06-15&DurationSeconds=3600"
    assert parsed["Credentials"]["AccessKeyId"] == "AKIATEMP"
    assert parsed["Credentials"]["SessionToken"] == "tok"
    assert parsed["Credentials"]["Expiration"].year == 2026


def test_ec2_run_instances_addressing_type(server: CannedServer, client: ClientFactory) -> None:
    server.reply(
        f'<RunInstancesResponse xmlns="{EC2_NS}"><requestId>r-1</requestId>'
        "<reservationId>r-abc</reservationId><instancesSet/></RunInstancesResponse>"
    )

    client("ec2").run_instances(
        ImageId="emi-12345678", MinCount=1, MaxCount=1, AddressingType="private"
    )

    assert "&AddressingType=private" in server.last_body
    assert server.last_body.startswith("Action=RunInstances&Version=2016-11-15&")


def test_ec2_import_instance_launch_specification_key_name(
    server: CannedServer, client: ClientFactory
) -> None:
    server.reply(
        f'<ImportInstanceResponse xmlns="{EC2_NS}"><requestId>r-2</requestId>'
        "</ImportInstanceResponse>"
    )

    client("ec2").import_instance(Platform="Linux", LaunchSpecification={"KeyName": "ops-key"})

    assert server.last_body == (
        "Action=ImportInstance&Version=2016-11-15&Platform=Linux"
        "&LaunchSpecification.KeyName=ops-key"
    )
