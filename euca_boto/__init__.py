"""euca-boto: makes a Eucalyptus cloud a first-class target of boto3, botocore and the AWS CLI.

The public API is what this module exports; everything else is internal.

Nothing is imported before it is used: each public name is imported on first access (boto3
too: the AWS CLI never loads it), and Redis, dnspython, asyncio, Prometheus' client, the tracker
and LocalCloud when a setting, a command or an asynchronous call needs them.
"""

from __future__ import annotations

import importlib

from euca_boto.core.namesakes import keep_functions

# Not typing's: ``euca-boto run`` starts by importing this package, and typing costs it
# milliseconds. Type checkers take the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from euca_boto import aio, metrics
    from euca_boto.breakers import breakers
    from euca_boto.breakers.breaker import BreakerInfo, CircuitOpenError, StateChange
    from euca_boto.breakers.client import protect
    from euca_boto.breakers.registry import (
        add_breaker_listener,
        breaker,
        get_breaker,
        remove_breaker_listener,
    )
    from euca_boto.context import (
        CallerContext,
        CallerContextError,
        caller_context,
    )
    from euca_boto.core.models import models_path
    from euca_boto.endpoints import (
        EndpointError,
        TopologyUpdater,
        keep_topology_updated,
        selector_of,
    )
    from euca_boto.errors import ConfigError, EucaBotoError, MalformedResponseError
    from euca_boto.futures import futures
    from euca_boto.install import install, session
    from euca_boto.retry import (
        RetryBudget,
        RetryContext,
        RetryDecision,
        RetryError,
        RetryPolicy,
        configure_retry,
        retry_if,
        retry_if_connection_error,
        retry_if_error_code,
        retry_if_read_timeout,
        retry_if_status,
        wait_exponential_jitter,
        wait_fixed,
        wait_full_jitter,
    )
    from euca_boto.wirelog import (
        WireLogSwitch,
        wire_log,
    )

# Where each public name lives: imported when first used (PEP 562), so `import euca_boto`
# costs next to nothing and a program pays only for the parts it uses.
_LAZY: dict[str, str] = {
    "install": "euca_boto.install",
    "session": "euca_boto.install",
    "futures": "euca_boto.futures",
    "BreakerInfo": "euca_boto.breakers.breaker",
    "CircuitOpenError": "euca_boto.breakers.breaker",
    "StateChange": "euca_boto.breakers.breaker",
    "add_breaker_listener": "euca_boto.breakers.registry",
    "breaker": "euca_boto.breakers.registry",
    "breakers": "euca_boto.breakers",
    "get_breaker": "euca_boto.breakers.registry",
    "remove_breaker_listener": "euca_boto.breakers.registry",
    "ConfigError": "euca_boto.errors",
    "EucaBotoError": "euca_boto.errors",
    "MalformedResponseError": "euca_boto.errors",
    "CallerContext": "euca_boto.context",
    "CallerContextError": "euca_boto.context",
    "caller_context": "euca_boto.context",
    "EndpointError": "euca_boto.endpoints",
    "TopologyUpdater": "euca_boto.endpoints",
    "keep_topology_updated": "euca_boto.endpoints",
    "selector_of": "euca_boto.endpoints",
    "models_path": "euca_boto.core.models",
    "protect": "euca_boto.breakers.client",
    "RetryBudget": "euca_boto.retry",
    "RetryContext": "euca_boto.retry",
    "RetryDecision": "euca_boto.retry",
    "RetryError": "euca_boto.retry",
    "RetryPolicy": "euca_boto.retry",
    "configure_retry": "euca_boto.retry",
    "retry_if": "euca_boto.retry",
    "retry_if_connection_error": "euca_boto.retry",
    "retry_if_error_code": "euca_boto.retry",
    "retry_if_read_timeout": "euca_boto.retry",
    "retry_if_status": "euca_boto.retry",
    "wait_exponential_jitter": "euca_boto.retry",
    "wait_fixed": "euca_boto.retry",
    "wait_full_jitter": "euca_boto.retry",
    "WireLogSwitch": "euca_boto.wirelog",
    "wire_log": "euca_boto.wirelog",
}

__version__ = "0.1.0"


def initialize_client_plugin(client: object) -> None:
    """botocore's client-plugin hook: ``BOTOCORE_EXPERIMENTAL__PLUGINS=euca=euca_boto``
    (see :mod:`euca_boto.clientplugin`)."""
    from euca_boto.clientplugin import initialize_client_plugin as initialize

    initialize(client)


__all__ = [
    "ConfigError",
    "EucaBotoError",
    "MalformedResponseError",
    "install",
    "models_path",
    "session",
    # retries
    "RetryBudget",
    "RetryContext",
    "RetryDecision",
    "RetryError",
    "RetryPolicy",
    "configure_retry",
    "retry_if",
    "retry_if_connection_error",
    "retry_if_error_code",
    "retry_if_read_timeout",
    "retry_if_status",
    "wait_exponential_jitter",
    "wait_fixed",
    "wait_full_jitter",
    # wire logging
    "WireLogSwitch",
    "wire_log",
    # caller context
    "CallerContext",
    "CallerContextError",
    "caller_context",
    # circuit breakers and metrics
    "BreakerInfo",
    "CircuitOpenError",
    "StateChange",
    "add_breaker_listener",
    "breaker",
    "breakers",
    "get_breaker",
    "metrics",
    "protect",
    "remove_breaker_listener",
    # endpoints
    "EndpointError",
    "TopologyUpdater",
    "keep_topology_updated",
    "selector_of",
    # asynchronous calls
    "aio",
    "futures",
    "initialize_client_plugin",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name in ("aio", "metrics"):
        # Submodules: ``euca_boto.aio`` on first use, since most programs never await anything.
        return importlib.import_module(f"euca_boto.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'euca_boto' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


keep_functions(__name__, "install", "futures", "breakers")
