"""IAM actions the server takes more parameters on than AWS's model has: DelegateAccount on the
ServerCertificate actions and IsRecursive on DeleteUser/DeleteGroup, through boto3, inside a
caller context and through the AWS CLI; LocalCloud acts on them as the server does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

import euca_boto
from euca_boto.testing import LocalCloud
from euca_boto.testing.certificates import der_to_pem, service_certificate

AWS = str(Path(sys.executable).with_name("aws"))


def _last(cloud: LocalCloud, action: str) -> Any:
    return [r for r in cloud.endpoint(0).requests if r.action == action][-1]


def _names(listing: dict[str, Any]) -> list[str]:
    return [c["ServerCertificateName"] for c in listing["ServerCertificateMetadataList"]]


def _pem() -> str:
    return der_to_pem(service_certificate("iam-test"))


def test_server_certificates_act_in_the_delegated_account(session: Any,
                                                          cloud: LocalCloud) -> None:
    iam = session().client("iam")
    name = f"cert-{uuid.uuid4().hex[:8]}"
    iam.upload_server_certificate(ServerCertificateName=name, CertificateBody=_pem(),
                                  PrivateKey="unused", DelegateAccount="acme")
    assert _last(cloud, "UploadServerCertificate").params["DelegateAccount"] == "acme"
    assert name in _names(iam.list_server_certificates(DelegateAccount="acme"))
    assert name not in _names(iam.list_server_certificates())  # not the admin's own
    got = iam.get_server_certificate(ServerCertificateName=name, DelegateAccount="acme")
    assert got["ServerCertificate"]["ServerCertificateMetadata"]["ServerCertificateName"] == name
    # (UpdateServerCertificate takes DelegateAccount too; moto, behind LocalCloud, does not
    # implement it, so it is checked in the model tests.)
    iam.delete_server_certificate(ServerCertificateName=name, DelegateAccount="acme")
    assert name not in _names(iam.list_server_certificates(DelegateAccount="acme"))


def test_a_caller_context_reaches_the_server_certificate_actions(session: Any,
                                                                 cloud: LocalCloud) -> None:
    iam = session().client("iam")
    name = f"cert-{uuid.uuid4().hex[:8]}"
    with euca_boto.caller_context(delegate_account="globex"):
        iam.upload_server_certificate(ServerCertificateName=name, CertificateBody=_pem(),
                                      PrivateKey="unused")
        listed = _names(iam.list_server_certificates())
    assert name in listed
    assert _last(cloud, "ListServerCertificates").params["DelegateAccount"] == "globex"
    assert name not in _names(iam.list_server_certificates())


def test_delete_user_refuses_a_user_with_keys_unless_recursive(session: Any,
                                                               cloud: LocalCloud) -> None:
    iam = session().client("iam")
    user = f"u-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=user, DelegateAccount="acme")
    iam.create_access_key(UserName=user, DelegateAccount="acme")
    iam.put_user_policy(UserName=user, PolicyName="p", DelegateAccount="acme",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                            {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}))
    with pytest.raises(ClientError) as raised:
        iam.delete_user(UserName=user, DelegateAccount="acme")
    assert raised.value.response["Error"]["Code"] == "DeleteConflict"
    iam.delete_user(UserName=user, IsRecursive=True, DelegateAccount="acme")
    assert _last(cloud, "DeleteUser").params["IsRecursive"] == "true"
    with pytest.raises(ClientError) as gone:
        iam.get_user(UserName=user, DelegateAccount="acme")
    assert gone.value.response["Error"]["Code"] == "NoSuchEntity"


def test_delete_group_with_members_needs_is_recursive(session: Any) -> None:
    iam = session().client("iam")
    group, user = f"g-{uuid.uuid4().hex[:8]}", f"u-{uuid.uuid4().hex[:8]}"
    iam.create_group(GroupName=group)
    iam.create_user(UserName=user)
    iam.add_user_to_group(GroupName=group, UserName=user)
    with pytest.raises(ClientError) as raised:
        iam.delete_group(GroupName=group)
    assert raised.value.response["Error"]["Code"] == "DeleteConflict"
    iam.delete_group(GroupName=group, IsRecursive=True)
    assert iam.list_groups_for_user(UserName=user)["Groups"] == []
    iam.delete_user(UserName=user)


@pytest.fixture
def cli_env(aws_files: Callable[[str], Path]) -> dict[str, str]:
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.write_text(config.read_text() + "\n[plugins]\neuca = euca_boto.awscli_plugin\n")
    return {**os.environ, "AWS_PROFILE": "localcloud", "AWS_PAGER": ""}


def aws(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AWS, *args], capture_output=True, text=True, timeout=120, env=env)


def test_the_cli_takes_delegate_account_and_is_recursive(session: Any, cloud: LocalCloud,
                                                         cli_env: dict[str, str]) -> None:
    iam = session().client("iam")
    name, user = f"cert-{uuid.uuid4().hex[:8]}", f"u-{uuid.uuid4().hex[:8]}"
    iam.upload_server_certificate(ServerCertificateName=name, CertificateBody=_pem(),
                                  PrivateKey="unused", DelegateAccount="acme")
    listed = aws(cli_env, "iam", "list-server-certificates", "--delegate-account", "acme")
    assert listed.returncode == 0, listed.stderr
    assert name in _names(json.loads(listed.stdout))

    iam.create_user(UserName=user)
    iam.create_access_key(UserName=user)
    deleted = aws(cli_env, "iam", "delete-user", "--user-name", user, "--is-recursive")
    assert deleted.returncode == 0, deleted.stderr
    assert _last(cloud, "DeleteUser").params["IsRecursive"] == "true"
