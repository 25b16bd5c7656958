"""Redaction: known secrets go through every operation that carries them, over real sockets,
and no wire-log line contains any of them; plus the redactor on texts no call here produces."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

import boto3
import pytest

import euca_boto
from euca_boto.core.redact import REDACTED, Redactor, SecretProperties, redact_authorization
from euca_boto.testing import LocalCloud

Records = Callable[[], list[logging.LogRecord]]

LOGIN_PASSWORD = "Known-Login-Passw0rd!"
NEW_PASSWORD = "Known-New-Passw0rd!"
PROPERTY_SECRET = "known-s3-provider-secret"


def _signatures(cloud: LocalCloud) -> list[str]:
    signatures = []
    for record in cloud.requests():
        match = re.search(r"Signature=([0-9a-f]{64})", record.headers.get("Authorization", ""))
        if match:
            signatures.append(match.group(1))
    return signatures


def test_no_secret_reaches_the_log(session: Any, wire: Records, cloud: LocalCloud) -> None:
    made = session(euca_wire_log="all")
    iam, sts, ec2, euprop = (made.client(n) for n in ("iam", "sts", "ec2", "euprop"))
    secrets: list[str] = [cloud.secret_key, LOGIN_PASSWORD, NEW_PASSWORD, PROPERTY_SECRET]

    iam.create_user(UserName="redaction-user")
    iam.create_login_profile(UserName="redaction-user", Password=LOGIN_PASSWORD)
    iam.update_login_profile(UserName="redaction-user", Password=NEW_PASSWORD)
    key = iam.create_access_key(UserName="redaction-user")["AccessKey"]
    secrets.append(key["SecretAccessKey"])
    session_creds = sts.get_session_token()["Credentials"]
    secrets += [session_creds["SecretAccessKey"], session_creds["SessionToken"]]
    role = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/redaction",
                           RoleSessionName="redaction")["Credentials"]
    secrets += [role["SecretAccessKey"], role["SessionToken"]]
    material = ec2.create_key_pair(KeyName="redaction-key")["KeyMaterial"]
    secrets += [line for line in material.splitlines() if len(line) > 40][:3]
    euprop.modify_property_value(Name="objectstorage.s3provider.s3secretkey",
                                 Value=PROPERTY_SECRET)
    euprop.describe_properties(Properties=["objectstorage.s3provider"])
    # A call signed with temporary credentials carries X-Amz-Security-Token.
    with euca_boto.caller_context(role_arn="arn:aws:iam::123456789012:role/token-header"):
        iam.list_users()
    token_call = [r for r in cloud.requests() if r.action == "ListUsers"][-1]
    secrets.append(token_call.headers["X-Amz-Security-Token"])
    secrets += _signatures(cloud)

    text = "\n".join(r.getMessage() for r in wire())
    operations = {r.euca_operation for r in wire()}  # type: ignore[attr-defined]
    assert {"CreateLoginProfile", "UpdateLoginProfile", "CreateAccessKey", "GetSessionToken",
            "AssumeRole", "CreateKeyPair", "ModifyPropertyValue", "DescribeProperties",
            "ListUsers"} <= operations
    assert len(secrets) > 12
    leaked = [secret for secret in secrets if secret in text]
    assert leaked == []
    assert f"Password={REDACTED}" in text
    assert f"<SecretAccessKey>{REDACTED}</SecretAccessKey>" in text
    assert f"<SessionToken>{REDACTED}</SessionToken>" in text
    assert f"<keyMaterial>{REDACTED}</keyMaterial>" in text
    assert f"Name=objectstorage.s3provider.s3secretkey&Value={REDACTED}" in text
    assert f"X-Amz-Security-Token: {REDACTED}" in text
    assert f"Credential={cloud.access_key}/" in text
    assert f"Signature={REDACTED}" in text


def test_a_presigned_url_keeps_its_credential_and_loses_its_signature(
    session: Any, cloud: LocalCloud
) -> None:
    s3 = session().client("s3")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})
    signature = re.search(r"X-Amz-Signature=([0-9a-f]+)", url)
    assert signature is not None

    redacted = Redactor().url(url)

    assert signature.group(1) not in redacted
    assert f"X-Amz-Signature={REDACTED}" in redacted
    assert f"X-Amz-Credential={cloud.access_key}/" in redacted


def test_a_presigned_url_with_a_session_token_loses_the_token() -> None:
    client = boto3.session.Session(
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="known-secret",
        aws_session_token="known-session-token", region_name="eucalyptus",
    ).client("s3", endpoint_url="http://127.0.0.1:1")
    url = client.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})

    redacted = Redactor().url(url)

    assert "known-session-token" not in redacted
    assert "known-secret" not in redacted


def test_sigv2_signatures_in_a_form_body_are_removed() -> None:
    body = ("Action=DescribeServices&AWSAccessKeyId=AKIDEXAMPLE&SignatureMethod=HmacSHA256"
            "&SignatureVersion=2&Signature=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D&Version=eucalyptus")

    redacted = Redactor().body(body, "application/x-www-form-urlencoded")

    assert "c2VjcmV0LXNpZ25hdHVyZQ" not in redacted
    assert "AWSAccessKeyId=AKIDEXAMPLE" in redacted
    assert f"Signature={REDACTED}" in redacted


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("AWS4-HMAC-SHA256 Credential=AKID/20260101/eucalyptus/ec2/aws4_request, "
         "SignedHeaders=host;x-amz-date, Signature=" + "ab" * 32,
         "AWS4-HMAC-SHA256 Credential=AKID/20260101/eucalyptus/ec2/aws4_request, "
         f"SignedHeaders=host;x-amz-date, Signature={REDACTED}"),
        ("AWS AKID:c2lnbmF0dXJl", f"AWS AKID:{REDACTED}"),
        ("Basic YWxpY2VAYWNtZTpwYXNzd29yZA==", f"Basic {REDACTED}"),
    ],
)
def test_authorization_keeps_who_and_drops_the_secret(header: str, expected: str) -> None:
    assert redact_authorization(header) == expected


def test_json_bodies_lose_secret_fields_at_any_depth() -> None:
    body = json.dumps({"Credentials": {"AccessKeyId": "ASIAEXAMPLE",
                                       "SecretAccessKey": "known-secret",
                                       "SessionToken": "known-token"},
                       "Items": [{"Password": "known-password", "Name": "x"}]})

    redacted = json.loads(Redactor().body(body, "application/x-amz-json-1.1"))

    assert redacted["Credentials"] == {"AccessKeyId": "ASIAEXAMPLE",
                                       "SecretAccessKey": REDACTED, "SessionToken": REDACTED}
    assert redacted["Items"] == [{"Password": REDACTED, "Name": "x"}]


def test_a_cut_json_body_still_loses_its_secrets() -> None:
    body = '{"SecretAccessKey": "known-secret", "Token": "known-token", "Next'

    redacted = Redactor().body(body, "application/json")

    assert "known-secret" not in redacted and "known-token" not in redacted


def test_a_property_marked_secret_by_its_description_is_hidden_in_later_requests() -> None:
    redactor = Redactor(SecretProperties())
    described = (
        "<euca:DescribePropertiesResponseType><euca:properties><euca:item>"
        "<euca:name>cloud.ldap.bind</euca:name><euca:value>known-bind-value</euca:value>"
        "<euca:description>LDAP bind password</euca:description></euca:item><euca:item>"
        "<euca:name>dns.enabled</euca:name><euca:value>true</euca:value>"
        "<euca:description>Enable DNS</euca:description></euca:item>"
        "</euca:properties></euca:DescribePropertiesResponseType>"
    )

    shown = redactor.body(described, "text/xml")
    request = redactor.body("Action=ModifyPropertyValue&Name=cloud.ldap.bind&Value=known-new",
                           "application/x-www-form-urlencoded")
    answer = redactor.body(
        "<euca:ModifyPropertyValueResponseType><euca:name>cloud.ldap.bind</euca:name>"
        "<euca:value>known-new</euca:value><euca:oldValue>known-bind-value</euca:oldValue>"
        "</euca:ModifyPropertyValueResponseType>", "text/xml")

    assert "known-bind-value" not in shown
    assert "<euca:value>true</euca:value>" in shown
    assert "known-new" not in request
    assert "known-new" not in answer and "known-bind-value" not in answer
