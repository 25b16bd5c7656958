"""What every typed client shares: botocore's client members and response metadata."""

# The methods only describe the client botocore builds at run time, so they have no body.
# mypy: disable-error-code="empty-body"

from __future__ import annotations

from typing import Any, TypedDict

__all__ = ["ClientBase", "EmptyResponseTypeDef", "ResponseMetadataTypeDef"]


class ClientBase:
    """What every botocore client has besides its operations (``botocore.client.BaseClient``)."""

    meta: Any
    exceptions: Any

    def can_paginate(self, operation_name: str) -> bool: ...
    def get_paginator(self, operation_name: str) -> Any: ...
    def get_waiter(self, waiter_name: str) -> Any: ...
    def close(self) -> None: ...


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
