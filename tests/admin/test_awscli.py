"""The AWS CLI v1, unchanged, with the plugin named in ~/.aws/config's [plugins] section."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from euca_boto.testing import LocalCloud

AWS = str(Path(sys.executable).with_name("aws"))


def aws(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AWS, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env, "AWS_PAGER": ""})


def test_describe_properties_through_the_cli(cloud: LocalCloud,
                                             profile_env: dict[str, str]) -> None:
    result = aws(profile_env, "euprop", "describe-properties", "--properties", "dns.enabled")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["Properties"] == [{
        "Name": "dns.enabled", "Value": "true", "Description": "Enable pluggable DNS resolvers",
        "DefaultValue": "true", "ReadOnly": False,
    }]
    (request,) = [r for r in cloud.requests() if r.action == "DescribeProperties"][-1:]
    assert request.params["Property.1"] == "dns.enabled"
    assert request.params["Version"] == "eucalyptus"


def test_describe_services_with_filters_through_the_cli(
    cloud: LocalCloud, profile_env: dict[str, str]
) -> None:
    result = aws(profile_env, "euserv", "describe-services", "--list-all", "--filters",
                 "Name=service-type,Values=cluster", "Name=partition,Values=PARTI01")
    assert result.returncode == 0, result.stderr
    statuses = json.loads(result.stdout)["ServiceStatuses"]
    assert statuses
    assert {(s["ServiceId"]["Type"], s["ServiceId"]["Partition"]) for s in statuses} == {
        ("cluster", "PARTI01")}
    request = [r for r in cloud.requests() if r.action == "DescribeServices"][-1]
    assert request.params["Filter.1.Name"] == "service-type"
    assert request.params["Filter.2.Value.1"] == "PARTI01"


def test_cli_help_shows_the_model_documentation(profile_env: dict[str, str]) -> None:
    result = aws(profile_env, "euserv", "describe-services", "help")
    assert result.returncode == 0, result.stderr
    text = result.stdout.replace("\b", "")
    assert "describe-services" in text
    assert "topology epoch" in " ".join(text.split())


def test_cli_without_the_plugin_does_not_know_the_services(
    profile_env: dict[str, str], tmp_path: Path
) -> None:
    config = Path(profile_env["AWS_CONFIG_FILE"])
    plain = tmp_path / "plain-config"
    plain.write_text(config.read_text().split("[plugins]")[0])
    result = aws({**profile_env, "AWS_CONFIG_FILE": str(plain)}, "euprop",
                 "describe-properties")
    assert result.returncode == 2
    assert "argument command: Invalid choice" in result.stderr


def test_cli_reports_a_bad_setting_in_the_profile(profile_env: dict[str, str],
                                                  tmp_path: Path) -> None:
    config = Path(profile_env["AWS_CONFIG_FILE"])
    bad = tmp_path / "bad-config"
    bad.write_text(config.read_text().replace(
        "[profile localcloud]\n", "[profile localcloud]\neuca_retry_max_attempts = lots\n"))
    result = aws({**profile_env, "AWS_CONFIG_FILE": str(bad)}, "euprop", "describe-properties")
    assert result.returncode != 0
    assert "euca_retry_max_attempts = 'lots' is not valid" in result.stderr


def test_iam_account_actions_through_the_cli(cloud: LocalCloud,
                                             profile_env: dict[str, str]) -> None:
    created = aws(profile_env, "iam", "create-account", "--account-name", "cli-acme")
    assert created.returncode == 0, created.stderr
    account_id = json.loads(created.stdout)["Account"]["AccountId"]
    listed = aws(profile_env, "iam", "list-accounts")
    assert listed.returncode == 0, listed.stderr
    accounts = {a["AccountName"]: a["AccountId"] for a in json.loads(listed.stdout)["Accounts"]}
    assert accounts["cli-acme"] == account_id
    users = aws(profile_env, "iam", "list-users", "--delegate-account", "cli-acme")
    assert users.returncode == 0, users.stderr
    assert [u["UserName"] for u in json.loads(users.stdout)["Users"]] == ["admin"]
    request = [r for r in cloud.requests() if r.action == "ListUsers"][-1]
    assert request.params["DelegateAccount"] == "cli-acme"
