"""Types of the ``euconfig`` client.

    from euca_boto.typed.euconfig import EuconfigClient

Annotate a client with it (``client: EuconfigClient = session.client("euconfig")``) so
editors complete its methods and type checkers check arguments and responses.
"""

# Generated from service-models/; do not edit: run tools/generate_types.py.
# The methods only describe the client botocore builds at run time, so they have no body.
# mypy: disable-error-code="empty-body"

from __future__ import annotations

from typing import TypedDict

from euca_boto.typed.common import ClientBase, ResponseMetadataTypeDef

__all__ = ["EuconfigClient"]


class DescribeComponentsResponseTypeDef(TypedDict, total=False):
    """The registered services."""

    CorrelationId: str
    Return: bool
    StatusMessage: str
    Registered: list[ComponentInfoTypeDef]
    ResponseMetadata: ResponseMetadataTypeDef


class ComponentInfoTypeDef(TypedDict, total=False):
    """A registered component service."""

    Type: str
    Partition: str
    Name: str
    HostName: str
    FullName: str
    State: str
    Detail: str


class RegisterComponentResponseTypeDef(TypedDict, total=False):
    """The outcome; failure comes back in-band and is raised as InBandFailure."""

    CorrelationId: str
    Return: bool
    StatusMessage: str
    ResponseMetadata: ResponseMetadataTypeDef


class DeregisterComponentResponseTypeDef(TypedDict, total=False):
    """The outcome; failure comes back in-band and is raised as InBandFailure."""

    CorrelationId: str
    Return: bool
    StatusMessage: str
    ResponseMetadata: ResponseMetadataTypeDef


class EuconfigClient(ClientBase):
    """The euconfig client."""

    def describe_components(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists every component service registered on the answering host."""
        ...

    def register_cluster(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's cluster controllers (legacy; cloud administrator only)."""
        ...

    def deregister_cluster(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's cluster controllers (legacy; cloud administrator only)."""
        ...

    def describe_clusters(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists the registered cluster controllers and their states (legacy)."""
        ...

    def register_storage_controller(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's storage controllers (legacy; cloud administrator only)."""
        ...

    def deregister_storage_controller(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's storage controllers (legacy; cloud administrator only)."""
        ...

    def describe_storage_controllers(
        self,
        *,
        Verbose: bool = ...,
    ) -> DescribeComponentsResponseTypeDef:
        """Lists the registered storage controllers and their states (legacy)."""
        ...

    def register_node_controller(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's node controllers (legacy; cloud administrator only)."""
        ...

    def deregister_node_controller(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's node controllers (legacy; cloud administrator only)."""
        ...

    def describe_node_controllers(
        self,
        *,
        Verbose: bool = ...,
    ) -> DescribeComponentsResponseTypeDef:
        """Lists the registered node controllers and their states (legacy)."""
        ...

    def register_object_storage_gateway(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's object storage gateways (legacy; cloud administrator only).
        """
        ...

    def deregister_object_storage_gateway(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's object storage gateways (legacy; cloud administrator
        only).
        """
        ...

    def describe_object_storage_gateways(
        self,
        *,
        Verbose: bool = ...,
    ) -> DescribeComponentsResponseTypeDef:
        """Lists the registered object storage gateways and their states (legacy)."""
        ...

    def register_walrus_backend(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's Walrus back ends (legacy; cloud administrator only)."""
        ...

    def deregister_walrus_backend(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's Walrus back ends (legacy; cloud administrator only)."""
        ...

    def describe_walrus_backends(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists the registered Walrus back ends and their states (legacy)."""
        ...

    def register_eucalyptus(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's cloud controller (eucalyptus) services (legacy; cloud
        administrator only).
        """
        ...

    def deregister_eucalyptus(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's cloud controller (eucalyptus) services (legacy; cloud
        administrator only).
        """
        ...

    def describe_eucalyptus(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists the registered cloud controller (eucalyptus) services and their states (legacy)."""
        ...

    def register_compute(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's compute services (legacy; cloud administrator only)."""
        ...

    def deregister_compute(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's compute services (legacy; cloud administrator only)."""
        ...

    def describe_compute(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists the registered compute services and their states (legacy)."""
        ...

    def register_euare(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's Euare (IAM) services (legacy; cloud administrator only)."""
        ...

    def deregister_euare(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's Euare (IAM) services (legacy; cloud administrator only).
        """
        ...

    def describe_euare(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists the registered Euare (IAM) services and their states (legacy)."""
        ...

    def register_tokens(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's Tokens (STS) services (legacy; cloud administrator only)."""
        ...

    def deregister_tokens(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's Tokens (STS) services (legacy; cloud administrator only).
        """
        ...

    def describe_tokens(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists the registered Tokens (STS) services and their states (legacy)."""
        ...

    def register_cloud_watch(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's CloudWatch services (legacy; cloud administrator only)."""
        ...

    def deregister_cloud_watch(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's CloudWatch services (legacy; cloud administrator only)."""
        ...

    def describe_cloud_watch(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists the registered CloudWatch services and their states (legacy)."""
        ...

    def register_auto_scaling(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's Auto Scaling services (legacy; cloud administrator only)."""
        ...

    def deregister_auto_scaling(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's Auto Scaling services (legacy; cloud administrator only).
        """
        ...

    def describe_auto_scaling(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists the registered Auto Scaling services and their states (legacy)."""
        ...

    def register_load_balancing(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's load balancing services (legacy; cloud administrator only).
        """
        ...

    def deregister_load_balancing(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's load balancing services (legacy; cloud administrator
        only).
        """
        ...

    def describe_load_balancing(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists the registered load balancing services and their states (legacy)."""
        ...

    def register_cloud_formation(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's CloudFormation services (legacy; cloud administrator only).
        """
        ...

    def deregister_cloud_formation(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's CloudFormation services (legacy; cloud administrator
        only).
        """
        ...

    def describe_cloud_formation(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists the registered CloudFormation services and their states (legacy)."""
        ...

    def register_imaging(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's imaging services (legacy; cloud administrator only)."""
        ...

    def deregister_imaging(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's imaging services (legacy; cloud administrator only)."""
        ...

    def describe_imaging(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists the registered imaging services and their states (legacy)."""
        ...

    def register_dns(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's DNS services (legacy; cloud administrator only)."""
        ...

    def deregister_dns(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's DNS services (legacy; cloud administrator only)."""
        ...

    def describe_dns(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists the registered DNS services and their states (legacy)."""
        ...

    def register_identity(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's identity (region federation) services (legacy; cloud
        administrator only).
        """
        ...

    def deregister_identity(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's identity (region federation) services (legacy; cloud
        administrator only).
        """
        ...

    def describe_identity(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists the registered identity (region federation) services and their states (legacy)."""
        ...

    def register_simple_queue(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's Simple Queue services (legacy; cloud administrator only)."""
        ...

    def deregister_simple_queue(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's Simple Queue services (legacy; cloud administrator only).
        """
        ...

    def describe_simple_queue(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists the registered Simple Queue services and their states (legacy)."""
        ...

    def register_simple_workflow(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's Simple Workflow services (legacy; cloud administrator only).
        """
        ...

    def deregister_simple_workflow(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's Simple Workflow services (legacy; cloud administrator
        only).
        """
        ...

    def describe_simple_workflow(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists the registered Simple Workflow services and their states (legacy)."""
        ...

    def register_portal(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's portal services (legacy; cloud administrator only)."""
        ...

    def deregister_portal(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's portal services (legacy; cloud administrator only)."""
        ...

    def describe_portal(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists the registered portal services and their states (legacy)."""
        ...

    def register_tag(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's tag services (legacy; cloud administrator only)."""
        ...

    def deregister_tag(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's tag services (legacy; cloud administrator only)."""
        ...

    def describe_tag(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists the registered tag services and their states (legacy)."""
        ...

    def register_ec2_reports(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's EC2 reports services (legacy; cloud administrator only)."""
        ...

    def deregister_ec2_reports(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's EC2 reports services (legacy; cloud administrator only).
        """
        ...

    def describe_ec2_reports(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists the registered EC2 reports services and their states (legacy)."""
        ...

    def register_cassandra(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's Cassandra services (legacy; cloud administrator only)."""
        ...

    def deregister_cassandra(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's Cassandra services (legacy; cloud administrator only)."""
        ...

    def describe_cassandra(self, *, Verbose: bool = ...) -> DescribeComponentsResponseTypeDef:
        """Lists the registered Cassandra services and their states (legacy)."""
        ...

    def register_cluster_service(
        self,
        *,
        Partition: str = ...,
        Name: str,
        Host: str,
        Port: int,
    ) -> RegisterComponentResponseTypeDef:
        """Registers one of the cloud's cluster services (legacy; cloud administrator only)."""
        ...

    def deregister_cluster_service(
        self,
        *,
        Name: str = ...,
        Partition: str = ...,
    ) -> DeregisterComponentResponseTypeDef:
        """Deregisters one of the cloud's cluster services (legacy; cloud administrator only)."""
        ...

    def describe_cluster_services(
        self,
        *,
        Verbose: bool = ...,
    ) -> DescribeComponentsResponseTypeDef:
        """Lists the registered cluster services and their states (legacy)."""
        ...
