"""Per service and operation call metrics, readable from Python and in Prometheus text format.

The breaker's guard around each logical call is the one place that sees every call, its
outcome and its duration, so it records here: calls, failures by kind, short-circuits (calls a
breaker refused), retries (botocore's ``RetryAttempts``) and a latency histogram. Exposition
needs nothing extra; :func:`register_collector` hands the same figures to ``prometheus_client``
(the ``prometheus`` extra) for applications that already serve its registry.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Iterator
from typing import Any

from euca_boto.core import process
from euca_boto.core.records import slots_repr

# Upper bounds of the latency histogram's buckets, in seconds.
BUCKETS: tuple[float, ...] = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, math.inf,
)


class OperationMetrics:
    """The figures of one (service, operation) pair."""

    __slots__ = ("calls", "failures", "short_circuits", "retries", "latency_buckets",
                 "latency_sum")

    def __init__(self) -> None:
        self.calls = 0
        self.failures: dict[str, int] = {}
        self.short_circuits = 0
        self.retries = 0
        self.latency_buckets = [0] * len(BUCKETS)
        self.latency_sum = 0.0

    def copy(self) -> OperationMetrics:
        copied = OperationMetrics()
        copied.calls, copied.short_circuits, copied.retries = (
            self.calls, self.short_circuits, self.retries)
        copied.failures, copied.latency_buckets = dict(self.failures), list(self.latency_buckets)
        copied.latency_sum = self.latency_sum
        return copied

    def __repr__(self) -> str:
        return slots_repr(self)


# Calls recorded without the lock wait in a queue; past this many, the recording thread folds
# them into the table (a program that never reads its metrics keeps no more than this).
FOLD_AT = 512


class Metrics:
    """A thread-safe table of :class:`OperationMetrics` keyed by (service, operation).

    A call is recorded without the lock: appended to a queue (one atomic ``deque.append``), and
    counted into the table by whoever next takes the lock to read or clear it, or by the
    recording thread once :data:`FOLD_AT` wait. Threads sharing a client so never take a lock
    to count their calls.
    """

    def __init__(self) -> None:
        self._lock = process.lock()
        self._table: dict[tuple[str, str], OperationMetrics] = {}
        # (service, operation, seconds, failure, retries) of calls not yet in the table
        self._pending: deque[tuple[str, str, float, str | None, int]] = deque()

    def _entry(self, service: str, operation: str) -> OperationMetrics:
        key = (service, operation)
        entry = self._table.get(key)
        if entry is None:
            entry = self._table[key] = OperationMetrics()
        return entry

    def record_call(
        self,
        service: str,
        operation: str,
        seconds: float,
        failure: str | None = None,
        retries: int = 0,
    ) -> None:
        """One call that went out: its duration, its failure kind (None if it did not fail)."""
        pending = self._pending
        pending.append((service, operation, seconds, failure, retries))
        if len(pending) >= FOLD_AT:
            with self._lock:
                self._fold()

    def _fold(self) -> None:
        """Count the queued calls into the table. Lock held."""
        pending, table = self._pending, self._table
        while pending:
            try:
                service, operation, seconds, failure, retries = pending.popleft()
            except IndexError:  # another thread took the last one (popleft without the lock)
                break
            key = (service, operation)
            entry = table.get(key)
            if entry is None:
                entry = table[key] = OperationMetrics()
            entry.calls += 1
            entry.latency_buckets[bisect.bisect_left(BUCKETS, seconds)] += 1  # first bound >=
            entry.latency_sum += seconds
            if retries:
                entry.retries += retries
            if failure is not None:
                entry.failures[failure] = entry.failures.get(failure, 0) + 1

    def record_short_circuit(self, service: str, operation: str) -> None:
        """One call a breaker refused without sending it."""
        with self._lock:
            self._entry(service, operation).short_circuits += 1

    def snapshot(self) -> dict[tuple[str, str], OperationMetrics]:
        """A copy of every entry, keyed by (service, operation)."""
        with self._lock:
            self._fold()
            return {key: entry.copy() for key, entry in self._table.items()}

    def get(self, service: str, operation: str) -> OperationMetrics:
        """A copy of one entry (all zero if nothing was recorded)."""
        with self._lock:
            self._fold()
            entry = self._table.get((service, operation))
            return entry.copy() if entry else OperationMetrics()

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
            self._table.clear()

    def families(self) -> Iterator[tuple[str, str, str, list[tuple[str, dict[str, str], float]]]]:
        """(name, type, help, samples) per metric family, the samples as (name, labels, value)."""
        table = sorted(self.snapshot().items())
        calls, failures, shorts, retries, latency = [], [], [], [], []
        for (service, operation), entry in table:
            labels = {"service": service, "operation": operation}
            calls.append(("euca_boto_calls_total", labels, float(entry.calls)))
            for kind, count in sorted(entry.failures.items()):
                failures.append(
                    ("euca_boto_failures_total", {**labels, "kind": kind}, float(count))
                )
            shorts.append(("euca_boto_short_circuits_total", labels, float(entry.short_circuits)))
            retries.append(("euca_boto_retries_total", labels, float(entry.retries)))
            cumulative = 0
            for bound, count in zip(BUCKETS, entry.latency_buckets, strict=True):
                cumulative += count
                le = "+Inf" if math.isinf(bound) else repr(bound)
                latency.append(
                    ("euca_boto_call_duration_seconds_bucket", {**labels, "le": le},
                     float(cumulative))
                )
            latency.append(("euca_boto_call_duration_seconds_sum", labels, entry.latency_sum))
            latency.append(("euca_boto_call_duration_seconds_count", labels, float(cumulative)))
        yield ("euca_boto_calls_total", "counter", "Calls sent, per service and operation.",
               calls)
        yield ("euca_boto_failures_total", "counter",
               "Calls that failed after retries, by kind of failure.", failures)
        yield ("euca_boto_short_circuits_total", "counter",
               "Calls refused by an open circuit breaker, never sent.", shorts)
        yield ("euca_boto_retries_total", "counter", "Retries made inside calls.", retries)
        yield ("euca_boto_call_duration_seconds", "histogram",
               "Duration of calls, retries included.", latency)

    def prometheus_text(self) -> str:
        """Every figure in the Prometheus text exposition format (version 0.0.4)."""
        lines = []
        for name, kind, help_text, samples in self.families():
            lines.append(f"# HELP {name} {help_text}")
            lines.append(f"# TYPE {name} {kind}")
            for sample, labels, value in samples:
                rendered = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
                lines.append(f"{sample}{{{rendered}}} {_number(value)}")
        return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


class _Collector:
    """Hands the figures of a :class:`Metrics` to a ``prometheus_client`` registry."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import Metric

        for name, kind, help_text, samples in self._metrics.families():
            family = Metric(name.removesuffix("_total"), help_text, kind)
            for sample, labels, value in samples:
                family.add_sample(sample, labels, value)
            yield family


METRICS = Metrics()
# A fork child's figures are its own calls: the parent's stay the parent's, and a fleet of
# workers summed together counts each call once.
process.register("call metrics", "per process", METRICS.clear, in_fork_child=METRICS.clear)


def register_collector(registry: Any = None, metrics: Metrics = METRICS) -> Any:
    """Expose ``metrics`` through ``prometheus_client`` (its default registry when omitted).

    Raises ``ImportError`` with the install command when ``prometheus_client`` is missing.
    """
    try:
        from prometheus_client import REGISTRY
    except ImportError:
        raise ImportError(
            "euca_boto.metrics.register_collector needs prometheus_client: "
            "pip install 'euca-boto[prometheus]'"
        ) from None
    collector = _Collector(metrics)
    (registry or REGISTRY).register(collector)
    return collector


def snapshot() -> dict[tuple[str, str], OperationMetrics]:
    """Every figure recorded in this process, keyed by (service, operation)."""
    return METRICS.snapshot()


def prometheus_text() -> str:
    """Every figure recorded in this process, in Prometheus text format."""
    return METRICS.prometheus_text()
