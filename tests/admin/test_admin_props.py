"""``euca-boto admin props``: single properties, and properties as code (export, plan, apply),
run through the command line's entry point against a LocalCloud of each test's own.

What was sent is read from LocalCloud's request log: bad input sends no change (and a file
that cannot be read sends nothing at all).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from awsenv import PROFILE, AwsEnv

from euca_boto.cli import main
from euca_boto.testing import LocalCloud

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def fresh(aws_env: AwsEnv) -> Iterator[LocalCloud]:
    """A cloud of the test's own (admin services only: it starts in milliseconds), and the
    environment pointing at its profile."""
    with LocalCloud(endpoints=2, partitions=2, aws=False) as cloud:
        config, credentials = aws_env.write_profile(cloud, PROFILE)
        aws_env.use(config, credentials, AWS_PROFILE=PROFILE)
        yield cloud


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``euca-boto ARGS`` through the command line's entry point: status, stdout, stderr."""

    def call(*args: str) -> tuple[int, str, str]:
        status = main(["admin", "props", *args])
        out, err = capsys.readouterr()
        return status, out, err

    return call


def changes_sent(cloud: LocalCloud) -> list[dict[str, object]]:
    return [dict(r.params) for r in cloud.requests() if r.action == "ModifyPropertyValue"]


def plan_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("~ ")]


# export ---------------------------------------------------------------------------------------


def test_export_writes_the_properties_that_differ_from_their_defaults(
        fresh: LocalCloud, run: Run) -> None:
    status, out, err = run("export")
    assert status == 0, err
    exported = yaml.safe_load(out)
    assert exported["system.dns.dnsdomain"] == "localcloud.test"
    # Typed as euctl types them: a JSON property is a document, every other one text.
    assert exported["cloud.network.network_configuration"]["Mode"] == "EDGE"
    assert "dns.enabled" not in exported  # at its default
    assert "euca.version" not in exported  # read-only
    assert list(exported) == sorted(exported)
    assert err == ("euca-boto: left out 1 hidden property (its value cannot be read): "
                   "objectstorage.s3provider.s3secretkey\n")
    assert changes_sent(fresh) == []


def test_export_all_as_json_with_prefixes(fresh: LocalCloud, run: Run) -> None:
    status, out, _ = run("export", "dns", "euca.", "--all", "--format", "json")
    assert status == 0
    assert json.loads(out) == {"dns.enabled": "true", "dns.services.enabled": "true",
                               "euca.version": "4.4.2"}


def test_export_of_a_prefix_nothing_starts_with_names_the_nearest(
        fresh: LocalCloud, run: Run) -> None:
    status, out, err = run("export", "dnss.")
    assert (status, out) == (2, "")
    assert err == "euca-boto: no property name starts with 'dnss.' (nearest: 'dns.')\n"


# plan and apply -------------------------------------------------------------------------------


def test_export_change_two_plan_apply_then_nothing_to_plan(
        fresh: LocalCloud, run: Run, tmp_path: Path) -> None:
    status, out, _ = run("export", "--all")
    assert status == 0
    document = yaml.safe_load(out)
    document["dns.enabled"] = False  # a YAML boolean for a text property is its text
    document["cloud.network.network_configuration"]["Mode"] = "VPCMIDO"
    path = tmp_path / "cloud.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))

    status, out, _ = run("plan", str(path))
    assert status == 2
    assert plan_lines(out) == ["~ cloud.network.network_configuration:",
                               '~ dns.enabled: "true" -> "false"']
    # The document is shown as a diff: only its Mode changes.
    assert [line for line in out.splitlines() if line.startswith(("    -  ", "    +  "))] == [
        '    -  "Mode": "EDGE",', '    +  "Mode": "VPCMIDO",']
    assert out.splitlines()[-1].startswith("Plan: 2 to change, ")
    assert changes_sent(fresh) == []

    status, out, err = run("apply", str(path), "--yes")
    assert status == 0, err
    assert "Applied: cloud.network.network_configuration, dns.enabled." in out
    assert [c["Name"] for c in changes_sent(fresh)] == [
        "cloud.network.network_configuration", "dns.enabled"]
    assert fresh.properties.get("dns.enabled").value == "false"
    assert json.loads(fresh.properties.get("cloud.network.network_configuration").value)[
        "Mode"] == "VPCMIDO"

    fresh.clear_requests()
    status, out, _ = run("plan", str(path))
    assert status == 0
    assert plan_lines(out) == []
    assert out.splitlines()[-1].startswith("Plan: nothing to change (")
    status, out, _ = run("apply", str(path), "--yes")
    assert status == 0
    assert changes_sent(fresh) == []  # nothing is sent for values already held


def test_apply_stops_at_the_first_refusal_and_reports_the_split(
        fresh: LocalCloud, run: Run, tmp_path: Path) -> None:
    path = tmp_path / "cloud.yaml"
    path.write_text("dns.enabled: 'false'\n"
                    "bootstrap.webservices.unknown_parameter_handling: sometimes\n"
                    "system.exec.max_restricted_concurrent_ops: 4\n")
    status, out, _ = run("apply", str(path), "--yes")
    assert status == 1
    lines = out.splitlines()
    assert "Applied: dns.enabled." in lines
    assert lines[-1] == (
        "Not applied: bootstrap.webservices.unknown_parameter_handling, "
        "system.exec.max_restricted_concurrent_ops (bootstrap.webservices."
        "unknown_parameter_handling was refused: Failed to set property: expected one of "
        "default, ignore, error, got 'sometimes').")
    assert [c["Name"] for c in changes_sent(fresh)] == [
        "dns.enabled", "bootstrap.webservices.unknown_parameter_handling"]
    assert fresh.properties.get("dns.enabled").value == "false"
    assert fresh.properties.get("system.exec.max_restricted_concurrent_ops").value == "2"


def test_plan_flags_read_only_hidden_and_script_entries(
        fresh: LocalCloud, run: Run, tmp_path: Path) -> None:
    path = tmp_path / "cloud.json"
    path.write_text(json.dumps({"euca.version": "5.0", "euca": "1 + 1",
                                "objectstorage.s3provider.s3secretkey": "guess",
                                "dns.enabled": "true"}))
    status, out, _ = run("plan", str(path))
    assert status == 0  # nothing would change: flagged entries are never applied
    assert out.splitlines() == [
        '! euca.version: "4.4.2" -> "5.0" (read-only: not applied)',
        "! euca: a script run as code on the cloud; never applied from a file "
        "(euca-boto admin props set euca ... --allow-script-execution runs one)",
        "! objectstorage.s3provider.s3secretkey: hidden; its value cannot be read, so it is "
        "neither compared nor applied (euca-boto admin props set sets it)",
        "Plan: nothing to change (1 unchanged, 3 not applied).",
    ]
    status, _, _ = run("apply", str(path), "--yes")
    assert status == 0
    assert changes_sent(fresh) == []


def test_a_long_json_value_is_planned_as_a_diff(
        fresh: LocalCloud, run: Run, tmp_path: Path) -> None:
    network = json.loads(fresh.properties.get("cloud.network.network_configuration").value)
    network["PublicIps"] = [f"10.111.{n}.1-10.111.{n}.254" for n in range(200, 204)]
    path = tmp_path / "network.yaml"
    path.write_text(yaml.safe_dump({"cloud.network.network_configuration": network}))
    status, out, _ = run("plan", str(path))
    assert status == 2
    lines = out.splitlines()
    assert lines[0] == "~ cloud.network.network_configuration:"
    assert "    +    \"10.111.203.1-10.111.203.254\"" in lines
    assert "    --- current" in lines and "    +++ wanted" in lines


def test_apply_asks_before_changing_and_refuses_without_a_terminal(
        fresh: LocalCloud, run: Run, tmp_path: Path) -> None:
    path = tmp_path / "cloud.yaml"
    path.write_text("dns.enabled: 'false'\n")
    status, _, err = run("apply", str(path))
    assert status == 2
    assert err == ("euca-boto: apply changes the cloud: pass --yes (standard input is not a "
                   "terminal to ask on)\n")
    assert changes_sent(fresh) == []


def test_plan_exit_status_through_the_executable(
        fresh: LocalCloud, tmp_path: Path) -> None:
    path = tmp_path / "cloud.yaml"
    path.write_text("dns.enabled: 'false'\n")
    result = subprocess.run([sys.executable, "-m", "euca_boto.cli", "admin", "props", "plan",
                             str(path)], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout.splitlines()[0]) == (
        2, '~ dns.enabled: "true" -> "false"'), result.stderr


# Bad input: one line each, exit 2, nothing sent ------------------------------------------------


def test_a_typo_in_a_property_name_names_the_nearest_one(
        fresh: LocalCloud, run: Run, tmp_path: Path) -> None:
    path = tmp_path / "cloud.yaml"
    path.write_text("dns.enabled: 'true'\ndns.enabeld: 'false'\n")
    for action in ("plan", "apply"):
        status, out, err = run(action, str(path), *(["--yes"] if action == "apply" else []))
        assert (status, out) == (2, "")
        assert err == (f"euca-boto: {path}, line 2: unknown property 'dns.enabeld' "
                       "(nearest: 'dns.enabled')\n")
    assert changes_sent(fresh) == []


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("missing.yaml", None, "{path}: cannot be read: No such file or directory"),
        ("bad.yaml", "dns.enabled: 'true'\n  - x\n",
         "{path}, line 2, column 3: expected <block end>, but found '<block sequence start>'"),
        # A value missing, which every supported Python's json words alike.
        ("bad.json", '{"dns.enabled": }', "{path}: line 1, column 17: Expecting value"),
        ("twice.yaml", "dns.enabled: 'true'\ndns.enabled: 'false'\n",
         "{path}, line 2: 'dns.enabled' is given twice"),
        ("list.yaml", "- dns.enabled\n",
         "{path}: expected a mapping of property names to values, found a list"),
        ("empty.yaml", "", "{path}: expected a mapping of property names to values, found "
                           "nothing"),
    ],
)
def test_a_file_that_cannot_be_used_sends_nothing(
        fresh: LocalCloud, run: Run, tmp_path: Path, name: str, text: str | None,
        message: str) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    for action in ("plan", "apply"):
        status, out, err = run(action, str(path))
        assert (status, out, err) == (2, "", f"euca-boto: {message.format(path=path)}\n")
    assert fresh.requests() == []


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("no.such.property.anywhere: 'x'", "unknown property 'no.such.property.anywhere'"),
        ("cloud.network.network_configuration: 42",
         "cloud.network.network_configuration holds a JSON document (a mapping or a list), "
         "not a number"),
        ("cloud.network.network_configuration: '{Mode'",
         "cloud.network.network_configuration holds a JSON document, and '{Mode' is not JSON"),
        ("dns.enabled: {on: yes}", "dns.enabled holds text, not a mapping"),
        ("dns.enabled:", "dns.enabled has no value; write '' for an empty value"),
    ],
)
def test_an_unknown_property_or_a_value_of_the_wrong_type_is_one_line(
        fresh: LocalCloud, run: Run, tmp_path: Path, entry: str, message: str) -> None:
    path = tmp_path / "cloud.yaml"
    path.write_text(f"system.dns.dnsdomain: cloud.example.com\n{entry}\n")
    status, out, err = run("apply", str(path), "--yes")
    assert (status, out, err) == (2, "", f"euca-boto: {path}, line 2: {message}\n")
    assert changes_sent(fresh) == []


def test_every_problem_of_a_file_is_a_line_of_its_own(
        fresh: LocalCloud, run: Run, tmp_path: Path) -> None:
    path = tmp_path / "cloud.json"
    path.write_text(json.dumps({"dns.enabeld": "x", "region.region_configuration": 7}))
    status, _, err = run("plan", str(path))
    assert status == 2
    assert err.splitlines() == [
        f"euca-boto: {path}: unknown property 'dns.enabeld' (nearest: 'dns.enabled')",
        f"euca-boto: {path}: region.region_configuration holds a JSON document (a mapping or "
        "a list), not a number",
    ]


def test_yaml_needs_the_admin_extra(fresh: LocalCloud, run: Run, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cloud.yaml"
    path.write_text("dns.enabled: 'false'\n")
    monkeypatch.setitem(sys.modules, "yaml", None)  # as if PyYAML were not installed
    assert run("plan", str(path)) == (
        2, "", "euca-boto: reading YAML needs the 'admin' extra: pip install "
               "'euca-boto[admin]' (or write the file in JSON)\n")
    json_file = tmp_path / "cloud.json"
    json_file.write_text('{"dns.enabled": "false"}')
    assert run("plan", str(json_file))[0] == 2  # JSON needs nothing more: a change is planned


# get, set, reset ------------------------------------------------------------------------------


def test_get_set_and_reset_one_property(fresh: LocalCloud, run: Run) -> None:
    assert run("get", "dns.enabled") == (0, "true\n", "")
    assert run("set", "dns.enabled", "false") == (0, 'dns.enabled: "true" -> "false"\n', "")
    assert run("reset", "dns.enabled") == (0, 'dns.enabled: "false" -> "true" (default)\n', "")
    status, out, _ = run("get", "cloud.network.network_configuration")
    assert (status, json.loads(out)["Mode"]) == (0, "EDGE")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("set", "dns.enabeld", "false"), "unknown property 'dns.enabeld' (nearest: "
                                          "'dns.enabled')"),
        (("get", "dns.enabeld"), "unknown property 'dns.enabeld' (nearest: 'dns.enabled')"),
        (("set", "euca.version", "5.0"), "euca.version is read-only: the cloud does not let it "
                                         "be set"),
        (("set", "cloud.network.network_configuration", "{Mode"),
         "cloud.network.network_configuration holds a JSON document, and '{Mode' is not JSON"),
        (("set", "euca", "1 + 1"), "setting 'euca' runs its value as Groovy code on the cloud "
                                   "controller, with the cloud's full privileges; pass "
                                   "--allow-script-execution to do that"),
        (("set", "dns.enabled", "false", "--allow-script-execution"),
         "--allow-script-execution is for the 'euca' property only"),
    ],
)
def test_single_property_mistakes_are_one_line_and_send_no_change(
        fresh: LocalCloud, run: Run, args: tuple[str, ...], message: str) -> None:
    assert run(*args) == (2, "", f"euca-boto: {message}\n")
    assert changes_sent(fresh) == []


def test_a_script_runs_only_with_the_explicit_flag(fresh: LocalCloud, run: Run) -> None:
    status, _, err = run("set", "euca", "1 + 1", "--allow-script-execution")
    # Sent, and refused by LocalCloud, which runs no code.
    assert (status, err) == (1, "euca-boto: An error occurred (ModifyPropertyValueType) when "
                                "calling the ModifyPropertyValue operation: Failed to set "
                                "property: LocalCloud does not execute code through the 'euca' "
                                "property\n")
    assert changes_sent(fresh) == [{"Action": "ModifyPropertyValue", "Version": "eucalyptus",
                                    "Name": "euca", "Value": "1 + 1"}]
