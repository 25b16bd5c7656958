"""euca-boto: makes a Eucalyptus cloud a first-class target of boto3, botocore and the AWS CLI.

The public API is what this module exports; everything else is internal.
"""

from euca_boto import aio, metrics
from euca_boto.circuit import (
    BreakerInfo,
    CircuitOpenError,
    StateChange,
    add_breaker_listener,
    breaker,
    breakers,
    get_breaker,
    remove_breaker_listener,
)
from euca_boto.context import CallerContext, CallerContextError, caller_context
from euca_boto.endpoints import (
    EndpointError,
    TopologyUpdater,
    keep_topology_updated,
    selector_of,
)
from euca_boto.errors import ConfigError, EucaBotoError, MalformedResponseError
from euca_boto.futures import futures
from euca_boto.install import install, session
from euca_boto.models import models_path
from euca_boto.proxy import protect
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
)
from euca_boto.wirelog import WireLogSwitch, wire_log

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
