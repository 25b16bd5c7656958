"""Per service and operation metrics, in Python and in Prometheus text format."""

from __future__ import annotations

import threading

import prometheus_client
import pytest
from botocore.exceptions import ClientError

import euca_boto
from euca_boto.metrics import BUCKETS, FOLD_AT, METRICS, Metrics, register_collector
from euca_boto.testing import LocalCloud


def test_calls_failures_short_circuits_and_latency_are_recorded(
    cloud: LocalCloud, profile: str
) -> None:
    client = euca_boto.session(
        profile, euca_breaker_fail_max=2, euca_retry_max_attempts=2, euca_retry_base_delay=0,
        euca_retry_delay=0,
    ).client("euprop")
    client.describe_properties()
    cloud.endpoint(0).fail(503, count=4)
    for _ in range(2):
        with pytest.raises(ClientError):
            client.describe_properties()
    with pytest.raises(euca_boto.CircuitOpenError):
        client.describe_properties()

    figures = METRICS.get("euprop", "DescribeProperties")
    assert figures.calls == 3
    assert figures.failures == {"http-503": 2}
    assert figures.short_circuits == 1
    assert figures.retries == 2
    assert sum(figures.latency_buckets) == 3
    assert figures.latency_sum > 0


def test_prometheus_text_format() -> None:
    metrics = Metrics()
    metrics.record_call("euprop", "DescribeProperties", 0.03)
    metrics.record_call("euprop", "DescribeProperties", 0.2, failure="timeout", retries=3)
    metrics.record_short_circuit("euprop", "DescribeProperties")
    text = metrics.prometheus_text()
    labels = 'service="euprop",operation="DescribeProperties"'
    for line in [
        "# TYPE euca_boto_calls_total counter",
        f"euca_boto_calls_total{{{labels}}} 2",
        f'euca_boto_failures_total{{{labels},kind="timeout"}} 1',
        f"euca_boto_short_circuits_total{{{labels}}} 1",
        f"euca_boto_retries_total{{{labels}}} 3",
        "# TYPE euca_boto_call_duration_seconds histogram",
        f'euca_boto_call_duration_seconds_bucket{{{labels},le="0.025"}} 0',
        f'euca_boto_call_duration_seconds_bucket{{{labels},le="0.05"}} 1',
        f'euca_boto_call_duration_seconds_bucket{{{labels},le="0.25"}} 2',
        f'euca_boto_call_duration_seconds_bucket{{{labels},le="+Inf"}} 2',
        f"euca_boto_call_duration_seconds_count{{{labels}}} 2",
        f"euca_boto_call_duration_seconds_sum{{{labels}}} 0.23",
    ]:
        assert line in text.splitlines()


def test_the_text_parses_with_prometheus_client() -> None:
    from prometheus_client.parser import text_string_to_metric_families

    metrics = Metrics()
    metrics.record_call("s3", "ListBuckets", 0.5, failure="connection")
    families = {f.name: f for f in text_string_to_metric_families(metrics.prometheus_text())}
    assert families["euca_boto_failures"].samples[0].value == 1
    assert len(families["euca_boto_call_duration_seconds"].samples) == len(BUCKETS) + 2


def test_collector_exposes_the_figures_to_a_prometheus_registry() -> None:
    registry = prometheus_client.CollectorRegistry()
    metrics = Metrics()
    register_collector(registry, metrics)
    metrics.record_call("iam", "ListUsers", 0.01)
    assert registry.get_sample_value(
        "euca_boto_calls_total", {"service": "iam", "operation": "ListUsers"}
    ) == 1
    exposed = prometheus_client.generate_latest(registry).decode()
    assert 'euca_boto_call_duration_seconds_bucket{le="0.01",operation="ListUsers"' in exposed


def test_decorated_functions_are_recorded_under_the_breaker_name() -> None:
    @euca_boto.breaker("jobs")
    def run() -> int:
        return 1

    run()
    assert METRICS.get("jobs", run.__qualname__).calls == 1


def test_a_call_is_counted_without_waiting_for_a_reader_of_the_table() -> None:
    # Threads sharing a client count every call: none may wait while another reads the figures
    # (a Prometheus scrape) or counts its own.
    metrics = Metrics()
    metrics.record_call("euprop", "DescribeProperties", 0.01)
    counted = threading.Event()
    with metrics._lock:  # a reader in the middle of a snapshot
        worker = threading.Thread(target=lambda: (
            metrics.record_call("euprop", "DescribeProperties", 0.02, failure="http-503"),
            counted.set()))
        worker.start()
        assert counted.wait(timeout=10), "recording a call waited for the reader's lock"
    worker.join(timeout=10)
    figures = metrics.get("euprop", "DescribeProperties")
    assert (figures.calls, figures.failures) == (2, {"http-503": 1})
    assert figures.latency_sum == pytest.approx(0.03)


def test_calls_queued_past_the_fold_size_are_counted_once() -> None:
    metrics = Metrics()
    for i in range(FOLD_AT * 3 + 7):
        metrics.record_call("ec2", "DescribeInstances", 0.001, retries=i % 2)
    figures = metrics.get("ec2", "DescribeInstances")
    assert figures.calls == FOLD_AT * 3 + 7
    assert figures.retries == (FOLD_AT * 3 + 7) // 2
    assert sum(figures.latency_buckets) == figures.calls
