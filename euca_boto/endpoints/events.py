"""The adapter between botocore's events and endpoint selection.

``before-call`` points the request at the first endpoint of the call's plan, before botocore
signs it. After every attempt, ``needs-retry`` is seen twice: first (before the retry decision)
to record the endpoint's health, last (after it) to move the next attempt to the plan's next
endpoint when this one failed; botocore re-signs each attempt, so the moved request is valid.
These handlers never ask for a retry themselves: whether there is a next attempt is the retry
policy's decision. ``after-call``/``after-call-error`` give back a probe the call did not use.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ConnectionError as BotocoreConnectionError
from botocore.exceptions import HTTPClientError

from euca_boto.core.botocore_access import (
    Emitter,
    awaits_handlers,
    context_of_request_dict,
    session_emitter,
)
from euca_boto.core.parsing import parse_failure
from euca_boto.core.statuses import REQUEST_STATUSES
from euca_boto.endpoints.selector import EndpointSelector, selector_of

if TYPE_CHECKING:
    import botocore.session

    # Only a service with endpoints to choose from has a route (endpoints/selector.py).
    from euca_boto.endpoints.selection import CallPlan, Route

logger = logging.getLogger("euca_boto.endpoints")

CONTEXT_KEY = "euca_boto_endpoints"


def endpoint_fault(status: int | None, exception: BaseException | None,
                   fault_statuses: frozenset[int], parsed: Any = None) -> str | None:
    """Why an attempt's outcome is the endpoint's failure, or None if the endpoint answered.

    Connection errors and timeouts are; so are the retriable statuses that say the endpoint is
    sick (502, 503, 504: ``fault_statuses``) and answers that could not be parsed. Any other
    answer, errors included, shows the endpoint alive: a 500 follows the request (a poison
    request gets it from every endpoint), so it ejects none by itself (but see
    :meth:`EndpointEvents.record_attempt`: one that another endpoint answers does).
    """
    if exception is not None:
        # Refused, connect timeout, TLS or proxy failure; read timeout, connection lost.
        if isinstance(exception, (BotocoreConnectionError, HTTPClientError)):
            return f"{type(exception).__name__}: {exception}"
        return None
    if status is not None and status in fault_statuses:
        return f"HTTP {status}"
    detail = parse_failure(parsed)
    if detail is not None:
        return f"malformed answer: {detail}"
    return None


class EndpointEvents:
    """botocore event handlers for one session's selector."""

    def __init__(self, selector: EndpointSelector) -> None:
        self.selector = selector

    # botocore passes every call its client's request signer: one object per client, which
    # stands for the client when the route gives each client its own window of endpoints.

    def before_call(self, model: Any, params: dict[str, Any], context: dict[str, Any],
                    request_signer: Any = None, **kwargs: Any) -> None:
        route = self._route_of(model, params)
        if route is not None:
            _apply(route, route.plan(params["url"], client=request_signer), params, context)

    def before_call_async(self, model: Any, params: dict[str, Any], context: dict[str, Any],
                          request_signer: Any = None,
                          **kwargs: Any) -> Awaitable[None] | None:
        """:meth:`before_call` for emitters that await what their handlers return
        (aiobotocore): endpoints that must be loaded first (a DNS lookup, a topology read, or
        waiting for another caller's) are loaded in a worker thread while the event loop goes
        on; otherwise the plan is made at once and nothing is awaited."""
        route = self._route_of(model, params)
        if route is None:
            return None
        if route.ready():
            _apply(route, route.plan(params["url"], client=request_signer), params, context)
            return None
        return self._load_then_plan(route, params, context, request_signer)

    @staticmethod
    async def _load_then_plan(route: Route, params: dict[str, Any], context: dict[str, Any],
                              client: Any) -> None:
        # Only the loading runs in the thread: a call cancelled meanwhile has claimed no probe.
        # The plan uses the tiers loaded there, so a short refresh period cannot make the
        # loop load them again.
        import asyncio  # only asynchronous programs pay for it

        tiers = await asyncio.to_thread(route.tiers)
        _apply(route, route.plan(params["url"], tiers, client), params, context)

    def _route_of(self, model: Any, params: dict[str, Any]) -> Route | None:
        """The route of a call, or None when the call is not routed."""
        route = self.selector.routes.get(model.service_model.service_name)
        if route is None:
            return None
        if not route.matches(params.get("url") or ""):
            return None  # a client created with its own endpoint_url: the caller chose
        return route

    def record_attempt(self, request_dict: dict[str, Any], response: Any = None,
                       caught_exception: BaseException | None = None, **kwargs: Any) -> None:
        found = _call_of(request_dict)
        if found is None:
            return
        route, plan = found
        status, parsed = (response[0].status_code, response[1]) if response else (None, None)
        plan.fault = endpoint_fault(status, caught_exception, route.fault_statuses, parsed)
        url = plan.current.url
        # A retry after a status that follows the request (a 500) tries another endpoint, in
        # case the error is this one's after all, without holding it against this one...
        plan.move = plan.fault is not None or status in REQUEST_STATUSES
        if status in REQUEST_STATUSES:
            plan.suspects[url] = f"HTTP {status}"
        if plan.fault is None:
            if route.board.succeeded(url):
                logger.info("%s endpoint %s answered again; it is back in rotation",
                            route.service, url)
            if plan.suspects and status is not None and status < 400:
                # ... unless another endpoint answers it: then it was, and it counts.
                for suspect, answer in plan.suspects.items():
                    if suspect != url:  # not the one that answered it on a retry
                        self._failed(route, suspect,
                                     f"{answer}, where {url} answered the same request")
                plan.suspects.clear()
            return
        self._failed(route, url, plan.fault)

    @staticmethod
    def _failed(route: Route, url: str, why: str) -> None:
        period = route.board.failed(url, route.ejection, why)
        logger.warning("%s endpoint %s failed (%s); left out for %.3g s",
                       route.service, url, why, period)

    def fail_over(self, request_dict: dict[str, Any], **kwargs: Any) -> None:
        found = _call_of(request_dict)
        if found is None:
            return
        route, plan = found
        if not plan.move or len(plan.endpoints) < 2:
            return
        failed = plan.current.url
        plan.advance()
        request_dict["url"] = plan.request_url
        logger.info("%s: the next attempt goes to %s instead of %s",
                    route.service, plan.current.url, failed)

    def finish(self, context: dict[str, Any], **kwargs: Any) -> None:
        found = context.get(CONTEXT_KEY)
        if found is None:
            return
        route, plan = found
        if plan.probe is not None and not plan.probed:
            route.board.release_probe(plan.probe.url)


def _apply(route: Route, plan: CallPlan, params: dict[str, Any],
           context: dict[str, Any]) -> None:
    params["url"] = plan.request_url
    context[CONTEXT_KEY] = (route, plan)


def _call_of(request_dict: dict[str, Any]) -> tuple[Route, CallPlan] | None:
    context = context_of_request_dict(request_dict)
    if context is None:
        return None
    found: tuple[Route, CallPlan] | None = context.get(CONTEXT_KEY)
    return found


def register_service(botocore_session: botocore.session.Session, service_id: str,
                     emitter: Emitter | None = None) -> None:
    """Register the endpoint handlers of one service on the session's emitter, or on
    ``emitter`` (one client's, for the client plugin)."""
    events = EndpointEvents(selector_of(botocore_session))
    emitter = emitter or session_emitter(botocore_session)
    sid = service_id
    before_call = events.before_call_async if awaits_handlers(emitter) else events.before_call
    emitter.register(f"before-call.{sid}", before_call,
                     unique_id=f"euca-boto-endpoints-before-call-{sid}")
    # First: the health of the attempt's endpoint is recorded even when the retry handler
    # gives up by raising. Last: the retry handler sees (and budgets) the URL that failed.
    emitter.register_first(f"needs-retry.{sid}", events.record_attempt,
                           unique_id=f"euca-boto-endpoints-health-{sid}")
    emitter.register_last(f"needs-retry.{sid}", events.fail_over,
                          unique_id=f"euca-boto-endpoints-failover-{sid}")
    emitter.register(f"after-call.{sid}", events.finish,
                     unique_id=f"euca-boto-endpoints-after-call-{sid}")
    emitter.register(f"after-call-error.{sid}", events.finish,
                     unique_id=f"euca-boto-endpoints-after-call-error-{sid}")


def creation_url(botocore_session: botocore.session.Session, service: str, settings: Any,
                 caller_url: str | None) -> str | None:
    """The endpoint hook of client creation (see :mod:`euca_boto.install`)."""
    return selector_of(botocore_session).creation_url(service, settings, caller_url)
