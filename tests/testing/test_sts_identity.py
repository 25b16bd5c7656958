"""LocalCloud's STS names the principal of the key that signed, for every kind of key, and
refuses signatures older than 15 minutes as AWS does."""

from __future__ import annotations

import datetime
import json
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from botocore.config import Config

import euca_boto
from euca_boto.testing import LocalCloud
from euca_boto.tracker.identity import STS_BODY, sign_v4


def _client(cloud: LocalCloud, service: str, creds: dict[str, str]) -> Any:
    """A client with the plugin (Eucalyptus' IAM and STS actions) signed with ``creds``."""
    session = euca_boto.session(
        region_name=cloud.region, aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds.get("SessionToken"))
    return session.client(service, endpoint_url=cloud.service_url(service),
                          config=Config(retries={"total_max_attempts": 1}))


def _keys(pair: tuple[str, str]) -> dict[str, str]:
    return {"AccessKeyId": pair[0], "SecretAccessKey": pair[1]}


def _account_id(cloud: LocalCloud, name: str) -> str:
    admin = _keys((cloud.access_key, cloud.secret_key))
    accounts = _client(cloud, "iam", admin).list_accounts()["Accounts"]
    return str(next(a["AccountId"] for a in accounts if a["AccountName"] == name))


def test_keys_of_two_accounts_made_with_add_credentials_name_their_own_account(
    cloud: LocalCloud
) -> None:
    initech = _keys(cloud.add_credentials(account="initech"))
    hooli = _keys(cloud.add_credentials(account="hooli"))
    mine = _client(cloud, "sts", initech).get_caller_identity()
    theirs = _client(cloud, "sts", hooli).get_caller_identity()
    assert mine["Account"] == _account_id(cloud, "initech")
    assert theirs["Account"] == _account_id(cloud, "hooli")
    assert mine["Account"] != theirs["Account"]
    assert mine["Arn"] == f"arn:aws:iam::{mine['Account']}:user/admin"
    assert mine["UserId"] != theirs["UserId"]
    assert _client(cloud, "sts", initech).get_caller_identity()["UserId"] == mine["UserId"]


def test_the_administrators_keys_name_the_eucalyptus_account(cloud: LocalCloud) -> None:
    admin = _keys((cloud.access_key, cloud.secret_key))
    identity = _client(cloud, "sts", admin).get_caller_identity()
    assert identity["Account"] == _account_id(cloud, "eucalyptus")
    assert identity["Arn"] == f"arn:aws:iam::{identity['Account']}:user/admin"


def test_an_assumed_role_names_the_role_and_its_account(cloud: LocalCloud) -> None:
    vandelay = _keys(cloud.add_credentials(account="vandelay"))
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]})
    role = _client(cloud, "iam", vandelay).create_role(
        RoleName="importer", AssumeRolePolicyDocument=trust)["Role"]
    assumed = _client(cloud, "sts", vandelay).assume_role(
        RoleArn=role["Arn"], RoleSessionName="night")
    identity = _client(cloud, "sts", assumed["Credentials"]).get_caller_identity()
    assert identity["Account"] == _account_id(cloud, "vandelay")
    assert identity["Arn"] == assumed["AssumedRoleUser"]["Arn"]
    assert identity["Arn"].endswith(":assumed-role/importer/night")
    assert identity["UserId"] == assumed["AssumedRoleUser"]["AssumedRoleId"]


def test_impersonation_and_access_tokens_name_the_user_they_act_as(cloud: LocalCloud) -> None:
    wonka = _keys(cloud.add_credentials(account="wonka"))
    _client(cloud, "iam", wonka).create_user(UserName="charlie")
    admin = _keys((cloud.access_key, cloud.secret_key))
    token = _client(cloud, "sts", admin).get_impersonation_token(
        AccountAlias="wonka", UserName="charlie")["Credentials"]
    identity = _client(cloud, "sts", token).get_caller_identity()
    wonka_id = _account_id(cloud, "wonka")
    assert identity["Account"] == wonka_id
    assert identity["Arn"] == f"arn:aws:iam::{wonka_id}:user/charlie"
    user_id = _client(cloud, "iam", wonka).get_user(UserName="charlie")["User"]["UserId"]
    assert identity["UserId"] == user_id

    access = _client(cloud, "sts", wonka).get_access_token()
    by_access = _client(cloud, "sts", access["Credentials"]).get_caller_identity()
    assert (by_access["Account"], by_access["Arn"]) == (
        wonka_id, f"arn:aws:iam::{wonka_id}:user/admin")


def _signed_at(cloud: LocalCloud, minutes_ago: float) -> requests.Response:
    url = cloud.service_url("sts")
    host = url.split("/")[2]
    path = "/" + url.split("/", 3)[3]
    credentials = SimpleNamespace(access_key=cloud.access_key, secret_key=cloud.secret_key,
                                  token=None)
    when = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=minutes_ago)
    headers = sign_v4(credentials, host, path, "", cloud.region, when)
    return requests.post(url, data=STS_BODY, timeout=10, headers={
        **headers, "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})


@pytest.mark.parametrize("minutes_ago, message", [
    (16, "Signature expired"), (60 * 48, "Signature expired"),
    (-16, "Signature not yet current"),
])
def test_sts_refuses_a_signature_older_than_15_minutes(
    cloud: LocalCloud, minutes_ago: float, message: str
) -> None:
    reply = _signed_at(cloud, minutes_ago)
    assert reply.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in reply.text
    assert message in reply.text and "15 min." in reply.text


def test_sts_accepts_a_signature_within_15_minutes(cloud: LocalCloud) -> None:
    reply = _signed_at(cloud, 14)
    assert reply.status_code == 200 and "<Account>" in reply.text
