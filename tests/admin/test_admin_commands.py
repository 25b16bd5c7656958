"""``euca-boto admin services|accounts|instances``: an operator's daily commands, run through
the command line's entry point against LocalCloud, in each ``--output`` format."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import euca_boto
from euca_boto.cli import main
from euca_boto.testing import LocalCloud

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(profile_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> Run:
    """``euca-boto admin ARGS`` on the cloud's profile: status, stdout, stderr."""

    def call(*args: str) -> tuple[int, str, str]:
        status = main(["admin", *args])
        out, err = capsys.readouterr()
        return status, out, err

    return call


def text_rows(out: str) -> list[list[str]]:
    return [line.split("\t") for line in out.splitlines()]


# services -------------------------------------------------------------------------------------


def test_services_list_is_a_table_of_the_default_listing(run: Run) -> None:
    status, out, _ = run("services", "list")
    assert status == 0
    lines = out.splitlines()
    assert lines[1].strip("| ") == "Services"
    assert lines[3].split("|")[1:-1] == [" TYPE          ", " PARTITION  ", " NAME               ",
                                         " STATE   ", " HOST      "]
    rows = [[cell.strip() for cell in line.split("|")[1:-1]] for line in lines[5:-1]]
    assert ["cluster", "PARTI01", "PARTI01.cluster", "ENABLED", "127.0.0.1"] in rows
    # Without --all the answering host lists its own public services, not the others'.
    assert not [row for row in rows if row[2].startswith("ufs1.")]


def test_services_list_all_of_a_type_in_a_state_as_text(run: Run) -> None:
    status, out, _ = run("services", "list", "--all", "--type", "compute", "--state",
                         "enabled", "--output", "text")
    assert status == 0
    assert [row[2] for row in text_rows(out)][:3] == [
        "ufs0.compute", "ufs2.compute", "ufs1.compute"]
    assert {row[0] for row in text_rows(out)} == {"compute"}


def test_services_list_of_a_partition_as_json_carries_every_field(run: Run) -> None:
    status, out, _ = run("services", "list", "--partition", "PARTI01", "--type", "storage",
                         "--output", "json")
    assert status == 0
    (storage,) = json.loads(out)
    assert storage["ServiceId"]["FullName"] == (
        "arn:euca:eucalyptus:PARTI01:storage:PARTI01.storage/")
    assert storage["LocalState"] == "ENABLED"


def test_disable_and_enable_a_service_then_see_the_events(run: Run) -> None:
    assert run("services", "disable", "ufs1.euare", "--wait") == (
        0, "ufs1.euare: DISABLE sent; now DISABLED\n", "")
    assert run("services", "enable", "ufs1.euare", "--wait", "--interval", "0.1") == (
        0, "ufs1.euare: ENABLE sent; now ENABLED\n", "")
    status, out, _ = run("services", "list", "ufs1.euare", "--events", "--output", "text")
    assert status == 0
    rows = text_rows(out)
    assert rows[0][:4] == ["SERVICE", "euare", "PARTI01", "ufs1.euare"]
    assert [row[4] for row in rows if row[0] == "EVENT"][-2:] == [
        "ufs1.euare: ENABLED -> DISABLED (DISABLE)", "ufs1.euare: DISABLED -> ENABLED (ENABLE)"]


def test_stop_and_start_wait_for_the_state_they_lead_to(run: Run) -> None:
    assert run("services", "stop", "ufs2.tokens", "--wait")[1] == (
        "ufs2.tokens: STOP sent; now STOPPED\n")
    # A started service comes up DISABLED: that is what --wait waits for.
    assert run("services", "start", "ufs2.tokens", "--wait")[1] == (
        "ufs2.tokens: START sent; now DISABLED\n")
    assert run("services", "enable", "ufs2.tokens")[1] == "ufs2.tokens: ENABLE sent; now ENABLED\n"


def test_a_state_change_of_an_unknown_service_is_one_line_and_status_1(run: Run) -> None:
    status, out, err = run("services", "enable", "nosuch")
    assert (status, out) == (1, "")
    assert err.startswith("euca-boto: ") and "nosuch" in err and len(err.splitlines()) == 1


def test_register_list_and_deregister_a_cluster(cloud: LocalCloud, run: Run) -> None:
    status, out, _ = run("services", "register", "--type", "cluster", "--name", "cc-09",
                         "--host", "10.0.9.1", "--partition", "PARTI09", "--output", "text")
    assert (status, text_rows(out)) == (0, [
        ["cluster", "PARTI09", "cc-09", "10.0.9.1",
         "http://10.0.9.1:8774/axis2/services/EucalyptusCC"]])
    assert [row[2] for row in text_rows(run("services", "list", "--partition", "PARTI09",
                                            "--output", "text")[1])] == ["cc-09"]
    status, out, _ = run("services", "deregister", "cc-09", "--type", "cluster", "--output",
                         "text")
    assert (status, [row[2] for row in text_rows(out)]) == (0, ["cc-09"])
    status, _, err = run("services", "deregister", "cc-09")
    assert status == 1
    assert err == ("euca-boto: An error occurred (InBandFailure) when calling the "
                   "DeregisterService operation: Failed to deregister cc-09: no service named "
                   "'cc-09'\n")


def test_service_types_lists_the_registrable_ones(run: Run) -> None:
    status, out, _ = run("services", "types", "--output", "text")
    types = {row[0]: row for row in text_rows(out)}
    assert status == 0
    assert types["cluster"][1:4] == ["true", "true", "false"]
    assert "identity" not in types
    assert "identity" in {row[0] for row in text_rows(run("services", "types", "--all",
                                                          "--output", "text")[1])}


def test_the_output_format_comes_from_the_environment_or_the_profile(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_OUTPUT", "json")
    status, out, _ = run("services", "list", "--type", "cluster")
    assert status == 0
    assert [s["ServiceId"]["Name"] for s in json.loads(out)] == [
        "PARTI00.cluster", "PARTI01.cluster"]
    assert run("services", "list", "--type", "cluster", "--output", "text")[1].startswith(
        "cluster\t")


# accounts -------------------------------------------------------------------------------------


def test_accounts_create_list_and_delete(run: Run) -> None:
    status, out, _ = run("accounts", "create", "northwind", "--output", "json")
    (made,) = json.loads(out)
    assert (status, made["AccountName"]) == (0, "northwind")
    status, out, _ = run("accounts", "list", "--output", "text")
    rows = text_rows(out)
    assert ["northwind", made["AccountId"]] in rows
    assert ["(eucalyptus)imaging"] == [row[0] for row in rows if row[0].endswith("imaging")]
    assert run("accounts", "delete", "northwind") == (0, "account northwind: deleted\n", "")
    assert "northwind" not in run("accounts", "list", "--output", "text")[1]


def test_deleting_an_account_that_is_not_empty_needs_recursive(run: Run, session: Any) -> None:
    run("accounts", "create", "contoso")
    session.client("iam").create_user(UserName="dana", DelegateAccount="contoso")
    status, _, err = run("accounts", "delete", "contoso")
    assert status == 1
    assert "DeleteConflict" in err and "users: dana" in err
    assert run("accounts", "delete", "contoso", "--recursive") == (
        0, "account contoso: deleted with everything in it\n", "")


# instances ------------------------------------------------------------------------------------


def test_instances_of_every_account(cloud: LocalCloud, run: Run, session: Any) -> None:
    key, secret = cloud.add_credentials(account="fabrikam")
    tenant = euca_boto.session(profile_name="localcloud", aws_access_key_id=key,
                               aws_secret_access_key=secret)
    theirs = tenant.client("ec2").run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)
    instance = theirs["Instances"][0]["InstanceId"]

    status, out, _ = run("instances", "list", "--all-accounts", "--output", "text")
    assert status == 0
    (row,) = [row for row in text_rows(out) if row[0] == instance]
    assert row[1:4] == ["fabrikam", "running", "m1.small"]
    assert instance not in run("instances", "list", "--output", "text")[1]
    status, out, _ = run("instances", "list", "--all-accounts", "--output", "json")
    (listed,) = [i for i in json.loads(out) if i["InstanceId"] == instance]
    assert listed["OwnerId"] == theirs["OwnerId"]
    assert "verbose" in [r.params.get("InstanceId.1") for r in cloud.requests()
                         if r.action == "DescribeInstances"]


def test_an_unconfigured_profile_is_one_line_and_status_2(
        run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    empty = tmp_path / "empty-config"
    empty.write_text("[profile bare]\nregion = eucalyptus\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    status, out, err = run("services", "list", "--profile", "bare")
    assert (status, out) == (2, "")
    assert err.startswith("euca-boto: configuration error: euca_endpoint is not set for profile "
                          "'bare'")
