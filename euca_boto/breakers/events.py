"""A client's circuit breaker as botocore events, for clients that are not behind the
protected-client proxy: those the client plugin completes (clientplugin) and the AWS CLI's
(awscli_plugin), which calls its clients' methods directly.

``before-call`` asks the breaker (raising :class:`~euca_boto.CircuitOpenError` when it is open,
before anything is sent); ``after-call`` and ``after-call-error`` settle the call once retries
and failover are done with it.
"""

from __future__ import annotations

import functools
from typing import Any

from botocore.exceptions import ClientError

from euca_boto.breakers.breaker import Breaker
from euca_boto.breakers.guard import GuardedCall
from euca_boto.breakers.naming import named_breaker
from euca_boto.core.botocore_access import Emitter
from euca_boto.core.deferred import defer, run_pending
from euca_boto.metrics import METRICS

_CALL_KEY = "euca_boto_breaker_call"


class _Settled:
    """One admitted call; if the call never reaches its after-call event (a later before-call
    handler raised), dropping the request context settles it as not counted: by the next call,
    since the garbage collector may drop it on a thread that holds the breaker's store's lock."""

    __slots__ = ("call", "done")

    def __init__(self, call: GuardedCall) -> None:
        self.call = call
        self.done = False

    def finish(self, error: BaseException | None, result: Any = None) -> None:
        self.done = True
        if error is None:
            self.call.succeeded(result)
        else:
            self.call.failed(error)

    def __del__(self) -> None:
        if not self.done:
            self.done = True
            defer(functools.partial(self.call.breaker.settle, self.call.ticket, _NeverSent()))


class _NeverSent(Exception):
    """A call admitted by its breaker that stopped before it was sent (counts for nothing)."""


class CallBreaker:
    """A circuit breaker around each call of one client, as botocore events (see the
    module)."""

    def __init__(self, profile: str, service: str, settings: Any, endpoint_url: str) -> None:
        self.service = service
        self.name = f"{profile}/{service}"
        self.settings = settings
        self.endpoint_url = endpoint_url
        self.per_operation = settings["euca_breaker_scope"] == "operation"
        self.breaker: Breaker | None = None if self.per_operation else named_breaker(
            self.name, settings, endpoint_url)

    def register(self, emitter: Emitter, service_id: str) -> None:
        emitter.register_first(f"before-call.{service_id}", self.before_call,
                               unique_id=f"euca-boto-plugin-breaker-{service_id}")
        emitter.register(f"after-call.{service_id}", self.after_call,
                         unique_id=f"euca-boto-plugin-breaker-after-{service_id}")
        emitter.register(f"after-call-error.{service_id}", self.after_call_error,
                         unique_id=f"euca-boto-plugin-breaker-error-{service_id}")

    def before_call(self, model: Any, context: dict[str, Any], **kwargs: Any) -> None:
        run_pending()  # calls dropped since the last call give their probe slots back first
        operation = model.name
        breaker = self.breaker or named_breaker(f"{self.name}/{operation}", self.settings,
                                                self.endpoint_url)
        context[_CALL_KEY] = _Settled(GuardedCall(breaker, self.service, operation, METRICS))

    def after_call(self, http_response: Any, parsed: Any, model: Any,
                   context: dict[str, Any], **kwargs: Any) -> None:
        settled = context.pop(_CALL_KEY, None)
        if settled is None:
            return
        if http_response is not None and http_response.status_code >= 300:
            settled.finish(ClientError(parsed, model.name))
        else:
            settled.finish(None, parsed)

    def after_call_error(self, exception: BaseException, context: dict[str, Any],
                         **kwargs: Any) -> None:
        settled = context.pop(_CALL_KEY, None)
        if settled is not None:
            settled.finish(exception)
