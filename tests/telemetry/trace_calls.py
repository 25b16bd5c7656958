"""Make calls through an installed session with OpenTelemetry's SDK, print what it recorded.

Run in its own process (a tracer provider is set once per process): ``--instrument`` turns on
opentelemetry-instrumentation-botocore, ``--scene`` picks the calls, ``--without-otel`` makes
OpenTelemetry unimportable before euca_boto is imported, ``--no-provider`` sets no tracer
provider. Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

parser = argparse.ArgumentParser()
parser.add_argument("--instrument", action="store_true")
parser.add_argument("--without-otel", action="store_true")
parser.add_argument("--no-provider", action="store_true")
parser.add_argument("--scene", choices=["describe", "delegate", "fail"], default="describe")
args = parser.parse_args()

if args.without_otel:
    sys.modules["opentelemetry"] = None  # type: ignore[assignment]  # the documented import block

import euca_boto  # noqa: E402
from euca_boto import telemetry  # noqa: E402


def calls(session: Any) -> str | None:
    """Make the scene's calls; the error's class name if the last one failed."""
    try:
        if args.scene == "delegate":
            with euca_boto.caller_context(delegate_account="acme"):
                session.client("iam").list_users()
        else:
            session.client("euprop").describe_properties(Properties=["dns."])
    except Exception as error:  # reported, and the spans tell the rest
        return type(error).__name__
    return None


session = euca_boto.session(profile_name="localcloud", euca_retry_base_delay=0.001,
                            euca_retry_delay=0.01, euca_retry_max_attempts=3)
if args.without_otel or args.no_provider:
    error = calls(session)
    print(json.dumps({"error": error, "active": telemetry.ACTIVE,
                      "imported": sorted(name for name, module in sys.modules.items()
                                        if name.startswith("opentelemetry") and module)}))
    sys.exit(0)

from opentelemetry import metrics, trace  # noqa: E402
from opentelemetry.sdk.metrics import MeterProvider  # noqa: E402
from opentelemetry.sdk.metrics.export import InMemoryMetricReader  # noqa: E402
from opentelemetry.sdk.trace import TracerProvider  # noqa: E402
from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (  # noqa: E402
    InMemorySpanExporter,
)

exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)
reader = InMemoryMetricReader()
metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
telemetry.instrument_metrics()
if args.instrument:
    from opentelemetry.instrumentation.botocore import BotocoreInstrumentor

    BotocoreInstrumentor().instrument()

error = calls(session)
spans = [{
    "name": span.name,
    "kind": span.kind.name,
    "scope": span.instrumentation_scope.name if span.instrumentation_scope else None,
    "status": span.status.status_code.name,
    "attributes": dict(span.attributes or {}),
    "events": [{"name": e.name, "attributes": dict(e.attributes or {})} for e in span.events],
} for span in exporter.get_finished_spans()]
points = {}
for resource in reader.get_metrics_data().resource_metrics:
    for scope in resource.scope_metrics:
        for metric in scope.metrics:
            for point in metric.data.data_points:
                value = getattr(point, "value", None)
                if value is None:
                    value = point.count
                points.setdefault(metric.name, []).append(
                    {"attributes": dict(point.attributes), "value": value})
print(json.dumps({"error": error, "spans": spans, "metrics": points}))
