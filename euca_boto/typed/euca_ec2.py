"""Types of the ``euca-ec2`` client.

    from euca_boto.typed.euca_ec2 import EucaEc2Client

Annotate a client with it (``client: EucaEc2Client = session.client("euca-ec2")``) so
editors complete its methods and type checkers check arguments and responses.
"""

# Generated from service-models/; do not edit: run tools/generate_types.py.
# The methods only describe the client botocore builds at run time, so they have no body.
# mypy: disable-error-code="empty-body"

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from euca_boto.typed.common import ClientBase, ResponseMetadataTypeDef

__all__ = ["EucaEc2Client"]


class DescribeInstanceTypesResultTypeDef(TypedDict, total=False):
    """The instance types visible to the caller."""

    InstanceTypeDetails: list[InstanceTypeDetailsTypeDef]
    ResponseMetadata: ResponseMetadataTypeDef


class InstanceTypeDetailsTypeDef(TypedDict, total=False):
    """An instance type as Eucalyptus defines it."""

    Name: str
    Cpu: int
    Disk: int
    Memory: int
    NetworkInterfaces: int
    Availability: list[InstanceTypeZoneAvailabilityTypeDef]
    EphemeralDisk: list[InstanceTypeEphemeralDiskTypeDef]


class InstanceTypeZoneAvailabilityTypeDef(TypedDict, total=False):
    """Capacity of one zone for one instance type."""

    Name: str
    ZoneName: str
    Max: int
    Available: int


class InstanceTypeEphemeralDiskTypeDef(TypedDict, total=False):
    """An ephemeral disk that comes with the instance type."""

    VirtualDeviceName: str
    DeviceName: str
    Size: int
    Format: str


class ModifyInstanceTypeAttributeResultTypeDef(TypedDict, total=False):
    """The instance type before and after the change."""

    InstanceType: InstanceTypeDetailsTypeDef
    PreviousInstanceType: InstanceTypeDetailsTypeDef
    ResponseMetadata: ResponseMetadataTypeDef


class EucaEc2Client(ClientBase):
    """The euca-ec2 client."""

    def describe_instance_types(
        self,
        *,
        InstanceTypes: Sequence[str] = ...,
        Availability: bool = ...,
        Verbose: bool = ...,
    ) -> DescribeInstanceTypesResultTypeDef:
        """Describes the cloud's instance types (CPU, memory, disk) and, for the cloud
        administrator, how many more instances of each fit in each zone.
        """
        ...

    def modify_instance_type_attribute(
        self,
        *,
        Name: str,
        Cpu: int = ...,
        Disk: int = ...,
        Memory: int = ...,
        NetworkInterfaces: int = ...,
        Reset: bool = ...,
        Force: bool = ...,
    ) -> ModifyInstanceTypeAttributeResultTypeDef:
        """Changes the size of an instance type, or resets it (cloud administrator only; others get
        "Authorization failed.").
        """
        ...
