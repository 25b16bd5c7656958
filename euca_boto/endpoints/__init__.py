"""Topology-aware endpoint selection with failover.

Endpoints come from the profile (``static``), from DNS (``dns``) or from the cloud's own
DescribeServices (``describe-services``), chosen by ``euca_topology``. Each call tries them in
order: the preferred zone first, spread across endpoints, healthy ones before ejected ones;
an attempt that fails on the network or with a retriable 5xx moves the next attempt to the next
endpoint. Modules: :mod:`.model` (endpoints, errors), :mod:`.health` (ejection),
:mod:`.selection` (the order), :mod:`.refresh` (freshness, background updates),
:mod:`.sources` (static, DNS, topology), :mod:`.selector` (one per session), :mod:`.events`
(the botocore adapter).
"""

from __future__ import annotations

from euca_boto.core.namesakes import lazy_names

# Not typing's: this package is imported on the way of every client's creation.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from euca_boto.endpoints.health import EjectionPolicy, Health, State
    from euca_boto.endpoints.model import Endpoint, EndpointError
    from euca_boto.endpoints.refresh import TopologyUpdater, keep_topology_updated
    from euca_boto.endpoints.selector import EndpointRow, EndpointSelector, selector_of

# Where each name lives, imported on first use (PEP 562): a client with endpoints from the
# profile never needs the background refresh of DNS answers and topologies.
__getattr__ = lazy_names(__name__, {
    "EjectionPolicy": "euca_boto.endpoints.health",
    "Health": "euca_boto.endpoints.health",
    "State": "euca_boto.endpoints.health",
    "Endpoint": "euca_boto.endpoints.model",
    "EndpointError": "euca_boto.endpoints.model",
    "TopologyUpdater": "euca_boto.endpoints.refresh",
    "keep_topology_updated": "euca_boto.endpoints.refresh",
    "EndpointRow": "euca_boto.endpoints.selector",
    "EndpointSelector": "euca_boto.endpoints.selector",
    "selector_of": "euca_boto.endpoints.selector",
})

__all__ = [
    "EjectionPolicy",
    "Endpoint",
    "EndpointError",
    "EndpointRow",
    "EndpointSelector",
    "Health",
    "State",
    "TopologyUpdater",
    "keep_topology_updated",
    "selector_of",
]


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
