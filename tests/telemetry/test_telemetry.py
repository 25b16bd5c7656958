"""OpenTelemetry: euca-boto's decisions on each call's span, its metrics through a meter, and
nothing at all when OpenTelemetry is not there. Each case runs in its own process, since a
process has one tracer provider."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from euca_boto.testing import LocalCloud

SCRIPT = Path(__file__).with_name("trace_calls.py")


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(endpoints=1, partitions=1) as started:
        yield started


@pytest.fixture
def run(cloud: LocalCloud, tmp_path: Path) -> Any:
    config, credentials = cloud.write_aws_files(tmp_path)
    cloud.clear()
    cloud.clear_requests()
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("EUCA_BOTO_", "OTEL_", "AWS_"))}
    environment.update(AWS_CONFIG_FILE=str(config), AWS_SHARED_CREDENTIALS_FILE=str(credentials),
                       OTEL_TRACES_EXPORTER="none", OTEL_METRICS_EXPORTER="none")

    def trace(*arguments: str) -> dict[str, Any]:
        result = subprocess.run([sys.executable, str(SCRIPT), *arguments], capture_output=True,
                                text=True, timeout=120, env=environment)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])

    return trace


def call_span(found: dict[str, Any]) -> dict[str, Any]:
    spans = [s for s in found["spans"] if "euca_boto.attempts" in s["attributes"]]
    assert len(spans) == 1, found["spans"]
    return spans[0]


def events(span: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [e["attributes"] for e in span["events"] if e["name"] == name]


@pytest.mark.parametrize("instrument", [False, True], ids=["own-span", "botocore-instrumentation"])
def test_a_retried_call_records_each_attempt_endpoint_and_wait_on_its_span(
    cloud: LocalCloud, run: Any, instrument: bool
) -> None:
    cloud.endpoint(0).fail(503, count=2)
    found = run("--instrument") if instrument else run()

    assert found["error"] is None
    span = call_span(found)
    assert span["attributes"]["euca_boto.attempts"] == 3
    endpoint = cloud.service_url("euprop")
    assert [a["euca_boto.endpoint"] for a in events(span, "euca_boto.attempt")] == [endpoint] * 3
    decisions = events(span, "euca_boto.retry_decision")
    assert [(d["euca_boto.attempt"], d["euca_boto.action"]) for d in decisions] == [
        (1, "retry"), (2, "retry")]
    assert all("503" in d["euca_boto.reason"] and d["euca_boto.wait_seconds"] >= 0
               for d in decisions)
    assert span["attributes"]["euca_boto.slept_seconds"] >= 0
    assert span["attributes"]["euca_boto.breaker.state"] == "closed"
    host = cloud.url.split("://", 1)[1].rstrip("/")
    assert span["attributes"]["euca_boto.breaker.name"] == f"localcloud/euprop@{host}"
    assert span["attributes"]["euca_boto.caller_context"] == "none"
    # One span per call: euca-boto annotates the instrumentation's span instead of adding one.
    assert len(found["spans"]) == 1
    assert span["kind"] == "CLIENT"
    if instrument:
        assert span["scope"] == "opentelemetry.instrumentation.botocore"
    else:
        assert (span["scope"], span["name"]) == ("euca_boto", "euprop.DescribeProperties")


def test_the_caller_context_kind_is_on_the_span(run: Any) -> None:
    span = call_span(run("--scene", "delegate", "--instrument"))
    assert span["attributes"]["euca_boto.caller_context"] == "delegate-account"


def test_a_call_that_fails_for_good_ends_its_own_span_as_an_error(
    cloud: LocalCloud, run: Any
) -> None:
    cloud.endpoint(0).fail(503, count=10)
    found = run()
    assert found["error"] == "ClientError"
    span = call_span(found)
    assert span["status"] == "ERROR"
    assert span["attributes"]["euca_boto.attempts"] == 3
    assert [d["euca_boto.action"] for d in events(span, "euca_boto.retry_decision")] == [
        "retry", "retry", "give_up"]


def test_metrics_are_exported_through_the_meter(cloud: LocalCloud, run: Any) -> None:
    cloud.endpoint(0).fail(503, count=2)
    points = run()["metrics"]
    calls = points["euca_boto.calls"]
    assert {"attributes": {"service": "euprop", "operation": "DescribeProperties"},
            "value": 1} in calls
    assert {"attributes": {"service": "euprop", "operation": "DescribeProperties"},
            "value": 2} in points["euca_boto.retries"]
    assert [p["value"] for p in points["euca_boto.call.duration"]] == [1]


@pytest.mark.parametrize("how", ["--without-otel", "--no-provider"])
def test_without_a_tracer_provider_nothing_is_imported_or_registered(run: Any, how: str) -> None:
    assert run(how) == {"error": None, "active": False, "imported": []}
