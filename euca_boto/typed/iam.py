"""Types of the ``iam`` operations euca-boto adds to the client.

    from euca_boto.typed.iam import EucaIamExtensions

Annotate a client with it (``client: EucaIamExtensions = session.client("iam")``) so
editors complete its methods and type checkers check arguments and responses.
"""

# Generated from service-models/; do not edit: run tools/generate_types.py.
# The methods only describe the client botocore builds at run time, so they have no body.
# mypy: disable-error-code="empty-body"

from __future__ import annotations

from typing import Any, TypedDict

from euca_boto.typed.common import EmptyResponseTypeDef, ResponseMetadataTypeDef

__all__ = ["EucaIamExtensions"]


class GetAccountSummaryResponseTypeDef(TypedDict, total=False):
    """Contains the response to a successful GetAccountSummary request."""

    SummaryMap: dict[str, int]
    ResponseMetadata: ResponseMetadataTypeDef


class CreateAccountResponseTypeDef(TypedDict, total=False):
    """The new account."""

    Account: EucaAccountTypeTypeDef
    ResponseMetadata: ResponseMetadataTypeDef


class EucaAccountTypeTypeDef(TypedDict, total=False):
    """The new account."""

    AccountName: str
    AccountId: str


class ListAccountsResponseTypeDef(TypedDict, total=False):
    """The accounts."""

    Accounts: list[EucaAccountTypeTypeDef]
    ResponseMetadata: ResponseMetadataTypeDef


class GetAccountPolicyResponseTypeDef(TypedDict, total=False):
    """The account policy."""

    AccountName: str
    PolicyName: str
    PolicyDocument: str
    ResponseMetadata: ResponseMetadataTypeDef


class ListAccountPoliciesResponseTypeDef(TypedDict, total=False):
    """A page of the account's policy names."""

    PolicyNames: list[str]
    IsTruncated: bool
    Marker: str
    ResponseMetadata: ResponseMetadataTypeDef


class GetLdapSyncStatusResponseTypeDef(TypedDict, total=False):
    """The LDAP synchronisation status."""

    SyncEnabled: bool
    InSync: bool
    ResponseMetadata: ResponseMetadataTypeDef


class GetUserInfoResponseTypeDef(TypedDict, total=False):
    """The information."""

    Infos: list[EucaUserInfoTypeTypeDef]
    ResponseMetadata: ResponseMetadataTypeDef


class EucaUserInfoTypeTypeDef(TypedDict, total=False):
    """A key/value pair of user information."""

    Key: str
    Value: str


class CreateSigningCertificateResponseTypeDef(TypedDict, total=False):
    """The new certificate."""

    Certificate: EucaSigningCertificateTypeTypeDef
    ResponseMetadata: ResponseMetadataTypeDef


class EucaSigningCertificateTypeTypeDef(TypedDict, total=False):
    """The new certificate and key."""

    UserName: str
    CertificateId: str
    CertificateBody: str
    Status: str
    PrivateKey: str
    UploadDate: str


class EucaIamExtensions:
    """The iam operations euca-boto adds to the client."""

    def __getattr__(self, name: str) -> Any:
        """The operations of the AWS service itself (not typed here)."""
        ...

    def get_account_summary(
        self,
        *,
        DelegateAccount: str = ...,
    ) -> GetAccountSummaryResponseTypeDef:
        """Retrieves information about IAM entity usage and IAM quotas in the Amazon Web Services
        account.
        """
        ...

    def create_account(self, *, AccountName: str = ...) -> CreateAccountResponseTypeDef:
        """Eucalyptus: creates an account (cloud administrator only)."""
        ...

    def delete_account(self, *, AccountName: str, Recursive: bool = ...) -> EmptyResponseTypeDef:
        """Eucalyptus: deletes an account (cloud administrator only)."""
        ...

    def list_accounts(self) -> ListAccountsResponseTypeDef:
        """Eucalyptus: lists every account of the cloud (cloud administrator only; no paging)."""
        ...

    def put_account_policy(
        self,
        *,
        AccountName: str,
        PolicyName: str,
        PolicyDocument: str,
    ) -> EmptyResponseTypeDef:
        """Eucalyptus: sets an account-level policy, which limits everything in the account (cloud
        administrator only).
        """
        ...

    def get_account_policy(
        self,
        *,
        AccountName: str,
        PolicyName: str,
    ) -> GetAccountPolicyResponseTypeDef:
        """Eucalyptus: reads an account-level policy (cloud administrator only)."""
        ...

    def list_account_policies(
        self,
        *,
        AccountName: str,
        Marker: str = ...,
        MaxItems: int = ...,
    ) -> ListAccountPoliciesResponseTypeDef:
        """Eucalyptus: lists the names of an account's policies; pages with Marker and MaxItems."""
        ...

    def delete_account_policy(self, *, AccountName: str, PolicyName: str) -> EmptyResponseTypeDef:
        """Eucalyptus: deletes an account-level policy (cloud administrator only)."""
        ...

    def get_ldap_sync_status(self) -> GetLdapSyncStatusResponseTypeDef:
        """Eucalyptus: reports the status of LDAP/AD synchronisation (cloud administrator only)."""
        ...

    def get_user_info(
        self,
        *,
        DelegateAccount: str = ...,
        UserName: str = ...,
        InfoKey: str = ...,
    ) -> GetUserInfoResponseTypeDef:
        """Eucalyptus: reads a user's free-form information (e.g."""
        ...

    def update_user_info(
        self,
        *,
        DelegateAccount: str = ...,
        UserName: str = ...,
        InfoKey: str,
        InfoValue: str = ...,
    ) -> EmptyResponseTypeDef:
        """Eucalyptus: sets or deletes one key of a user's information."""
        ...

    def create_signing_certificate(
        self,
        *,
        DelegateAccount: str = ...,
        UserName: str = ...,
    ) -> CreateSigningCertificateResponseTypeDef:
        """Eucalyptus: creates a signing certificate and its key pair on the server (used for image
        bundling); the private key is returned only in this reply.
        """
        ...
