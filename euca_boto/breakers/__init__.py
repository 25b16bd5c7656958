"""Circuit breakers: stop calling a service that keeps failing, and probe until it recovers.

One breaker per profile and service (or per operation) sits above retry and failover: a logical
call is one observation, however many attempts it made. When open, calls fail at once with
:class:`~euca_boto.breakers.breaker.CircuitOpenError` and send nothing. State lives in the
process, in a state file shared by the processes of one machine, or in Redis for a fleet.

``euca_boto.breakers`` is also the public function :func:`breakers`, which ``euca_boto`` imports
from here when it is imported itself, so this module imports nothing else: the breakers are in
:mod:`.breaker` and :mod:`.registry`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from euca_boto.breakers.breaker import BreakerInfo


def breakers() -> list[BreakerInfo]:
    """Name, state, window (calls, failure rate), opened-at and next probe of every breaker of
    this process."""
    from euca_boto.breakers.registry import REGISTRY

    return [b.info() for b in REGISTRY.all()]
