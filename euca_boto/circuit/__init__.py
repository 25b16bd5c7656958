"""Circuit breakers: stop calling a service that keeps failing, and probe until it recovers.

One breaker per profile and service (or per operation) sits above retry and failover: a logical
call is one observation, however many attempts it made. When open, calls fail at once with
:class:`CircuitOpenError` and send nothing. State lives in the process or, for a fleet, in Redis.
"""

from euca_boto.circuit.breaker import (
    Breaker,
    BreakerConfig,
    BreakerInfo,
    CircuitOpenError,
    StateChange,
    Verdict,
)
from euca_boto.circuit.registry import (
    REGISTRY,
    add_breaker_listener,
    breaker,
    breakers,
    get_breaker,
    remove_breaker_listener,
)

__all__ = [
    "REGISTRY",
    "Breaker",
    "BreakerConfig",
    "BreakerInfo",
    "CircuitOpenError",
    "StateChange",
    "Verdict",
    "add_breaker_listener",
    "breaker",
    "breakers",
    "get_breaker",
    "remove_breaker_listener",
]
