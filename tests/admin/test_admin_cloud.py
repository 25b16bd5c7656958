"""``euca_boto.admin.Cloud``: the tasks admins do most, against LocalCloud."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from euca_boto.admin import (
    Cloud,
    HealthRow,
    PlanError,
    PropertyValueError,
    ServiceWaitTimeout,
    format_health,
)
from euca_boto.testing import LocalCloud


def test_health_counts_services_by_type_partition_and_state(session: Any) -> None:
    rows = Cloud(session).health()
    clusters = [r for r in rows if r.type == "cluster"]
    assert clusters == [HealthRow("cluster", "PARTI00", "ENABLED", 1),
                        HealthRow("cluster", "PARTI01", "ENABLED", 1)]
    assert sum(r.count for r in rows if r.type == "bootstrap") == 3


def test_health_shows_a_stopped_endpoint(cloud: LocalCloud, session: Any) -> None:
    cloud.endpoint(2).stop()
    try:
        rows = Cloud(session).health()
    finally:
        cloud.endpoint(2).start()
    states = {state: sum(r.count for r in rows if r.type == "bootstrap" and r.state == state)
              for state in ("ENABLED", "STOPPED")}
    assert states == {"ENABLED": 2, "STOPPED": 1}


def test_properties_read_set_and_reset(session: Any) -> None:
    props = Cloud(session).properties
    assert props["dns.enabled"] == "true"
    props["dns.enabled"] = False
    assert props["dns.enabled"] == "false"
    assert props.reset("dns.enabled") == "true"
    assert props["dns.enabled"] == "true"
    with pytest.raises(KeyError):
        props["no.such.property"]


def test_json_valued_properties_are_parsed_and_written_as_json(session: Any) -> None:
    props = Cloud(session).properties
    value = props["cloud.network.network_configuration"]
    assert isinstance(value, dict)
    value["Mode"] = "VPCMIDO"
    props["cloud.network.network_configuration"] = value
    assert props["cloud.network.network_configuration"]["Mode"] == "VPCMIDO"
    del props["cloud.network.network_configuration"]
    # The default of this property is empty, which is not parsed.
    assert props["cloud.network.network_configuration"] == ""


def test_a_value_of_the_wrong_type_is_refused_before_it_is_sent(cloud: LocalCloud,
                                                                  session: Any) -> None:
    props = Cloud(session).properties
    cloud.clear_requests()
    with pytest.raises(PropertyValueError) as refused:
        props["cloud.network.network_configuration"] = 42
    assert str(refused.value) == ("cloud.network.network_configuration holds a JSON document "
                                  "(a mapping or a list), not a number")
    with pytest.raises(PropertyValueError):
        props["dns.enabled"] = {"on": True}
    assert cloud.requests() == []


def test_a_plan_applied_from_python(session: Any) -> None:
    props = Cloud(session).properties
    plan = props.plan({"dns.services.enabled": False, "dns.enabled": "true"})
    assert [(e.name, e.action, e.current, e.wanted) for e in plan.entries] == [
        ("dns.services.enabled", "change", "true", "false"),
        ("dns.enabled", "unchanged", "true", "true")]
    report = props.apply(plan)
    assert ([e.name for e in report.applied], report.refused) == (["dns.services.enabled"], None)
    assert props.plan({"dns.services.enabled": False}).changes == []
    props.reset("dns.services.enabled")
    with pytest.raises(PlanError) as unknown:
        props.plan({"dns.enabeld": "true", "dns.enabled": ["x"]})
    assert unknown.value.problems == (
        ("dns.enabeld", "unknown property 'dns.enabeld' (nearest: 'dns.enabled')"),
        ("dns.enabled", "dns.enabled holds text, not a list"))


def test_properties_with_prefix_is_one_mapping(session: Any) -> None:
    assert Cloud(session).properties.with_prefix("dns.") == {
        "dns.enabled": "true", "dns.services.enabled": "true"}


def test_wait_for_service_times_out_naming_the_last_state(cloud: LocalCloud,
                                                          session: Any) -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    admin = Cloud(session, clock=lambda: now[0], sleep=sleep)
    name = admin.services()[0]["ServiceId"]["Name"]
    with pytest.raises(ServiceWaitTimeout) as error:
        admin.wait_for_service(name, state="DISABLED", timeout=12, interval=5)
    assert str(error.value) == (
        f"service {name!r} did not reach DISABLED within 12 s (last state: ENABLED)")
    assert slept == [5, 5]


def test_wait_for_service_returns_the_status_once_reached(session: Any) -> None:
    admin = Cloud(session, sleep=lambda s: None)
    name = admin.services()[0]["ServiceId"]["Name"]
    assert admin.wait_for_service(name)["LocalState"] == "ENABLED"


def test_format_health_is_an_aligned_table() -> None:
    text = format_health([HealthRow("cluster", "PARTI00", "ENABLED", 1),
                          HealthRow("bootstrap", "-", "NOTREADY", 12)])
    assert text.splitlines() == [
        "TYPE       PARTITION  STATE     COUNT",
        "cluster    PARTI00    ENABLED   1",
        "bootstrap  -          NOTREADY  12",
    ]


def test_admin_status_command_prints_the_table(profile_env: dict[str, str]) -> None:
    result = subprocess.run([sys.executable, "-m", "euca_boto.cli", "admin", "status"],
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, **profile_env})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["TYPE", "PARTITION", "STATE", "COUNT"]
    assert ["cluster", "PARTI01", "ENABLED", "1"] in [line.split() for line in lines]


def test_wait_for_service_finds_a_service_the_answering_host_does_not_list(
        session: Any) -> None:
    # Without ListAll the server lists only registrable services and its own public ones, and
    # it applies the name filter to that list: another host's or an admin service never showed.
    admin = Cloud(session, sleep=lambda s: None)
    status = admin.wait_for_service("ufs0.properties", timeout=1, interval=1)
    assert status["LocalState"] == "ENABLED"
    assert status["ServiceId"]["Type"] == "properties"


def test_the_service_enabled_waiter_finds_named_services_without_list_all(
        cloud: LocalCloud, session: Any) -> None:
    cloud.clear_requests()
    euserv = session.client("euserv")
    euserv.get_waiter("service_enabled").wait(
        ServiceNames=["ufs0.properties", "ufs2.compute"],
        WaiterConfig={"Delay": 1, "MaxAttempts": 1})
    sent = [r.params for r in cloud.requests() if r.action == "DescribeServices"]
    assert sent[0]["ListAll"] == "true"


def test_an_explicit_list_all_false_is_sent_as_given(cloud: LocalCloud, session: Any) -> None:
    cloud.clear_requests()
    answer = session.client("euserv").describe_services(ServiceNames=["ufs0.properties"],
                                                        ListAll=False)
    assert answer["ServiceStatuses"] == []
    sent = [r.params for r in cloud.requests() if r.action == "DescribeServices"]
    assert sent[0]["ListAll"] == "false"
