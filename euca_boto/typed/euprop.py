"""Types of the ``euprop`` client.

    from euca_boto.typed.euprop import EupropClient

Annotate a client with it (``client: EupropClient = session.client("euprop")``) so
editors complete its methods and type checkers check arguments and responses.
"""

# Generated from service-models/; do not edit: run tools/generate_types.py.
# The methods only describe the client botocore builds at run time, so they have no body.
# mypy: disable-error-code="empty-body"

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from euca_boto.typed.common import ClientBase, ResponseMetadataTypeDef

__all__ = ["EupropClient"]


class DescribePropertiesResponseTypeDef(TypedDict, total=False):
    """The matching properties."""

    CorrelationId: str
    Return: bool
    StatusMessage: str
    Properties: list[PropertyTypeDef]
    ResponseMetadata: ResponseMetadataTypeDef


class PropertyTypeDef(TypedDict, total=False):
    """A cloud property."""

    Name: str
    Value: str
    Description: str
    DefaultValue: str
    ReadOnly: bool


class ModifyPropertyValueResponseTypeDef(TypedDict, total=False):
    """The property's new and old value."""

    CorrelationId: str
    Return: bool
    StatusMessage: str
    Name: str
    Value: str
    OldValue: str
    ResponseMetadata: ResponseMetadataTypeDef


class EupropClient(ClientBase):
    """The euprop client."""

    def describe_properties(
        self,
        *,
        Properties: Sequence[str] = ...,
    ) -> DescribePropertiesResponseTypeDef:
        """Describes cloud properties: values, defaults and descriptions."""
        ...

    def modify_property_value(
        self,
        *,
        Name: str,
        Value: str = ...,
        Reset: bool = ...,
        AllowScriptExecution: bool = ...,
    ) -> ModifyPropertyValueResponseTypeDef:
        """Sets a cloud property (cloud administrator only), or resets it to its default."""
        ...
