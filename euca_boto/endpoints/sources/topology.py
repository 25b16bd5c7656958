"""Endpoints from the cloud's topology: DescribeServices on a bootstrap (Empyrean) endpoint.

Every ENABLED service is an endpoint of its component type (``compute``, ``euare``, ...), in
its partition, at its URI (reference §9.2). The answer carries the cloud-wide topology epoch:
when the topology is due for a reload, a small DescribeServices call reads the epoch first,
and only a changed epoch costs a full reload. The bootstrap endpoint is ``euca_endpoint``; if
it does not answer, the other ENABLED bootstrap services of the last topology are asked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from euca_boto.core.records import Record
from euca_boto.endpoints.model import DESCRIBE_SERVICES, Endpoint, EndpointError, normalize

BOOTSTRAP = "bootstrap"  # the component type of the Empyrean service

# url -> an ``euserv`` client pinned to that bootstrap URL
ClientFactory = Callable[[str], Any]


class Topology(Record):
    """The ENABLED services of a cloud at one epoch, by component type; ``source`` is the
    bootstrap URL it was read from."""

    __slots__ = ("epoch", "services", "source")

    def __init__(self, epoch: int, services: dict[str, tuple[Endpoint, ...]] | None = None,
                 source: str = "") -> None:
        self.epoch: Final = epoch
        self.services: Final[dict[str, tuple[Endpoint, ...]]] = services or {}
        self.source: Final = source

    def endpoints(self, component: str) -> tuple[Endpoint, ...]:
        return self.services.get(component, ())


def parse_topology(statuses: list[dict[str, Any]], source: str) -> Topology:
    """A topology from DescribeServices' ``ServiceStatuses``."""
    services: dict[str, list[Endpoint]] = {}
    epoch = 0
    for status in statuses:
        epoch = max(epoch, int(status.get("LocalEpoch") or 0))
        if status.get("LocalState") != "ENABLED":
            continue
        service_id = status.get("ServiceId") or {}
        uri = service_id.get("Uri") or next(iter(service_id.get("Uris") or []), None)
        kind = service_id.get("Type")
        if not uri or not kind:
            continue
        endpoint = Endpoint(normalize(uri), DESCRIBE_SERVICES, service_id.get("Partition"))
        if endpoint not in services.setdefault(kind, []):
            services[kind].append(endpoint)
    return Topology(epoch, {k: tuple(v) for k, v in services.items()}, source)


class TopologySource:
    """Reads the topology; :meth:`load` is a :class:`Cached` loader."""

    def __init__(self, bootstrap_url: str, clients: ClientFactory, refresh: float) -> None:
        self.bootstrap_url = normalize(bootstrap_url)
        self._clients = clients
        self.refresh = refresh

    def load(self, previous: Topology | None) -> tuple[Topology, float]:
        candidates = [self.bootstrap_url]
        if previous is not None:
            candidates += [ep.url for ep in previous.endpoints(BOOTSTRAP)]
        errors = []
        for url in dict.fromkeys(candidates):
            client = self._clients(url)
            try:
                if previous is not None and self._epoch(client) == previous.epoch:
                    return previous, self.refresh
                answer = client.describe_services(ListAll=True)
            except (BotoCoreError, ClientError) as error:
                errors.append(f"{url}: {error}")
                continue
            return parse_topology(answer.get("ServiceStatuses") or [], url), self.refresh
        raise EndpointError("DescribeServices failed on every bootstrap endpoint: "
                            + "; ".join(errors))

    @staticmethod
    def _epoch(client: Any) -> int | None:
        """The current epoch, from the smallest DescribeServices answer (this host's
        bootstrap service)."""
        answer = client.describe_services(ByServiceType=BOOTSTRAP)
        epochs = [int(s.get("LocalEpoch") or 0) for s in answer.get("ServiceStatuses") or []]
        return max(epochs) if epochs else None
