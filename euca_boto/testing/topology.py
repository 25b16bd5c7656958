"""What a LocalCloud reports through DescribeServices: component types, services and states.

The first endpoint's host runs the cloud controller; every endpoint hosts the user-facing
services (as a Eucalyptus UFS host does); every partition has a cluster and a storage service. A
service's state follows its endpoint's health, and the epoch counts topology changes (reference
§3.1, §9.2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ComponentType:
    """A Eucalyptus component type: the flags the DescribeServices filters look at and what
    DescribeAvailableServiceTypes reports about it."""

    name: str
    path: str  # the service path on its host
    public: bool = False
    user_service: bool = False
    partitioned: bool = False
    internal: bool = False
    groups: tuple[str, ...] = ()
    certificate_usages: tuple[str, ...] = ()
    description: str = ""
    registerable: bool = False
    has_credentials: bool = False
    port: int = 8773  # the default port of a registration (reference §3.3)
    members: tuple[str, ...] = ()  # for a service group: its member types

    @property
    def capitalized_name(self) -> str:
        return self.name[:1].upper() + self.name[1:]


USER_API = "user-api"

# In the order DescribeServices lists them for one host.
ENDPOINT_COMPONENTS: tuple[ComponentType, ...] = (
    ComponentType(
        "bootstrap", "/services/Empyrean", user_service=True, description="Empyrean service"
    ),
    ComponentType(
        "properties",
        "/services/Properties",
        user_service=True,
        description="Cloud properties service",
    ),
    ComponentType(
        "configuration",
        "/services/Configuration",
        user_service=True,
        description="Component registration service",
    ),
    ComponentType(
        "compute",
        "/services/compute",
        public=True,
        groups=(USER_API,),
        certificate_usages=("image-bundling",),
        description="Compute API service (EC2)",
        registerable=True,
    ),
    ComponentType(
        "euare",
        "/services/Euare",
        public=True,
        groups=(USER_API,),
        description="Identity and access management API service (IAM)",
        registerable=True,
    ),
    ComponentType(
        "tokens",
        "/services/Tokens",
        public=True,
        groups=(USER_API,),
        description="Security token API service (STS)",
        registerable=True,
    ),
    ComponentType(
        "objectstorage",
        "/services/objectstorage",
        public=True,
        groups=(USER_API,),
        description="Object storage gateway (S3)",
        registerable=True,
        has_credentials=True,
    ),
)
PARTITION_COMPONENTS: tuple[ComponentType, ...] = (
    ComponentType(
        "cluster",
        "/axis2/services/EucalyptusCC",
        partitioned=True,
        description="Cluster controller",
        registerable=True,
        has_credentials=True,
        port=8774,
    ),
    ComponentType(
        "storage",
        "/services/Storage",
        partitioned=True,
        description="Storage controller (EBS)",
        registerable=True,
        has_credentials=True,
    ),
)


def _api(name: str, path: str, description: str) -> ComponentType:
    return ComponentType(
        name, path, public=True, groups=(USER_API,), description=description, registerable=True
    )


# Types that can be registered or listed, but that no LocalCloud endpoint hosts by itself.
OTHER_COMPONENTS: tuple[ComponentType, ...] = (
    ComponentType(
        "eucalyptus",
        "/services/Eucalyptus",
        description="Cloud controller",
        registerable=True,
        has_credentials=True,
    ),
    ComponentType(
        "node",
        "/axis2/services/EucalyptusNC",
        partitioned=True,
        description="Node controller",
        registerable=True,
        has_credentials=True,
        port=8775,
    ),
    ComponentType(
        "walrusbackend",
        "/services/WalrusBackend",
        description="Walrus object storage backend",
        registerable=True,
        has_credentials=True,
    ),
    _api("autoscaling", "/services/AutoScaling", "Auto Scaling API service"),
    _api("cloudformation", "/services/CloudFormation", "CloudFormation API service"),
    _api("cloudwatch", "/services/CloudWatch", "CloudWatch API service"),
    _api("imaging", "/services/Imaging", "Imaging API service"),
    _api("loadbalancing", "/services/LoadBalancing", "Elastic Load Balancing API service"),
    _api("simplequeue", "/services/simplequeue", "Simple Queue API service"),
    _api("simpleworkflow", "/services/SimpleWorkflow", "Simple Workflow API service"),
    ComponentType("dns", "/services/Dns", description="DNS service", registerable=True),
    ComponentType("identity", "/services/Identity", description="Identity service"),
    ComponentType("portal", "/services/Portal", description="Portal service"),
    ComponentType("tag", "/services/Tag", description="Tagging service"),
    ComponentType("ec2reports", "/services/Ec2Reports", description="EC2 reports service"),
    ComponentType("cassandra", "/", description="Cassandra database", registerable=True, port=8787),
    ComponentType("clusterservice", "/services/ClusterService", description="Cluster service"),
)

# Every type DescribeAvailableServiceTypes reports, sorted by name, the user-api group included.
CATALOG: tuple[ComponentType, ...] = tuple(
    sorted(
        (
            *ENDPOINT_COMPONENTS,
            *PARTITION_COMPONENTS,
            *OTHER_COMPONENTS,
            ComponentType(
                USER_API,
                "/",
                description="User-facing API services",
                registerable=True,
                members=tuple(
                    sorted(
                        c.name
                        for c in (*ENDPOINT_COMPONENTS, *OTHER_COMPONENTS)
                        if USER_API in c.groups
                    )
                ),
            ),
        ),
        key=lambda c: c.name,
    )
)
COMPONENTS: dict[str, ComponentType] = {c.name: c for c in CATALOG}


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
    endpoint: int | None  # the hosting endpoint; None for registered (distributed) services

    @property
    def full_name(self) -> str:
        return f"arn:euca:eucalyptus:{self.partition}:{self.component.name}:{self.name}/"


CLOUD_CONTROLLER = "eucalyptus"  # the cloud controller's component type and partition


def services(endpoints: Sequence[EndpointView], partitions: Sequence[str]) -> list[ServiceView]:
    """Every service: the cloud controller, per endpoint its user-facing ones, per partition
    cluster and storage."""
    # The cloud controller runs on the first endpoint's host. Initialising a cloud registers it
    # in partition "eucalyptus" under its host's address (the server's initialize_cloud).
    first = endpoints[0]
    controller = COMPONENTS[CLOUD_CONTROLLER]
    rows = [
        ServiceView(
            component=controller,
            name=first.host,
            partition=CLOUD_CONTROLLER,
            host=first.host,
            uri=first.url + controller.path,
            state=first.state,
            endpoint=None,
        )
    ]
    rows += [
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
                    uri=f"http://{host}:{component.port}{component.path}",
                    state="ENABLED",
                    endpoint=None,
                )
            )
    return rows


def partition_names(count: int) -> list[str]:
    """``PARTI00``, ``PARTI01``, ...: Eucalyptus' own naming in its QA clouds."""
    return [f"PARTI{i:02d}" for i in range(count)]
