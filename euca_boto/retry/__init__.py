"""Retries for euca-boto clients, in place of botocore's own retry handler.

Four roles, as in botocore's ``retries/standard.py``:

* conditions (:mod:`.conditions`) say which failures are retriable at all;
* backoffs (:mod:`.backoff`) say how long to wait when the server names no delay;
* the policy (:mod:`.policy`) combines them with the limits (attempts, deadline, the
  ``Retry-After`` cap, the idempotency rule) into one decision per attempt;
* the handler (:mod:`.handler`) is the only part that meets botocore: through the adapter
  (:mod:`.adapter`) it turns events into :class:`RetryContext` objects, pays for retries from
  the service's :class:`RetryBudget` (:mod:`.budget` says which retries cost, and the load
  it bounds), sleeps, logs and reports.

Conditions, backoffs and the policy are plain objects a user composes and passes in::

    policy = RetryPolicy(
        retry_on=retry_if_status({429, 503}) | retry_if_connection_error(),
        backoff=wait_fixed(0.2) + wait_full_jitter(0.5, 10),
        max_attempts=4,
    )
    configure_retry(client, policy)

On the clients of an installed session this handler is the only one that retries: botocore's
``retry_mode`` and ``max_attempts`` (profile, environment or ``Config(retries=...)``) no longer
apply; the ``euca_retry_*`` settings do. (Adaptive mode's client-side rate limiter, which is
not a retry handler, still runs if chosen.)
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from euca_boto.core import process
from euca_boto.core.botocore_access import Emitter, client_emitter, session_emitter
from euca_boto.core.namesakes import lazy_names
from euca_boto.core.settings import parse_setting
from euca_boto.errors import ConfigError
from euca_boto.retry.budget import TTL, RetryBudget
from euca_boto.retry.handler import (
    RETRY_KEYS,
    AsyncSleep,
    CallState,
    Clock,
    RetryHandler,
    Sleep,
    awaits_handlers,
    budget_for,
    handler_of,
    register,
)

if TYPE_CHECKING:
    import botocore.session
    from botocore.client import BaseClient

    from euca_boto.retry.backoff import (
        Backoff,
        wait_exponential_jitter,
        wait_fixed,
        wait_full_jitter,
    )
    from euca_boto.retry.conditions import (
        RetryCondition,
        default_conditions,
        retry_if,
        retry_if_connection_error,
        retry_if_error_code,
        retry_if_malformed,
        retry_if_read_timeout,
        retry_if_status,
    )
    from euca_boto.retry.context import (
        NOT_APPLIED_STATUSES,
        READ_ONLY_PREFIXES,
        Outcome,
        RetryContext,
        may_change_state,
    )
    from euca_boto.retry.errors import AttemptRecord, RetryError
    from euca_boto.retry.policy import DEFAULT_STATUS_CODES, Policy, RetryDecision, RetryPolicy

# What decides a retry is imported with the first attempt that failed (PEP 562): a call that
# succeeds at once, nearly every call of a short-lived ``aws`` process, needs the handler and
# the budget only.
__getattr__ = lazy_names(__name__, {
    **dict.fromkeys(("Backoff", "wait_exponential_jitter", "wait_fixed", "wait_full_jitter"),
                    "euca_boto.retry.backoff"),
    **dict.fromkeys(("RetryCondition", "default_conditions", "retry_if",
                     "retry_if_connection_error", "retry_if_error_code", "retry_if_malformed",
                     "retry_if_read_timeout", "retry_if_status"), "euca_boto.retry.conditions"),
    **dict.fromkeys(("NOT_APPLIED_STATUSES", "READ_ONLY_PREFIXES", "Outcome", "RetryContext",
                     "may_change_state"), "euca_boto.retry.context"),
    **dict.fromkeys(("AttemptRecord", "RetryError"), "euca_boto.retry.errors"),
    **dict.fromkeys(("DEFAULT_STATUS_CODES", "Policy", "RetryDecision", "RetryPolicy"),
                    "euca_boto.retry.policy"),
})

__all__ = [
    "DEFAULT_STATUS_CODES",
    "NOT_APPLIED_STATUSES",
    "READ_ONLY_PREFIXES",
    "TTL",
    "AsyncSleep",
    "AttemptRecord",
    "Backoff",
    "CallState",
    "Outcome",
    "Policy",
    "RetryBudget",
    "RetryCondition",
    "RetryContext",
    "RetryDecision",
    "RetryError",
    "RetryHandler",
    "RetryPolicy",
    "awaits_handlers",
    "configure_retry",
    "default_conditions",
    "may_change_state",
    "reconfigure",
    "register_service",
    "retry_if",
    "retry_if_connection_error",
    "retry_if_error_code",
    "retry_if_malformed",
    "retry_if_read_timeout",
    "retry_if_status",
    "wait_exponential_jitter",
    "wait_fixed",
    "wait_full_jitter",
]

# The settings of the retry budget start with this.
BUDGET_PREFIX = "euca_retry_budget"

# One RetryBudget per (botocore session, service): every client of the service made from the
# session shares its tokens, and re-installing the plugin keeps them.
_BUDGETS: weakref.WeakKeyDictionary[Any, dict[str, RetryBudget]] = weakref.WeakKeyDictionary()
process.register("retry budgets", "per botocore session (weak keys), across re-installs",
                 _BUDGETS.clear, in_fork_child=process.keep)


def register_service(botocore_session: botocore.session.Session, service_id: str, settings: Any,
                     emitter: Emitter | None = None) -> RetryHandler:
    """Register the retry handler of one service on a session's emitter (install.py's hook),
    or on ``emitter`` (one client's, for the client plugin).

    ``settings`` is the service's view of the plugin's settings
    (:meth:`euca_boto.core.settings.Settings.for_service`).
    """
    budgets = _BUDGETS.setdefault(botocore_session, {})
    handler = RetryHandler.from_settings(service_id, settings, budgets.get(service_id))
    budgets[service_id] = handler.budget
    register(emitter or session_emitter(botocore_session), handler)
    return handler


def configure_retry(
    client: Any,
    policy: Policy | None = None,
    *,
    sleep: Sleep | None = None,
    clock: Clock | None = None,
    **settings: Any,
) -> RetryHandler:
    """Override the retry behaviour of one client, and return its new handler.

    Either pass a ``policy`` (a :class:`RetryPolicy` or any object with ``decide(ctx)``), or
    ``euca_retry_*`` settings, which change the client's current settings (those of its
    profile and service block if the session is installed, else the defaults).
    ``euca_retry_budget*`` settings give the client a budget of its own. ``sleep`` and ``clock``
    (seconds, monotonic) replace ``time.sleep`` and ``time.monotonic``.

    Works on any botocore client; on a client of a session without euca-boto it replaces
    botocore's retry handler. Raises :class:`~euca_boto.ConfigError` for a bad setting.
    """
    service_id = client.meta.service_model.service_id.hyphenize()
    if awaits_handlers(client_emitter(client)):
        raise TypeError(
            f"configure_retry({service_id} client): this is an aiobotocore client; use "
            f"`await euca_boto.aio.configure_retry(client, ...)`"
        )
    return reconfigure(client, handler_of(client_emitter(client), service_id), policy,
                       sleep=sleep, clock=clock, **settings)


def reconfigure(
    client: BaseClient,
    current: RetryHandler | None,
    policy: Policy | None = None,
    *,
    sleep: Sleep | None = None,
    clock: Clock | None = None,
    async_sleep: AsyncSleep | None = None,
    **settings: Any,
) -> RetryHandler:
    """:func:`configure_retry` given the client's ``current`` handler (None: it has none)."""
    service_id = client.meta.service_model.service_id.hyphenize()
    where = f"configure_retry({service_id} client)"
    parsed = {key: _parse_setting(key, raw, where) for key, raw in settings.items()}
    budget_keys = {key for key in parsed if key.startswith(BUDGET_PREFIX)}
    if policy is not None and set(parsed) - budget_keys:
        raise ConfigError(
            f"{where}: got both policy= and {', '.join(sorted(parsed))}; these settings "
            f"describe a RetryPolicy, so pass either a policy or settings "
            f"(the euca_retry_budget settings may go with a policy)"
        )
    base = current or RetryHandler.from_settings(service_id, {})
    merged = {**base.settings, **parsed}
    if policy is None and set(parsed) - budget_keys:
        from euca_boto.retry.policy import RetryPolicy

        policy = RetryPolicy.from_settings(merged)
    budget = budget_for(merged, None) if budget_keys else None
    handler = base.with_changes(policy=policy, budget=budget, settings=merged,
                                sleep=sleep, clock=clock, async_sleep=async_sleep)
    register(client_emitter(client), handler)
    return handler


def _parse_setting(key: str, raw: Any, where: str) -> Any:
    if key not in RETRY_KEYS:
        import difflib  # only for a misspelt setting

        near = difflib.get_close_matches(key, RETRY_KEYS, n=1, cutoff=0.6)
        hint = f"; did you mean {near[0]}?" if near else f"; known: {', '.join(RETRY_KEYS)}"
        raise ConfigError(f"{where}: unknown retry setting {key!r}{hint}")
    return parse_setting(key, raw, where)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
