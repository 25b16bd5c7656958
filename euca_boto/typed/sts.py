"""Types of the ``sts`` operations euca-boto adds to the client.

    from euca_boto.typed.sts import EucaStsExtensions

Annotate a client with it (``client: EucaStsExtensions = session.client("sts")``) so
editors complete its methods and type checkers check arguments and responses.
"""

# Generated from service-models/; do not edit: run tools/generate_types.py.
# The methods only describe the client botocore builds at run time, so they have no body.
# mypy: disable-error-code="empty-body"

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from euca_boto.typed.common import ResponseMetadataTypeDef

__all__ = ["EucaStsExtensions"]


class GetAccessTokenResponseTypeDef(TypedDict, total=False):
    """The credentials."""

    Credentials: CredentialsTypeDef
    ResponseMetadata: ResponseMetadataTypeDef


class CredentialsTypeDef(TypedDict, total=False):
    """The temporary credentials."""

    AccessKeyId: str
    SecretAccessKey: str
    SessionToken: str
    Expiration: datetime


class GetImpersonationTokenResponseTypeDef(TypedDict, total=False):
    """The credentials."""

    Credentials: CredentialsTypeDef
    ResponseMetadata: ResponseMetadataTypeDef


class EucaStsExtensions:
    """The sts operations euca-boto adds to the client."""

    def __getattr__(self, name: str) -> Any:
        """The operations of the AWS service itself (not typed here)."""
        ...

    def get_access_token(self, *, DurationSeconds: int = ...) -> GetAccessTokenResponseTypeDef:
        """Eucalyptus: issues temporary credentials of the Access type, which IAM, EC2 and the
        Eucalyptus admin services accept (session tokens are not accepted by IAM).
        """
        ...

    def get_impersonation_token(
        self,
        *,
        UserId: str = ...,
        AccountAlias: str = ...,
        UserName: str = ...,
        DurationSeconds: int = ...,
    ) -> GetImpersonationTokenResponseTypeDef:
        """Eucalyptus: issues temporary credentials that act as another user, usable on any service
        (cloud administrator with sts:GetImpersonationToken only; refused for password-
        authenticated callers).
        """
        ...
