"""A profile that names no endpoint: admin clients are refused at once, through every door.

botocore would send such a client to AWS (``https://properties.eucalyptus.amazonaws.com/``) and
retry there for seconds. An admin client, or an operation only Eucalyptus has, is a
``ConfigError`` naming the missing key and the profile instead, before anything is sent; a stock
AWS client keeps botocore's endpoint, with one warning when the profile holds euca_ settings.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from awsenv import AwsEnv

import euca_boto
from euca_boto.errors import ConfigError

PROFILE = "noendpoint"
MISSING = f"euca_endpoint is not set for profile {PROFILE!r}"
AWS = str(Path(sys.executable).with_name("aws"))


def write_profile(aws_env: AwsEnv, *lines: str, plugin: bool = False) -> dict[str, str]:
    """A profile with credentials and ``lines`` but no endpoint; the variables that select it."""
    aws_env.config.write_text(
        f"[profile {PROFILE}]\nregion = eucalyptus\n" + "".join(f"{line}\n" for line in lines)
        + ("\n[plugins]\neuca = euca_boto.awscli_plugin\n" if plugin else ""))
    aws_env.credentials.write_text(
        f"[{PROFILE}]\naws_access_key_id = AKIDNOENDPOINT\naws_secret_access_key = secret\n")
    return {"AWS_CONFIG_FILE": str(aws_env.config),
            "AWS_SHARED_CREDENTIALS_FILE": str(aws_env.credentials), "AWS_PROFILE": PROFILE}


def child_env(variables: dict[str, str]) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EUCA_BOTO_"))}
    return {**base, **variables, "AWS_PAGER": ""}


@pytest.mark.parametrize("service", ["euserv", "euprop", "euconfig", "euca-ec2"])
def test_an_admin_client_without_an_endpoint_is_refused_at_creation(
    aws_env: AwsEnv, service: str
) -> None:
    write_profile(aws_env, "euca_retry_max_attempts = 6")
    session = euca_boto.session(profile_name=PROFILE)
    with pytest.raises(ConfigError) as raised:
        session.client(service)
    assert MISSING in str(raised.value)
    assert f"for {service}" in str(raised.value)


def test_an_admin_client_with_an_endpoint_url_of_its_own_is_created(aws_env: AwsEnv) -> None:
    write_profile(aws_env)
    client = euca_boto.session(profile_name=PROFILE).client(
        "euprop", endpoint_url="http://127.0.0.1:8773/services/Properties")
    assert client.meta.endpoint_url == "http://127.0.0.1:8773/services/Properties"


@pytest.mark.parametrize(("service", "operation", "params"), [
    ("iam", "create_account", {"AccountName": "acme"}),
    ("sts", "get_impersonation_token", {"UserName": "alice", "AccountAlias": "acme"}),
    ("ec2", "migrate_instances", {"SourceHost": "node-1"}),
])
def test_a_eucalyptus_operation_of_a_stock_client_is_refused_before_it_is_sent(
    aws_env: AwsEnv, service: str, operation: str, params: dict[str, str]
) -> None:
    write_profile(aws_env)
    client = euca_boto.session(profile_name=PROFILE).client(service)
    assert "amazonaws.com" in client.meta.endpoint_url  # botocore's own endpoint, kept
    with pytest.raises(ConfigError) as raised:
        getattr(client, operation)(**params)
    assert MISSING in str(raised.value)


def test_a_stock_client_of_a_profile_with_euca_settings_is_warned_about_once(
    aws_env: AwsEnv, caplog: pytest.LogCaptureFixture
) -> None:
    write_profile(aws_env, "euca_retry_max_attempts = 3")
    caplog.set_level(logging.WARNING, logger="euca_boto")
    session = euca_boto.session(profile_name=PROFILE)
    for service in ("s3", "s3", "ec2"):
        assert "amazonaws.com" in session.client(service).meta.endpoint_url
    euca_boto.session(profile_name=PROFILE).client("sts")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings
    assert f"profile {PROFILE!r} holds euca_ settings but no euca_endpoint" in warnings[0]


def test_a_stock_client_of_a_plain_aws_profile_is_not_warned_about(
    aws_env: AwsEnv, caplog: pytest.LogCaptureFixture
) -> None:
    write_profile(aws_env)
    caplog.set_level(logging.WARNING, logger="euca_boto")
    euca_boto.session(profile_name=PROFILE).client("s3")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_the_plugin_variable_says_so_once_and_refuses_every_call(
    aws_env: AwsEnv, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write_profile(aws_env)
    monkeypatch.setenv("AWS_DATA_PATH", str(euca_boto.models_path()))
    monkeypatch.setenv("BOTOCORE_EXPERIMENTAL__PLUGINS", "euca=euca_boto")
    euprop = boto3.Session(profile_name=PROFILE).client("euprop")
    boto3.Session(profile_name=PROFILE).client("euprop")
    [line] = capsys.readouterr().err.splitlines()
    assert MISSING in line
    with pytest.raises(ConfigError) as raised:
        euprop.describe_properties()
    assert MISSING in str(raised.value)
    iam = boto3.Session(profile_name=PROFILE).client("iam")
    with pytest.raises(ConfigError):
        iam.list_accounts()


def test_the_aws_cli_says_so_in_one_line(aws_env: AwsEnv) -> None:
    env = write_profile(aws_env, plugin=True)
    result = subprocess.run([AWS, "euprop", "describe-properties"], capture_output=True,
                            text=True, timeout=120, env=child_env(env))
    assert result.returncode == 255
    [line] = result.stderr.strip().splitlines()
    assert MISSING in line


def test_euca_boto_run_says_so_in_one_line_and_exits_2(aws_env: AwsEnv) -> None:
    env = write_profile(aws_env)
    program = "import boto3; boto3.Session().client('euprop'); print('not reached')"
    result = subprocess.run(
        [sys.executable, "-m", "euca_boto.cli", "run", "--", sys.executable, "-c", program],
        capture_output=True, text=True, timeout=120, env=child_env(env))
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert MISSING in line
