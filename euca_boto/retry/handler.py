"""The retry handler: botocore's events in, the policy's decisions carried out.

Per call it keeps a :class:`CallState` in botocore's per-call ``context`` dict (fresh for every
call), asks the policy after every attempt, pays for retries from the service's budget, sleeps
(through an injectable ``sleep``), logs each retry, reports the attempts in the response
metadata (with the attempt history when the call failed) and, when it gives up on an exception,
raises a :class:`~euca_boto.retry.errors.RetryError` that carries the history. Its listeners
(:func:`add_retry_listener`) are told of every retry it decides on, before it waits.

It takes botocore's own retry handler's place: it is registered on ``needs-retry.<service>``
under the unique id botocore's handler takes (``retry-config-<service>``), so botocore's
registration of its own handler under that id on a new client is skipped and attempts are never
multiplied.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from euca_boto.core import process
from euca_boto.core.botocore_access import (
    Emitter,
    awaits_handlers,
    handlers_of,
    retry_handler_unique_id,
)
from euca_boto.core.dispatch import event_step
from euca_boto.core.parsing import parse_failure
from euca_boto.core.settings import BY_KEY
from euca_boto.retry.budget import RetryBudget

if TYPE_CHECKING:
    # What decides a retry: imported with the first attempt that failed (see _plan), not by
    # every process whose calls succeed.
    from euca_boto.retry.adapter import RetryEventAdapter
    from euca_boto.retry.context import RetryContext
    from euca_boto.retry.errors import AttemptRecord
    from euca_boto.retry.policy import Policy, RetryDecision

logger = logging.getLogger("euca_boto.retry")

Sleep = Callable[[float], None]
AsyncSleep = Callable[[float], Awaitable[Any]]
Clock = Callable[[], float]

CONTEXT_KEY = "euca_boto_retry"
RETRY_KEYS: tuple[str, ...] = tuple(k for k in BY_KEY if k.startswith("euca_retry_"))


class CallState:
    """What the handler remembers about one call, between its attempts."""

    __slots__ = ("started", "attempt_started", "attempts", "slept", "busy", "history",
                 "stop_reason", "gave_up")

    def __init__(self, started: float, attempt_started: float) -> None:
        self.started = started
        self.attempt_started = attempt_started
        self.attempts = 0
        self.slept = 0.0
        self.busy = 0.0  # time spent in attempts (not sleeping)
        self.history: list[AttemptRecord] = []
        self.stop_reason: str | None = None
        self.gave_up = False

    @property
    def report_due(self) -> bool:
        """Whether the final error should tell the retry story: a retriable failure was given
        up on, or there was more than one attempt."""
        return self.gave_up or len(self.history) > 1

    def report(self) -> str:
        from euca_boto.retry.errors import history_text

        return history_text(self.stop_reason or "", self.history)


class RetryHandler:
    """Carries out a policy for one service's calls; its methods are botocore event handlers.

    ``settings`` are the ``euca_retry_*`` settings the policy was made from, kept so that a
    per-client override can change some of them; a ``policy`` of None is the one they describe
    (:meth:`RetryPolicy.from_settings`), made when first needed. ``budget`` is shared by every
    handler that should share retry tokens (all clients of a service in a session, by default).
    """

    def __init__(
        self,
        service_id: str,
        policy: Policy | None,
        budget: RetryBudget | None = None,
        *,
        settings: Mapping[str, Any] | None = None,
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
        wall_clock: Clock = time.time,
        async_sleep: AsyncSleep | None = None,
    ) -> None:
        self.service_id = service_id
        self._policy = policy
        self.budget = budget if budget is not None else RetryBudget(enabled=False)
        self.settings: dict[str, Any] = dict(settings or {})
        self.sleep = sleep
        self.async_sleep: AsyncSleep = async_sleep or _asyncio_sleep
        self.clock = clock
        self.wall_clock = wall_clock
        self._adapter: RetryEventAdapter | None = None

    @property
    def policy(self) -> Policy:
        """The policy this handler carries out."""
        policy = self._policy
        if policy is None:  # two threads may both make it: equal policies, either will do
            from euca_boto.retry.policy import RetryPolicy

            policy = self._policy = RetryPolicy.from_settings(self.settings)
        return policy

    @classmethod
    def from_settings(
        cls, service_id: str, settings: Mapping[str, Any], budget: RetryBudget | None = None
    ) -> RetryHandler:
        # euca_progress too: the handler's listeners read it (see retry/progress).
        retry_settings = {k: settings[k] for k in (*RETRY_KEYS, "euca_progress") if k in settings}
        return cls(service_id, None, budget_for(retry_settings, budget), settings=retry_settings)

    def with_changes(self, policy: Policy | None = None, budget: RetryBudget | None = None,
                     settings: Mapping[str, Any] | None = None, sleep: Sleep | None = None,
                     clock: Clock | None = None,
                     async_sleep: AsyncSleep | None = None) -> RetryHandler:
        """A handler like this one, with the given parts replaced."""
        return RetryHandler(
            self.service_id,
            policy if policy is not None else self._policy,
            budget if budget is not None else self.budget,
            settings=settings if settings is not None else self.settings,
            sleep=sleep or self.sleep,
            clock=clock or self.clock,
            wall_clock=self.wall_clock,
            async_sleep=async_sleep or self.async_sleep,
        )

    # -- botocore event handlers --------------------------------------------------------------

    @event_step
    def before_call(self, event: dict[str, Any]) -> None:
        now = self.clock()
        event["context"][CONTEXT_KEY] = CallState(started=now, attempt_started=now)

    def needs_retry(self, **kwargs: Any) -> float | None:
        if self._succeeded(kwargs):
            return None
        planned = self._plan(kwargs)
        if planned is None:
            return None
        state, delay = planned
        if delay > 0:
            self.sleep(delay)
        self._resume(state, delay)
        # The handler has slept already; zero tells botocore to retry at once.
        return 0

    def needs_retry_async(self, **kwargs: Any) -> Awaitable[float] | None:
        """:meth:`needs_retry` for emitters that await what their handlers return (aiobotocore):
        the same decisions, but a retry is an awaitable that waits with ``async_sleep``, which
        leaves the event loop free. No retry returns None at once (no coroutine per call)."""
        if self._succeeded(kwargs):
            return None
        planned = self._plan(kwargs)
        if planned is None:
            return None
        return self._wait_and_retry(*planned)

    async def _wait_and_retry(self, state: CallState, delay: float) -> float:
        if delay > 0:
            await self.async_sleep(delay)
        self._resume(state, delay)
        return 0

    def _succeeded(self, kwargs: Mapping[str, Any]) -> bool:
        """The common case, kept cheap: an attempt that succeeded refills the budget and ends
        the call (its attempts noted for after-call's report)."""
        response = kwargs.get("response")
        if (response is None or kwargs.get("caught_exception") is not None
                or response[0].status_code >= 300 or parse_failure(response[1]) is not None):
            return False
        context = (kwargs.get("request_dict") or {}).get("context")
        state = context.get(CONTEXT_KEY) if context is not None else None
        if state is not None:
            state.attempts = kwargs["attempts"]
        self.budget.deposit()
        return True

    def _plan(self, kwargs: Mapping[str, Any]) -> tuple[CallState, float] | None:
        """Decide after an attempt that did not succeed: None to stop, else the call's state
        and the delay."""
        request_dict = kwargs.get("request_dict") or {}
        context = request_dict.setdefault("context", {})
        now = self.clock()
        state = context.get(CONTEXT_KEY)
        if state is None:  # the call began before this handler was registered
            state = context[CONTEXT_KEY] = CallState(started=now, attempt_started=now)
        state.attempts = kwargs["attempts"]
        state.busy += now - state.attempt_started
        adapter = self._adapter
        if adapter is None:
            from euca_boto.retry.adapter import RetryEventAdapter

            adapter = self._adapter = RetryEventAdapter(self.service_id)
        ctx = adapter.context(
            kwargs,
            elapsed=now - state.started,
            slept=state.slept,
            attempt_duration=state.busy / state.attempts,
            wall_now=self.wall_clock(),
        )
        if not ctx.failed:  # a 3xx: nothing to retry, nothing to refill
            return None

        from euca_boto.retry.errors import AttemptRecord, retry_error
        from euca_boto.retry.policy import RetryDecision

        decision = self.policy.decide(ctx)
        # Only a retry after an attempt that reached a server adds load: see retry/budget.
        if decision.retry and ctx.reached_server and not self.budget.try_spend():
            decision = RetryDecision.give_up(
                f"the retry budget of {ctx.service} is spent ({self.budget.describe()}): the "
                f"service is failing, so the error is reported at once instead of adding load"
            )
        state.history.append(AttemptRecord(ctx.attempt, ctx.reason, decision.action,
                                           decision.delay, decision.reason))
        if not decision.retry:
            state.stop_reason = decision.reason
            state.gave_up = decision.action == "give_up"
            if state.gave_up:
                logger.info(
                    "%s %s attempt %d failed: %s; giving up: %s",
                    ctx.service, ctx.operation, ctx.attempt, ctx.reason, decision.reason,
                    extra=_log_fields(ctx.service, ctx.operation, ctx.attempt, ctx.reason, None),
                )
            if ctx.exception is not None and state.report_due:
                raise retry_error(ctx.exception, decision.reason, state.history) from (
                    ctx.exception)
            return None

        logger.info(
            "%s %s attempt %d failed: %s; retrying in %.3f s (%s)",
            ctx.service, ctx.operation, ctx.attempt, ctx.reason, decision.delay, decision.reason,
            extra=_log_fields(ctx.service, ctx.operation, ctx.attempt, ctx.reason,
                              decision.delay),
        )
        for listener in _listeners:
            listener(ctx, decision, self)
        return state, decision.delay

    def _resume(self, state: CallState, slept: float) -> None:
        state.slept += slept
        state.attempt_started = self.clock()

    @event_step
    def after_call(self, event: dict[str, Any]) -> None:
        state = event["context"].get(CONTEXT_KEY)
        parsed = event["parsed"]
        if state is None or not isinstance(parsed, dict):
            return
        metadata = parsed.setdefault("ResponseMetadata", {})
        report: dict[str, Any] = {"Attempts": state.attempts, "Slept": state.slept}
        metadata["EucaRetry"] = report
        # The story only for a call that retried or gave up (report_due first: most did not).
        if state.report_due and (isinstance(parsed.get("Error"), dict)
                                 or parse_failure(parsed) is not None):
            # Beside the server's error, never inside it: its message stays the server's.
            report["StopReason"] = state.stop_reason or ""
            report["History"] = [record.describe() for record in state.history]

    def registrations(self) -> Iterator[tuple[str, Callable[..., Any], str]]:
        """(event, handler, unique id) of every registration this handler needs."""
        sid = self.service_id
        yield f"before-call.{sid}", self.before_call, f"euca-boto-retry-before-call-{sid}"
        yield f"needs-retry.{sid}", self.needs_retry, retry_handler_unique_id(sid)
        yield f"after-call.{sid}", self.after_call, f"euca-boto-retry-after-call-{sid}"

    def __repr__(self) -> str:
        return f"RetryHandler({self.service_id!r}, {self.policy!r}, {self.budget!r})"


if TYPE_CHECKING:
    # Told of every retry a handler decides on, before it waits: (context, decision, handler).
    RetryListener = Callable[[RetryContext, RetryDecision, RetryHandler], None]
# Replaced, never changed in place, so a handler iterates over a list no one is changing.
_listeners: tuple[RetryListener, ...] = ()
_listeners_lock = process.lock()


def add_retry_listener(listener: RetryListener) -> None:
    """Tell ``listener`` of every retry of every handler in this process (once, however often
    it is added). It runs on the calling thread, before the wait: keep it short."""
    global _listeners
    with _listeners_lock:
        if listener not in _listeners:
            _listeners = (*_listeners, listener)


def _forget_listeners() -> None:
    global _listeners
    with _listeners_lock:
        _listeners = ()


process.register("retry listeners", "per process, from add_retry_listener", _forget_listeners,
                 in_fork_child=process.keep)


def budget_for(settings: Mapping[str, Any], budget: RetryBudget | None) -> RetryBudget:
    """``budget`` (or a new one, if None) with the limits of the ``euca_retry_budget*``
    settings (missing ones take their defaults)."""

    def get(key: str) -> Any:
        return settings[key] if key in settings else BY_KEY[key].default

    limits = (get("euca_retry_budget_percent"), get("euca_retry_budget_min_rate"),
              get("euca_retry_budget"))
    if budget is None:
        return RetryBudget(limits[0], limits[1], enabled=limits[2])
    if budget.limits() != limits:
        budget.set_limits(*limits)
    return budget


async def _asyncio_sleep(delay: float) -> None:
    # asyncio is imported by the first asynchronous retry, not by every program that retries.
    import asyncio

    await asyncio.sleep(delay)


def register(emitter: Emitter, handler: RetryHandler) -> None:
    """Register ``handler`` on a botocore emitter, replacing whatever held its unique ids
    (botocore's handler on a client's emitter, or a previous euca-boto handler)."""
    awaits = awaits_handlers(emitter)
    for event, method, unique_id in handler.registrations():
        if awaits and method == handler.needs_retry:
            method = handler.needs_retry_async
        emitter.unregister(event, unique_id=unique_id)
        emitter.register(event, method, unique_id=unique_id)


def handler_of(emitter: Emitter, service_id: str) -> RetryHandler | None:
    """The euca-boto retry handler registered on ``emitter`` for a service, if any: the one
    whose decision botocore asks for after each attempt. Found among that event's handlers,
    not through an event of its own, which every client would copy."""
    for handler in handlers_of(emitter, f"needs-retry.{service_id}"):
        for step in getattr(handler, "steps", (handler,)):  # alone, or in a dispatcher
            owner = getattr(step, "__self__", None)
            if isinstance(owner, RetryHandler):
                return owner
    return None


def _log_fields(service: str, operation: str, attempt: int, reason: str,
                delay: float | None) -> dict[str, Any]:
    return {"euca_service": service, "euca_operation": operation, "euca_attempt": attempt,
            "euca_reason": reason, "euca_delay": delay}
