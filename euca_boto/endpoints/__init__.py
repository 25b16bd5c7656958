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

from euca_boto.endpoints.health import EjectionPolicy, Health, State
from euca_boto.endpoints.model import Endpoint, EndpointError
from euca_boto.endpoints.refresh import TopologyUpdater, keep_topology_updated
from euca_boto.endpoints.selector import EndpointRow, EndpointSelector, selector_of

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
