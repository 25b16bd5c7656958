"""Types every client's replies share: botocore's response metadata."""

from __future__ import annotations

from typing import TypedDict

__all__ = ["EmptyResponseTypeDef", "ResponseMetadataTypeDef"]


class ResponseMetadataTypeDef(TypedDict, total=False):
    """What botocore adds to every response."""

    RequestId: str
    HostId: str
    HTTPStatusCode: int
    HTTPHeaders: dict[str, str]
    RetryAttempts: int


class EmptyResponseTypeDef(TypedDict, total=False):
    """The response of an operation that returns nothing but metadata."""

    ResponseMetadata: ResponseMetadataTypeDef
