"""Types of the ``euserv`` client.

    from euca_boto.typed.euserv import EuservClient

Annotate a client with it (``client: EuservClient = session.client("euserv")``) so
editors complete its methods and type checkers check arguments and responses.
"""

# Generated from service-models/; do not edit: run tools/generate_types.py.
# The methods only describe the client botocore builds at run time, so they have no body.
# mypy: disable-error-code="empty-body"

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from euca_boto.typed.common import ClientBase, ResponseMetadataTypeDef

__all__ = ["EuservClient"]


class FilterInputTypeDef(TypedDict, total=False):
    """A filter: several values of one filter are ORed, several filters are ANDed."""

    Name: str
    Values: Sequence[str]


class DescribeServicesResponseTypeDef(TypedDict, total=False):
    """The services and their states."""

    CorrelationId: str
    Return: bool
    StatusMessage: str
    ServiceStatuses: list[ServiceStatusTypeDef]
    ResponseMetadata: ResponseMetadataTypeDef


class ServiceStatusTypeDef(TypedDict, total=False):
    """The state of one service."""

    ServiceId: ServiceIdTypeDef
    LocalState: str
    LocalEpoch: int
    Details: list[str]
    StatusDetails: list[ServiceStatusDetailTypeDef]
    ServiceAccounts: list[ServiceAccountTypeDef]


class ServiceIdTypeDef(TypedDict, total=False):
    """Which service this status is of."""

    Uuid: str
    Partition: str
    Name: str
    Type: str
    FullName: str
    Uris: list[str]
    Uri: str
    Host: str


class ServiceStatusDetailTypeDef(TypedDict, total=False):
    """A recent event of a service (only returned with ShowEvents)."""

    Severity: str
    Uuid: str
    Message: str
    ServiceFullName: str
    ServiceName: str
    ServiceHost: str
    StackTrace: str
    Timestamp: str


class ServiceAccountTypeDef(TypedDict, total=False):
    """A system account tied to a public component."""

    AccountName: str
    AccountNumber: str
    AccountCanonicalId: str


class ModifyServiceResponseTypeDef(TypedDict, total=False):
    """The server's acknowledgement."""

    CorrelationId: str
    Return: bool
    StatusMessage: str
    ResponseMetadata: ResponseMetadataTypeDef


class RegisterServiceResponseTypeDef(TypedDict, total=False):
    """The outcome of the registration."""

    CorrelationId: str
    Return: bool
    StatusMessage: str
    StatusMessages: list[str]
    RegisteredServices: list[ServiceIdTypeDef]
    ResponseMetadata: ResponseMetadataTypeDef


class DeregisterServiceResponseTypeDef(TypedDict, total=False):
    """The outcome of the deregistration."""

    CorrelationId: str
    Return: bool
    StatusMessage: str
    StatusMessages: list[str]
    DeregisteredServices: list[ServiceIdTypeDef]
    ResponseMetadata: ResponseMetadataTypeDef


class DescribeAvailableServiceTypesResponseTypeDef(TypedDict, total=False):
    """The component types."""

    CorrelationId: str
    Return: bool
    StatusMessage: str
    StatusMessages: list[str]
    Available: list[AvailableServiceTypeTypeDef]
    ResponseMetadata: ResponseMetadataTypeDef


class AvailableServiceTypeTypeDef(TypedDict, total=False):
    """A component type the cloud knows."""

    ComponentName: str
    ComponentCapitalizedName: str
    Description: str
    HasCredentials: bool
    Registerable: bool
    RequiresName: bool
    Partitioned: bool
    PublicApiService: bool
    ServiceGroups: list[str]
    ServiceGroupMembers: list[str]


class DescribeServiceCertificatesResponseTypeDef(TypedDict, total=False):
    """The certificates."""

    CorrelationId: str
    Return: bool
    StatusMessage: str
    ServiceCertificates: list[ServiceCertificateTypeDef]
    ResponseMetadata: ResponseMetadataTypeDef


class ServiceCertificateTypeDef(TypedDict, total=False):
    """A certificate of a public service."""

    ServiceType: str
    CertificateUsage: str
    CertificateFormat: str
    Certificate: str
    CertificateFingerprint: str
    CertificateFingerprintDigest: str


class EuservClient(ClientBase):
    """The euserv client."""

    def describe_services(
        self,
        *,
        ServiceNames: Sequence[str] = ...,
        ListAll: bool = ...,
        ListInternal: bool = ...,
        ListUserServices: bool = ...,
        ShowEvents: bool = ...,
        ShowEventStacks: bool = ...,
        ByServiceType: str = ...,
        ByHost: str = ...,
        ByState: str = ...,
        ByPartition: str = ...,
        Filters: Sequence[FilterInputTypeDef] = ...,
    ) -> DescribeServicesResponseTypeDef:
        """Describes the cloud's services and their states: the topology."""
        ...

    def modify_service(self, *, Name: str, State: str) -> ModifyServiceResponseTypeDef:
        """Moves a service to another state (cloud administrator only), for example ENABLE or STOP.
        """
        ...

    def register_service(
        self,
        *,
        Type: str,
        Name: str,
        Host: str,
        Port: int = ...,
        Partition: str = ...,
    ) -> RegisterServiceResponseTypeDef:
        """Registers a service (cloud administrator only)."""
        ...

    def deregister_service(self, *, Name: str, Type: str = ...) -> DeregisterServiceResponseTypeDef:
        """Deregisters a service (cloud administrator only)."""
        ...

    def describe_available_service_types(
        self,
        *,
        Verbose: bool = ...,
    ) -> DescribeAvailableServiceTypesResponseTypeDef:
        """Lists the component types of the cloud and which of them can be registered."""
        ...

    def describe_service_certificates(
        self,
        *,
        Filters: Sequence[FilterInputTypeDef] = ...,
        Format: str = ...,
        FingerprintDigest: str = ...,
    ) -> DescribeServiceCertificatesResponseTypeDef:
        """Returns the certificates of the cloud's public services, for example the compute image-
        bundling certificate used to bundle images.
        """
        ...
