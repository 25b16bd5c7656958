"""Real boto3 calls with secrets, over a socket to moto's server, with the wire log on: no
secret reaches the wire log, nor (with botocore's DEBUG logging on) botocore's and urllib3's
own log records.

The secrets are those an attacker reading the logs would want: Secrets Manager's secret
values, SSM's decrypted SecureString, KMS's plaintext, a web identity token and the
credentials STS answers with, an IAM password, and the call's own credentials: the secret
key, the session token and each request's signature.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from awsenv import AwsEnv
from botocore.config import Config
from botocore.exceptions import ClientError

import euca_boto
from euca_boto.core.redact import REDACTED

SECRET_KEY = "Caller-Secret-Key-kept-out-of-logs"
SESSION_TOKEN = "Caller-Session-Token-kept-out-of-logs"
SECRET_STRING = "SecretsManager-String-kept-out"
SECRET_BINARY = b"SecretsManager-Binary-kept-out"
NEXT_STRING = "SecretsManager-Next-String-kept-out"
PARAMETER = "SSM-SecureString-kept-out"
PLAINTEXT = b"KMS-Plaintext-kept-out-of-logs"
WEB_TOKEN = "Web-Identity-Token-kept-out-of-logs"
PASSWORD = "IAM-Login-Passw0rd-kept-out!"
LOGGERS = ("botocore", "urllib3", "euca_boto")


class Calls:
    """The calls, and every secret they carried or got back."""

    def __init__(self, moto_url: str, **settings: Any) -> None:
        self.session = euca_boto.session(
            aws_access_key_id="AKIAREDACTIONTEST", aws_secret_access_key=SECRET_KEY,
            aws_session_token=SESSION_TOKEN, region_name="us-east-1", **settings)
        self.url = moto_url
        self.name = f"redaction-{uuid.uuid4().hex[:12]}"  # moto's state is the module's
        self.secrets: list[str] = [SECRET_KEY, SESSION_TOKEN, SECRET_STRING, NEXT_STRING,
                                   PARAMETER, WEB_TOKEN, PASSWORD]
        for raw in (SECRET_BINARY, PLAINTEXT):
            self.secrets += [raw.decode(), base64.b64encode(raw).decode()]

    def client(self, service: str) -> Any:
        client = self.session.client(service, endpoint_url=self.url)
        client.meta.events.register("before-send", self._note_signature)
        return client

    def _note_signature(self, request: Any, **kwargs: Any) -> None:
        # The signature of each request is a credential for a quarter of an hour (a
        # request that needs none, such as AssumeRoleWithWebIdentity, is not signed).
        found = re.search(r"Signature=([0-9a-f]{64})", str(request.headers.get("Authorization")))
        if found is not None:
            self.secrets.append(found.group(1))

    def make(self) -> set[str]:
        """Make every call; the operations called."""
        secrets = self.client("secretsmanager")
        secrets.create_secret(Name=self.name, SecretString=SECRET_STRING)
        secrets.put_secret_value(SecretId=self.name, SecretBinary=SECRET_BINARY)
        assert secrets.get_secret_value(SecretId=self.name)["SecretBinary"] == (
            SECRET_BINARY)
        assert secrets.get_secret_value(SecretId=self.name, VersionStage="AWSPREVIOUS")[
            "SecretString"] == SECRET_STRING
        secrets.put_secret_value(SecretId=self.name, SecretString=NEXT_STRING)
        assert secrets.get_secret_value(SecretId=self.name)["SecretString"] == (
            NEXT_STRING)

        ssm = self.client("ssm")
        ssm.put_parameter(Name=f"/{self.name}", Value=PARAMETER, Type="SecureString")
        answer = ssm.get_parameter(Name=f"/{self.name}", WithDecryption=True)
        assert answer["Parameter"]["Value"] == PARAMETER

        kms = self.client("kms")
        key = kms.create_key()["KeyMetadata"]["KeyId"]
        blob = kms.encrypt(KeyId=key, Plaintext=PLAINTEXT)["CiphertextBlob"]
        assert kms.decrypt(CiphertextBlob=blob)["Plaintext"] == PLAINTEXT

        credentials = self.client("sts").assume_role_with_web_identity(
            RoleArn="arn:aws:iam::123456789012:role/redaction", RoleSessionName="redaction",
            WebIdentityToken=WEB_TOKEN)["Credentials"]
        self.secrets += [credentials["SecretAccessKey"], credentials["SessionToken"]]

        iam = self.client("iam")
        iam.create_user(UserName=self.name)
        iam.create_login_profile(UserName=self.name, Password=PASSWORD)
        return {"CreateSecret", "PutSecretValue", "GetSecretValue", "PutParameter",
                "GetParameter", "Encrypt", "Decrypt", "AssumeRoleWithWebIdentity",
                "CreateLoginProfile"}

    def leaked(self, text: str) -> list[str]:
        return [secret for secret in self.secrets if secret in text]


@pytest.fixture
def calls(aws_env: AwsEnv, moto_url: str) -> Callable[..., Calls]:
    return lambda **settings: Calls(moto_url, **settings)


def messages(caplog: pytest.LogCaptureFixture, prefix: str) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(prefix))


def test_the_wire_log_shows_no_secret_of_real_calls(
    calls: Callable[..., Calls], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="euca_boto.wire")
    made = calls(euca_wire_log="all")

    operations = made.make()

    logged = {r.euca_operation for r in caplog.records  # type: ignore[attr-defined]
              if r.name.startswith("euca_boto.wire.")}
    assert operations <= logged
    text = messages(caplog, "euca_boto.wire.")
    assert len(made.secrets) > 15
    assert made.leaked(text) == []
    assert f'"SecretString":"{REDACTED}"' in text
    assert f'"Plaintext":"{REDACTED}"' in text
    assert f"WebIdentityToken={REDACTED}" in text


def test_botocore_debug_logging_shows_no_secret_while_the_wire_log_is_on(
    calls: Callable[..., Calls], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    made = calls(euca_wire_log="all")

    made.make()

    text = "\n".join(messages(caplog, name) for name in LOGGERS)
    assert made.leaked(text) == []
    # The records that held them are there, redacted.
    botocore = messages(caplog, "botocore.")
    for shown in ("Making request for OperationModel(name=CreateSecret)", "Response body:",
                  "Sending http request:", "CanonicalRequest:", f"Signature:\n{REDACTED}",
                  f"x-amz-security-token:{REDACTED}"):
        assert shown in botocore
    assert '"POST / HTTP/1.1" 200' in messages(caplog, "urllib3.")


@pytest.mark.parametrize(("settings", "redacted"), [
    ({}, False),  # no wire log: botocore's logging is botocore's business
    ({"euca_redact_botocore_logs": "true"}, True),
    ({"euca_wire_log": "all", "euca_redact_botocore_logs": "false"}, False),
])
def test_euca_redact_botocore_logs_decides_and_auto_follows_the_wire_log(
    settings: dict[str, str], redacted: bool, calls: Callable[..., Calls],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="botocore")
    made = calls(**settings)

    made.client("ssm").put_parameter(Name="/redacted/switch", Value=PARAMETER,
                                     Type="SecureString", Overwrite=True)

    assert (PARAMETER in messages(caplog, "botocore.")) is not redacted


def test_the_records_of_older_signers_show_no_secret(
    calls: Callable[..., Calls], caplog: pytest.LogCaptureFixture
) -> None:
    # SigV2 logs its string to sign with every parameter; S3's HMAC-v1 with the x-amz headers.
    # moto cannot tell a SigV2 request's service, so the answer is an error: the records of
    # the request are what matters here.
    caplog.set_level(logging.DEBUG)
    made = calls(euca_redact_botocore_logs="true", euca_retry_max_attempts=1)
    iam = made.session.client("iam", endpoint_url=made.url,
                              config=Config(signature_version="v2"))
    with contextlib.suppress(ClientError):
        iam.create_login_profile(UserName=made.name, Password=PASSWORD)
    s3 = made.session.client("s3", endpoint_url=made.url, config=Config(signature_version="s3"))
    s3.create_bucket(Bucket=made.name)

    botocore = messages(caplog, "botocore.")
    assert "String to sign: POST" in botocore and "StringToSign:\nPUT" in botocore
    assert made.leaked(botocore) == []
