"""Wire-log records of real calls through LocalCloud: what a record holds, one per attempt,
which services are logged, the run-time switch, the file and bad settings."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

import euca_boto
from euca_boto.core import process
from euca_boto.testing import LocalCloud

Records = Callable[[], list[logging.LogRecord]]


def test_a_record_holds_the_request_and_the_response(session: Any, wire: Records,
                                                     cloud: LocalCloud) -> None:
    euprop = session(euca_wire_log="properties").client("euprop")
    euprop.describe_properties(Properties=["dns.enabled"])

    [record] = wire()
    text = record.getMessage()
    assert record.name == "euca_boto.wire.euprop"
    assert record.levelno == logging.INFO
    lines = text.splitlines()
    assert lines[0] == "euprop DescribeProperties attempt 1 as the session's credentials"
    assert lines[1] == f"> POST {cloud.service_url('properties')}"
    assert "> Content-Type: application/x-www-form-urlencoded; charset=utf-8" in lines
    assert "> Action=DescribeProperties&Version=eucalyptus&Property.1=dns.enabled" in lines
    status_line = next(line for line in lines if line.startswith("< 200 in "))
    assert status_line.endswith(" ms")
    assert any(line.startswith("< Content-Type: text/xml") for line in lines)
    assert any("<euca:name>dns.enabled</euca:name>" in line for line in lines)
    assert (record.euca_service, record.euca_operation, record.euca_attempt,  # type: ignore[attr-defined]
            record.euca_status) == ("euprop", "DescribeProperties", 1, 200)  # type: ignore[attr-defined]
    assert record.euca_elapsed > 0  # type: ignore[attr-defined]


def test_each_attempt_of_a_retried_call_is_one_record(session: Any, wire: Records,
                                                      cloud: LocalCloud) -> None:
    ec2 = session(euca_wire_log="ec2", euca_retry_max_attempts=3).client("ec2")
    cloud.endpoint(0).fail(503, count=2)

    ec2.describe_availability_zones()

    records = wire()
    assert [r.euca_attempt for r in records] == [1, 2, 3]  # type: ignore[attr-defined]
    assert [r.euca_status for r in records] == [503, 503, 200]  # type: ignore[attr-defined]
    assert "Injected fault: HTTP 503 from LocalCloud endpoint 0" in records[0].getMessage()
    assert "amz-sdk-request: ttl=" in records[2].getMessage()


def test_a_failed_over_call_shows_both_endpoints(session: Any, wire: Records,
                                                 cloud: LocalCloud) -> None:
    ec2 = session(euca_wire_log="ec2", euca_retry_max_attempts=2).client("ec2")
    second = cloud.service_url("ec2", 1)

    # Moves the next attempt to endpoint 1 as an endpoint selector does on a connection fault.
    def fail_over(request_dict: dict[str, Any], **kwargs: Any) -> None:
        request_dict["url"] = second

    ec2.meta.events.register("needs-retry.ec2", fail_over, unique_id="test-fail-over")
    cloud.endpoint(0).stop()

    ec2.describe_availability_zones()

    first, retried = wire()
    assert first.euca_endpoint == cloud.service_url("ec2", 0)  # type: ignore[attr-defined]
    assert first.euca_status is None  # type: ignore[attr-defined]
    assert "< no response after " in first.getMessage()
    assert "EndpointConnectionError" in first.getMessage()
    assert retried.euca_endpoint == second  # type: ignore[attr-defined]
    assert (retried.euca_attempt, retried.euca_status) == (2, 200)  # type: ignore[attr-defined]


def test_a_call_that_fails_for_good_is_logged_with_its_error(session: Any, wire: Records,
                                                             cloud: LocalCloud) -> None:
    ec2 = session(euca_wire_log="ec2", euca_retry_max_attempts=1).client("ec2")
    cloud.endpoint(0).fail(400)

    with pytest.raises(ClientError):
        ec2.describe_availability_zones()

    [record] = wire()
    assert record.euca_status == 400  # type: ignore[attr-defined]
    assert "<Code>BadRequest</Code>" in record.getMessage()


def test_services_not_selected_are_not_logged(session: Any, wire: Records) -> None:
    made = session(euca_wire_log="properties, ec2")
    made.client("iam").list_users()
    made.client("sts").get_caller_identity()
    made.client("ec2").describe_availability_zones()

    assert [r.name for r in wire()] == ["euca_boto.wire.ec2"]


def test_a_dns_label_selects_the_service(session: Any, wire: Records) -> None:
    session(euca_wire_log="euare").client("iam").list_users()

    assert [r.name for r in wire()] == ["euca_boto.wire.iam"]


def test_a_nested_block_turns_one_service_on(aws_files: Callable[[str], Path], session: Any,
                                             wire: Records) -> None:
    aws_files("euca_wire_log = ec2\niam =\n  euca_wire_log = all\nec2 =\n  euca_wire_log = none\n")
    made = session()
    made.client("ec2").describe_availability_zones()
    made.client("iam").list_users()

    assert [r.name for r in wire()] == ["euca_boto.wire.iam"]


def test_the_switch_turns_logging_on_until_restored(session: Any, wire: Records) -> None:
    iam = session().client("iam")
    iam.list_users()
    switch = euca_boto.wire_log("iam")
    try:
        iam.list_users()
    finally:
        switch.restore()
    iam.list_users()

    assert len(wire()) == 1


def test_a_switch_turned_on_while_threads_call_records_every_later_call(session: Any,
                                                                         wire: Records) -> None:
    # A client made while its wire log is off has nothing recording its calls; the switch
    # gives it that at its next call, while other threads are calling through it.
    iam = session().client("iam")
    iam.list_users()
    go = threading.Barrier(5)
    errors: list[BaseException] = []

    def calls(count: int) -> None:
        try:
            go.wait(timeout=30)
            for _ in range(count):
                iam.list_users()
        except BaseException as error:  # reported below
            errors.append(error)

    def burst(count: int, during: Callable[[], None]) -> None:
        threads = [threading.Thread(target=calls, args=(count,)) for _ in range(4)]
        for thread in threads:
            thread.start()
        go.wait(timeout=30)
        during()
        for thread in threads:
            thread.join(timeout=60)
        go.reset()

    switch: list[Any] = []
    burst(10, lambda: switch.append(euca_boto.wire_log("iam")))  # on while they call
    try:
        before = len(wire())
        burst(10, lambda: None)
        assert len(wire()) - before == 40
    finally:
        switch[0].restore()
    assert errors == []


def test_the_process_reset_withdraws_every_switch(session: Any, wire: Records) -> None:
    iam = session().client("iam")
    switch = euca_boto.wire_log("iam")
    process.reset()
    iam.list_users()
    switch.restore()  # withdrawn already: nothing left to do

    assert wire() == []


def test_the_switch_as_a_context_manager_restores_the_earlier_state(session: Any,
                                                                    wire: Records) -> None:
    iam = session(euca_wire_log="iam").client("iam")
    with euca_boto.wire_log(enabled=False):
        iam.list_users()
        with euca_boto.wire_log("euare"):
            iam.list_users()
        iam.list_users()
    iam.list_users()

    assert len(wire()) == 2


def test_nothing_is_logged_when_the_logger_drops_info(session: Any, wire: Records) -> None:
    logging.getLogger("euca_boto.wire").setLevel(logging.WARNING)
    try:
        session(euca_wire_log="all").client("iam").list_users()
    finally:
        logging.getLogger("euca_boto.wire").setLevel(logging.INFO)

    assert wire() == []


def test_bodies_are_cut_to_the_cap_with_their_size(session: Any, wire: Records) -> None:
    euprop = session(euca_wire_log="all", euca_wire_log_max_body=100).client("euprop")
    euprop.describe_properties()

    text = wire()[0].getMessage()
    response_length = next(
        int(line.split(": ")[1]) for line in text.splitlines()
        if line.lower().startswith("< content-length: ")
    )
    assert f"[body of {response_length} bytes; first 100 shown]" in text
    body_lines = [line for line in text.splitlines() if line.startswith("< <")]
    assert len(body_lines[0]) - 2 <= 100


def test_records_go_to_the_file_when_configured(session: Any, tmp_path: Path) -> None:
    path = tmp_path / "wire.log"  # detached and closed by the reset after each test
    session(euca_wire_log="iam", euca_wire_log_file=str(path)).client("iam").list_users()

    text = path.read_text()
    assert "euca_boto.wire.iam INFO iam ListUsers attempt 1" in text
    assert "> Action=ListUsers&Version=2010-05-08" in text


def test_wire_log_file_cannot_be_set_per_service(aws_files: Callable[[str], Path],
                                                 session: Any, tmp_path: Path) -> None:
    aws_files(f"iam =\n  euca_wire_log_file = {tmp_path / 'x.log'}\n")

    with pytest.raises(euca_boto.ConfigError, match="euca_wire_log_file applies to the whole"):
        session()
