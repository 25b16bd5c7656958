"""OpenTelemetry: euca-boto's decisions on each call's span, and its metrics through a meter.

Where ``opentelemetry-api`` is installed, every call of an installed session records on its
span what euca-boto decided: each attempt and the endpoint it went to, each retry with its wait
and why, the number of attempts and the time slept, the breaker that admitted the call and in
which state, and the kind of caller context. The span is the one
``opentelemetry-instrumentation-botocore`` opened for the call; without that instrumentation
euca-boto opens a client span of its own. :func:`instrument_metrics` exports the figures of
:mod:`euca_boto.metrics` through an OpenTelemetry meter as well.

Where no tracer provider is set up (and no metrics exported) when a service's first client is
created, nothing is registered for it, so its calls pay nothing; where OpenTelemetry's trace API
was never imported, not even this module is. Nothing of OpenTelemetry is imported by euca-boto
in any case until :func:`instrument_metrics` is called.
"""

from __future__ import annotations

import sys
import time
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from euca_boto import context as caller
from euca_boto.core import process
from euca_boto.core.parsing import parse_failure
from euca_boto.metrics import METRICS, Metrics

if TYPE_CHECKING:
    from euca_boto.core.botocore_access import Emitter

__all__ = ["instrument_metrics", "note_breaker", "register"]

_KEY = "euca_boto_telemetry"
_RETRY_KEY = "euca_boto_retry"  # the retry handler's state of the call (retry/handler.py)
_SCOPE = "euca_boto"

# The breaker that admitted the call being made here: set by the breaker's guard, which runs
# before botocore (and so before the call's span exists), read when the span is annotated.
_breaker: ContextVar[tuple[str, str] | None] = ContextVar("euca_boto_breaker", default=None)

#: Whether spans are annotated; set once OpenTelemetry is found by :func:`register`.
ACTIVE = False


def note_breaker(name: str, probe: bool) -> None:
    """Remember which breaker admitted the call about to be made, and in which state."""
    _breaker.set((name, "half-open" if probe else "closed"))


def caller_kind() -> str:
    """The kind of caller context in effect: ``none``, or its parts joined by ``+``."""
    current = caller.current()
    if current is None:
        return "none"
    parts = [
        kind for kind, present in (
            ("delegate-account", current.delegate_account),
            ("role", current.role_arn),
            ("impersonation", current.impersonate_user),
        ) if present
    ]
    return "+".join(parts) or "none"


class _CallTrace:
    """What the handlers keep about one call between its events."""

    __slots__ = ("span", "token", "own", "attempts", "started")

    def __init__(self, span: Any, token: Any, own: bool) -> None:
        self.span, self.token, self.own = span, token, own
        self.attempts = 0
        self.started = time.monotonic()


class SpanHandlers:
    """The botocore event handlers that annotate the spans of one service's calls."""

    def __init__(self, service_id: str) -> None:
        from opentelemetry import trace

        self.service_id = service_id
        self._trace = trace
        self._tracer = trace.get_tracer(_SCOPE)
        self._sdk = False

    def _sdk_configured(self) -> bool:
        """Whether a tracer provider that records was set (it can be set only once, so a yes
        is kept); until then a call skips the span work, which would record nothing."""
        if not self._sdk:
            provider = self._trace.get_tracer_provider()
            self._sdk = not isinstance(
                provider, (self._trace.ProxyTracerProvider, self._trace.NoOpTracerProvider))
        return self._sdk

    def before_call(self, model: Any, context: dict[str, Any], **kwargs: Any) -> None:
        from opentelemetry import context as otel_context

        span = self._trace.get_current_span()
        own = not span.is_recording()
        token = None
        if own and not self._sdk_configured():
            return
        if own:
            span = self._tracer.start_span(
                f"{self.service_id}.{model.name}", kind=self._trace.SpanKind.CLIENT,
                attributes={"rpc.system": "aws-api", "rpc.service": self.service_id,
                            "rpc.method": model.name},
            )
            if not span.is_recording():
                return
            token = otel_context.attach(self._trace.set_span_in_context(span))
        context[_KEY] = _CallTrace(span, token, own)
        span.set_attribute("euca_boto.caller_context", caller_kind())
        admitted = _breaker.get()
        if admitted is not None:
            span.set_attribute("euca_boto.breaker.name", admitted[0])
            span.set_attribute("euca_boto.breaker.state", admitted[1])

    def request_created(self, request: Any, **kwargs: Any) -> None:
        trace = getattr(request, "context", {}).get(_KEY)
        if trace is None:
            return
        trace.attempts += 1
        parts = urlsplit(request.url)
        trace.span.add_event("euca_boto.attempt", {
            "euca_boto.attempt": trace.attempts,
            # Scheme, host and path only: a presigned query string may carry credentials.
            "euca_boto.endpoint": f"{parts.scheme}://{parts.netloc}{parts.path}",
        })

    def after_call(self, context: dict[str, Any], **kwargs: Any) -> None:
        if _KEY not in context:
            return
        error = kwargs.get("exception")
        failure = None if error is None else f"{type(error).__name__}: {error}"
        response = kwargs.get("http_response")
        status = getattr(response, "status_code", 200)
        if failure is None and status >= 300:
            # botocore raises the ClientError after this event, from the parsed error.
            parsed = kwargs.get("parsed") or {}
            code = parsed.get("Error", {}).get("Code", "") if isinstance(parsed, dict) else ""
            failure = f"HTTP {status} {code}".strip()
        elif failure is None and parse_failure(kwargs.get("parsed")) is not None:
            # MalformedResponseError is raised after this event (parsing.py).
            failure = f"HTTP {status} malformed answer"
        self._finish(context, error, failure)

    def _finish(self, context: dict[str, Any], error: BaseException | None,
                failure: str | None) -> None:
        trace: _CallTrace | None = context.pop(_KEY, None)
        if trace is None:
            return
        span = trace.span
        state = context.get(_RETRY_KEY)
        if state is not None:
            for record in state.history:
                span.add_event("euca_boto.retry_decision", {
                    "euca_boto.attempt": record.attempt,
                    "euca_boto.reason": record.reason,
                    "euca_boto.action": record.action,
                    "euca_boto.wait_seconds": record.delay,
                    "euca_boto.wait_source": record.delay_source,
                })
            span.set_attribute("euca_boto.slept_seconds", state.slept)
        span.set_attribute("euca_boto.attempts", trace.attempts)
        _record_duration(self.service_id, time.monotonic() - trace.started, failure)
        if not trace.own:
            return
        if error is not None:
            span.record_exception(error)
        if failure is not None:
            span.set_status(self._trace.Status(self._trace.StatusCode.ERROR, failure))
        span.end()
        if trace.token is not None:
            from opentelemetry import context as otel_context

            otel_context.detach(trace.token)


def _configured() -> bool:
    """Whether this process records spans (an SDK tracer provider is set) or exports metrics.

    A process that set a tracer provider has imported ``opentelemetry.trace``, so where it is
    not imported the answer is no without importing anything.
    """
    if _duration is not None:
        return True
    trace = sys.modules.get("opentelemetry.trace")
    if trace is None:
        return False
    provider = trace.get_tracer_provider()
    return not isinstance(provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider))


def register(emitter: Emitter, service_id: str) -> None:
    """Annotate the spans of ``service_id``'s calls, if this process traces with OpenTelemetry.

    Registered when the service's first client is created: a tracer provider set up later than
    that is seen by the clients of services (and sessions) created after it.
    """
    global ACTIVE
    if not _configured():
        return
    ACTIVE = True
    from euca_boto.breakers.guard import note_admissions

    note_admissions(note_breaker)
    handlers = SpanHandlers(service_id)
    sid = service_id
    # Last: a handler before it that raises must not leave this call's span attached.
    emitter.register_last(f"before-call.{sid}", handlers.before_call,
                          unique_id=f"euca-boto-telemetry-before-call-{sid}")
    emitter.register(f"request-created.{sid}", handlers.request_created,
                     unique_id=f"euca-boto-telemetry-request-created-{sid}")
    emitter.register(f"after-call.{sid}", handlers.after_call,
                     unique_id=f"euca-boto-telemetry-after-call-{sid}")
    emitter.register(f"after-call-error.{sid}", handlers.after_call,
                     unique_id=f"euca-boto-telemetry-after-call-error-{sid}")


# Metrics ---------------------------------------------------------------------------------------

_duration: Any = None


def _forget_duration() -> None:
    global _duration
    _duration = None


process.register("opentelemetry duration histogram", "per process, from instrument_metrics()",
                 _forget_duration, in_fork_child=process.keep)


def _record_duration(service: str, seconds: float, failure: str | None) -> None:
    if _duration is not None:
        _duration.record(seconds, {"service": service, "failed": failure is not None})


def instrument_metrics(meter_provider: Any = None, metrics: Metrics = METRICS) -> None:
    """Export euca-boto's call metrics through an OpenTelemetry meter.

    ``meter_provider`` defaults to the global one. The counters of :mod:`euca_boto.metrics`
    (calls, failures by kind, short circuits, retries) become observable counters read at each
    collection; ``euca_boto.call.duration`` is a histogram of calls, retries included.
    """
    global _duration
    try:
        from opentelemetry import metrics as otel_metrics
        from opentelemetry.metrics import CallbackOptions, Observation
    except ImportError:
        raise ImportError(
            "euca_boto.telemetry.instrument_metrics needs OpenTelemetry: "
            "pip install 'euca-boto[otel]'"
        ) from None
    meter = (meter_provider or otel_metrics.get_meter_provider()).get_meter(_SCOPE)

    def observe(field: str) -> Any:
        def callback(options: CallbackOptions) -> list[Observation]:
            found = []
            for (service, operation), entry in metrics.snapshot().items():
                labels = {"service": service, "operation": operation}
                if field == "failures":
                    found += [Observation(count, {**labels, "kind": kind})
                              for kind, count in entry.failures.items()]
                else:
                    found.append(Observation(getattr(entry, field), labels))
            return found
        return callback

    for field, description in (
        ("calls", "Calls sent, per service and operation."),
        ("failures", "Calls that failed after retries, by kind of failure."),
        ("short_circuits", "Calls refused by an open circuit breaker, never sent."),
        ("retries", "Retries made inside calls."),
    ):
        meter.create_observable_counter(f"euca_boto.{field}", callbacks=[observe(field)],
                                        description=description)
    _duration = meter.create_histogram(
        "euca_boto.call.duration", unit="s", description="Duration of calls, retries included.")
