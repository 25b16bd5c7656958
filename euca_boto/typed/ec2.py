"""Types of the ``ec2`` operations euca-boto adds to the client.

    from euca_boto.typed.ec2 import EucaEc2Extensions

Annotate a client with it (``client: EucaEc2Extensions = session.client("ec2")``) so
editors complete its methods and type checkers check arguments and responses.
"""

# Generated from service-models/; do not edit: run tools/generate_types.py.
# The methods only describe the client botocore builds at run time, so they have no body.
# mypy: disable-error-code="empty-body"

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from euca_boto.typed.common import ResponseMetadataTypeDef

__all__ = ["EucaEc2Extensions"]


class MigrateInstancesResultTypeDef(TypedDict, total=False):
    """Only the request id."""

    ResponseMetadata: ResponseMetadataTypeDef


class EucaEc2Extensions:
    """The ec2 operations euca-boto adds to the client."""

    def __getattr__(self, name: str) -> Any:
        """The operations of the AWS service itself (not typed here)."""
        ...

    def migrate_instances(
        self,
        *,
        SourceHost: str = ...,
        InstanceId: str = ...,
        DestinationHosts: Sequence[str] = ...,
        AllowHosts: bool = ...,
    ) -> MigrateInstancesResultTypeDef:
        """Eucalyptus: live-migrates instances between node controllers (cloud administrator only).
        """
        ...
