"""What a LocalCloud reports through DescribeServices: component types, services and states.

Every endpoint hosts the user-facing services (as a Eucalyptus UFS host does); every partition has
a cluster and a storage service. A service's state follows its endpoint's health, and the epoch
counts topology changes (reference §3.1, §9.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ComponentType:
    """A Eucalyptus component type and the flags the DescribeServices filters look at."""

    name: str
    path: str  # appended to the host's URL (zone services carry their own port)
    public: bool = False
    user_service: bool = False
    partitioned: bool = False
    internal: bool = False
    groups: tuple[str, ...] = ()
    certificate_usages: tuple[str, ...] = ()


USER_API = "user-api"

# In the order DescribeServices lists them for one host.
ENDPOINT_COMPONENTS: tuple[ComponentType, ...] = (
    ComponentType("bootstrap", "/services/Empyrean", user_service=True),
    ComponentType("properties", "/services/Properties", user_service=True),
    ComponentType("configuration", "/services/Configuration", user_service=True),
    ComponentType(
        "compute",
        "/services/compute",
        public=True,
        groups=(USER_API,),
        certificate_usages=("image-bundling",),
    ),
    ComponentType("euare", "/services/Euare", public=True, groups=(USER_API,)),
    ComponentType("tokens", "/services/Tokens", public=True, groups=(USER_API,)),
    ComponentType("objectstorage", "/services/objectstorage", public=True, groups=(USER_API,)),
)
PARTITION_COMPONENTS: tuple[ComponentType, ...] = (
    ComponentType("cluster", ":8774/axis2/services/EucalyptusCC", partitioned=True),
    ComponentType("storage", ":8773/services/Storage", partitioned=True),
)


@dataclass(frozen=True)
class EndpointView:
    """What the topology needs to know about one endpoint."""

    index: int
    host: str
    url: str
    partition: str
    state: str  # ENABLED, NOTREADY or STOPPED


@dataclass(frozen=True)
class ServiceView:
    """One row of DescribeServices."""

    component: ComponentType
    name: str
    partition: str
    host: str
    uri: str
    state: str
    endpoint: int | None  # the hosting endpoint; None for partition services

    @property
    def full_name(self) -> str:
        return f"arn:euca:eucalyptus:{self.partition}:{self.component.name}:{self.name}/"


def services(endpoints: Sequence[EndpointView], partitions: Sequence[str]) -> list[ServiceView]:
    """Every service: per endpoint its user-facing ones, per partition cluster and storage."""
    rows = [
        ServiceView(
            component=component,
            name=f"ufs{ep.index}.{component.name}",
            partition=ep.partition,
            host=ep.host,
            uri=ep.url + component.path,
            state=ep.state,
            endpoint=ep.index,
        )
        for ep in endpoints
        for component in ENDPOINT_COMPONENTS
    ]
    for partition in partitions:
        # The zone services run "on" the partition's first endpoint's host; nothing listens at
        # their URIs, as on a real cloud where clients never call them directly.
        host = next((ep.host for ep in endpoints if ep.partition == partition), "127.0.0.1")
        for component in PARTITION_COMPONENTS:
            rows.append(
                ServiceView(
                    component=component,
                    name=f"{partition}.{component.name}",
                    partition=partition,
                    host=host,
                    uri=f"http://{host}{component.path}",
                    state="ENABLED",
                    endpoint=None,
                )
            )
    return rows


def partition_names(count: int) -> list[str]:
    """``PARTI00``, ``PARTI01``, ...: Eucalyptus' own naming in its QA clouds."""
    return [f"PARTI{i:02d}" for i in range(count)]
