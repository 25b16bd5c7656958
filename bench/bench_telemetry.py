"""What OpenTelemetry support costs a call, with and without a tracer provider set up.

Two installed sessions make the same ``euprop`` call, answered in-process at ``before-send`` so
that nothing but the client's own work is timed: one created before a tracer provider is set
(nothing of the telemetry is registered, as in a process without OpenTelemetry or with its API
but no SDK), one created after it, recording a span per call into memory. Interleaved rounds,
medians, the ratio to the first.

Run: .venv/bin/python bench/bench_telemetry.py [--rounds 5000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from botocore.awsrequest import AWSResponse  # noqa: E402
from harness import compare, report  # noqa: E402

import euca_boto  # noqa: E402
from euca_boto import telemetry  # noqa: E402

BODY = (b'<DescribePropertiesResponse xmlns="http://msgs.eucalyptus.com/"><correlationId>1'
        b"</correlationId><_return>true</_return><properties><item><name>dns.enabled</name>"
        b"<value>true</value></item></properties></DescribePropertiesResponse>")


class _Raw:
    def stream(self, **kwargs: Any) -> Any:
        yield BODY


def answer(request: Any, **kwargs: Any) -> AWSResponse:
    return AWSResponse(request.url, 200, {"Content-Type": "text/xml"}, _Raw())


def client(session: Any) -> Any:
    made = session.client("euprop")
    made.meta.events.register("before-send.euprop", answer)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config"
        config.write_text("[profile bench]\nregion = eucalyptus\n"
                          "euca_endpoint = http://127.0.0.1:1/\n")
        credentials = Path(tmp) / "credentials"
        credentials.write_text("[bench]\naws_access_key_id = AKIDBENCH\n"
                               "aws_secret_access_key = secret\n")
        os.environ.update(AWS_CONFIG_FILE=str(config),
                          AWS_SHARED_CREDENTIALS_FILE=str(credentials))
        # Created before any tracer provider is set: nothing of telemetry is registered, as
        # in a process without OpenTelemetry (or with its API but no SDK).
        untraced = client(euca_boto.session(profile_name="bench"))
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        traced = client(euca_boto.session(profile_name="bench"))
        assert telemetry.ACTIVE

        def untraced_call() -> Any:
            return untraced.describe_properties(Properties=["dns.enabled"])

        def traced_call() -> Any:
            exporter.clear()
            return traced.describe_properties(Properties=["dns.enabled"])

        print(report(f"{args.rounds} interleaved rounds, answered in-process (ratio to the first)",
                     compare([("no tracing (nothing registered)", untraced_call),
                              ("recording a span per call", traced_call)],
                             rounds=args.rounds, warmup=200)))


if __name__ == "__main__":
    main()
