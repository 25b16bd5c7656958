"""Euare, Eucalyptus' IAM (reference §6): the Eucalyptus-only actions answered here, standard IAM
relayed to moto, and ``DelegateAccount`` carried out in the delegated account.

Each Eucalyptus account is its own moto account (moto's ``x-moto-account-id``), so users, keys
and policies made in one are not seen in another. Access keys that moto creates are registered
with the credential store, so they sign requests to LocalCloud at once.
"""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from datetime import datetime, timezone
from urllib.parse import quote

from .accounts import Account, AccountError, AccountStore, UserExtras, is_system_account
from .certificates import CertificatesUnavailable, signing_certificate
from .exchange import AwsCall, Response, relay
from .forward import MotoForwarder
from .properties import PropertyStore
from .querywire import IAM_NAMESPACE, XML_CONTENT_TYPE, Fields, Items, query_error, query_response
from .signing import ADMIN_ACCOUNT, CredentialStore
from .wire import java_date

IAM_VERSION = "2010-05-08"
ADMIN_USER = "admin"
_ACCOUNT_NAME = re.compile(r"^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$")

LocalAction = Callable[["Euare", AwsCall], "Fields | None"]


class Euare:
    """Answers every call to ``/services/Euare``."""

    def __init__(
        self,
        accounts: AccountStore,
        credentials: CredentialStore,
        forwarder: MotoForwarder,
        properties: PropertyStore,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.accounts = accounts
        self.credentials = credentials
        self.forwarder = forwarder
        self.properties = properties
        self.clock = clock

    def handle(self, call: AwsCall) -> Response:
        try:
            local = LOCAL_ACTIONS.get(call.action)
            if local is not None:
                if call.action in ADMIN_ACTIONS:
                    _require_admin(call)
                result = local(self, call)
                body = query_response(call.action, IAM_NAMESPACE, result, call.request_id)
                return Response(
                    200, [("Content-Type", XML_CONTENT_TYPE)], body, call.caller.access_key
                )
            return self._relay(call)
        except AccountError as exc:
            body = query_error(IAM_NAMESPACE, exc.code, exc.message, call.request_id)
            return Response(
                exc.status, [("Content-Type", XML_CONTENT_TYPE)], body, call.caller.access_key
            )

    # Standard IAM, in the caller's or the delegated account --------------------------------

    def _relay(self, call: AwsCall) -> Response:
        delegated = self.delegated_account(call)
        moto_account = call.caller.moto_account if delegated is None else delegated.id
        empty_first = _EMPTIED_BEFORE_DELETE.get(call.action)
        if empty_first is not None:
            self._empty(call, moto_account, *empty_first)
        update = _user_update(call) if call.action == "UpdateUser" else None
        response = relay(self.forwarder, call, account=moto_account, drop=_EUCALYPTUS_ONLY)
        account_name = call.caller.account if delegated is None else delegated.name
        if response.status != 200:
            return response
        self._learn(call, account_name, response.body)
        account = self.accounts.find(account_name)
        if account is None:
            return response
        if update is not None:
            self._update_extras(account, call, update)
        if call.action == "GetUser" and call.params.boolean("ShowExtra"):
            response.body = self._show_extra(account, response.body)
        return response

    def _update_extras(self, account: Account, call: AwsCall,
                       update: tuple[bool | None, float | None]) -> None:
        """UpdateUser: keep Enabled and PasswordExpiration, under the user's new name."""
        name = call.params.get("UserName") or ""
        enabled, expires = update
        with account.lock:
            extras = account.user_extras.pop(name, UserExtras())
            if enabled is not None:
                extras.enabled = enabled
            if expires is not None:
                extras.password_expires = expires
            account.user_extras[call.params.get("NewUserName") or name] = extras

    def _show_extra(self, account: Account, body: bytes) -> bytes:
        """GetUser ShowExtra: the user's Enabled and PasswordExpiration added to its answer."""
        user = _find(body, "User")
        if user is None:
            return body
        with account.lock:
            extras = account.user_extras.get(_text(user, "UserName"), UserExtras())
        expires = extras.password_expires
        if expires is None:
            created = datetime.fromisoformat(_text(user, "CreateDate").replace("Z", "+00:00"))
            expiry = self.properties.get("authentication.default_password_expiry").value
            expires = created.timestamp() + _interval(expiry)
        extra = (f"<Enabled>{'true' if extras.enabled else 'false'}</Enabled>"
                 f"<PasswordExpiration>{java_date(expires)}</PasswordExpiration></User>")
        return body.replace(b"</User>", extra.encode(), 1)

    def _empty(self, call: AwsCall, moto_account: str | None, kind: str,
               contents: tuple[tuple[str, str, str, str], ...]) -> None:
        """DeleteUser/DeleteGroup: with ``IsRecursive=true`` remove what the user or group
        holds first (§6: keys, certificates, policies, memberships); without it refuse with
        DeleteConflict, as IAM does, while anything remains."""
        name_key = f"{kind}Name"
        name = call.params.get(name_key)
        if not name:
            return  # moto reports the missing parameter
        recursive = (call.params.get("IsRecursive") or "").lower() == "true"
        key = call.caller.access_key  # so that moto acts in the caller's account, as it relays
        held: list[str] = []
        for listing, tag, removal, param in contents:
            answer = self.forwarder.call("iam", [("Action", listing), ("Version", IAM_VERSION),
                                                 (name_key, name)], moto_account, key)
            if answer.status != 200:
                continue  # no such user or group, or nothing of this kind: moto decides
            for value in _texts(answer.body, tag):
                held.append(f"{param} {value}")
                if recursive:
                    self.forwarder.call("iam", [("Action", removal), ("Version", IAM_VERSION),
                                                (name_key, name), (param, value)],
                                        moto_account, key)
                    if removal == "DeleteAccessKey":
                        self.credentials.revoke(value)
        if held and not recursive:
            raise AccountError(
                "DeleteConflict",
                f"Cannot delete {kind.lower()} {name}: it still has {', '.join(held)} "
                f"(pass IsRecursive=true to delete them with it)", 409,
            )

    def delegated_account(self, call: AwsCall) -> Account | None:
        """The account named by ``DelegateAccount`` (None without one), checked and ready."""
        delegate = call.params.get("DelegateAccount")
        if delegate is None:
            return None
        if not call.caller.is_admin:
            raise AccountError(
                "NotAuthorized", f"Delegation access not authorized for {delegate}", 403
            )
        account = self.accounts.find(delegate)
        if account is None:
            raise AccountError("NotAuthorized", f"Can not find delegation account {delegate}", 403)
        self.provision(account)
        return account

    def provision(self, account: Account) -> None:
        """Make sure the account's ``admin`` user exists in moto (every account has one)."""
        if account.provisioned or account.name == ADMIN_ACCOUNT:
            return
        answer = self.moto(account, "CreateUser", UserName=ADMIN_USER)
        if answer.status == 200 or b"EntityAlreadyExists" in answer.body:
            account.provisioned = True
        else:
            raise AccountError(
                "InternalFailure", f"Could not create the admin user of account {account.name}", 500
            )

    def moto(self, account: Account, action: str, **params: str) -> Response:
        """One IAM call of LocalCloud's own in the account."""
        pairs = [("Action", action), ("Version", IAM_VERSION), *params.items()]
        relayed = self.forwarder.call("iam", pairs, account.id)
        return Response(relayed.status, relayed.headers, relayed.body)

    def _learn(self, call: AwsCall, account_name: str, body: bytes) -> None:
        """Keep what LocalCloud must know of a successful IAM call: keys and passwords."""
        p = call.params
        if call.action == "CreateAccessKey":
            key = _find(body, "AccessKey")
            if key is not None:
                self.credentials.issue(
                    _text(key, "AccessKeyId"),
                    _text(key, "SecretAccessKey"),
                    account_name,
                    user=_text(key, "UserName") or None,
                )
        elif call.action == "DeleteAccessKey" and p.get("AccessKeyId"):
            self.credentials.revoke(p.get("AccessKeyId") or "")
        elif call.action in ("UploadServerCertificate", "DeleteServerCertificate"):
            account = self.accounts.find(account_name)
            name = p.get("ServerCertificateName") or ""
            if account is not None:
                with account.lock:
                    if call.action == "DeleteServerCertificate":
                        account.server_keys.pop(name, None)
                    else:
                        account.server_keys[name] = p.get("PrivateKey") or ""
        elif call.action in ("CreateLoginProfile", "UpdateLoginProfile"):
            password = p.get("Password")
            account = self.accounts.find(account_name)
            if password is not None and account is not None:
                with account.lock:
                    account.passwords[p.get("UserName") or call.caller.user or ADMIN_USER] = (
                        password
                    )

    def target(self, call: AwsCall) -> Account:
        """The account a call acts in: the delegated one, else the caller's."""
        return self.delegated_account(call) or self.accounts.ensure(call.caller.account)

    def user_must_exist(self, account: Account, user: str) -> None:
        if user == ADMIN_USER:
            return
        if self.moto(account, "GetUser", UserName=user).status != 200:
            raise AccountError(
                "NoSuchEntity", f"Can not find user {user} in account {account.name}", 404
            )


# Parameters only Eucalyptus knows, kept from moto.
_EUCALYPTUS_ONLY = frozenset(
    {"DelegateAccount", "IsRecursive", "ShowExtra", "Enabled", "PasswordExpiration"})
_INTERVAL = re.compile(r"(\d+)([dhms])")
_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def _interval(text: str) -> float:
    """A duration as the server's interval properties write it (``60d``, ``12h``, ``1d12h``);
    60 days when it cannot be read."""
    parts = _INTERVAL.findall(text)
    return float(sum(int(n) * _SECONDS[unit] for n, unit in parts)) if parts else 60 * 86400.0


def _user_update(call: AwsCall) -> tuple[bool | None, float | None]:
    """UpdateUser's Enabled and PasswordExpiration as the server reads them (any case of
    ``true`` enables; the expiry is ISO-8601), checked before anything is changed."""
    enabled_text = call.params.get("Enabled")
    enabled = None if enabled_text is None else enabled_text.lower() == "true"
    text = call.params.get("PasswordExpiration")
    if text is None:
        return enabled, None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise AccountError("InvalidValue", f"Invalid password expiration {text}", 400) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return enabled, moment.timestamp()


def _require_admin(call: AwsCall) -> None:
    if not call.caller.is_admin:
        raise AccountError(
            "NotAuthorized",
            f"{call.action} is reserved to the cloud administrator (account eucalyptus)",
            403,
        )


def _required(call: AwsCall, *names: str) -> list[str]:
    values = [call.params.get(name) for name in names]
    missing = [n for n, v in zip(names, values, strict=True) if not v]
    if missing:
        raise AccountError(
            "ValidationError", f"Missing required parameter(s): {', '.join(missing)}", 400
        )
    return [v or "" for v in values]


def _find(body: bytes, tag: str) -> ElementTree.Element | None:
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return None
    return next((e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == tag), None)


def _texts(body: bytes, tag: str) -> list[str]:
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return []
    return [e.text or "" for e in root.iter() if e.tag.rsplit("}", 1)[-1] == tag]


# What DeleteUser and DeleteGroup find in the way: (listing action, element of each item,
# removing action, its parameter naming the item).
_EMPTIED_BEFORE_DELETE: dict[str, tuple[str, tuple[tuple[str, str, str, str], ...]]] = {
    "DeleteUser": ("User", (
        ("ListAccessKeys", "AccessKeyId", "DeleteAccessKey", "AccessKeyId"),
        ("ListSigningCertificates", "CertificateId", "DeleteSigningCertificate",
         "CertificateId"),
        ("ListUserPolicies", "member", "DeleteUserPolicy", "PolicyName"),
        ("ListAttachedUserPolicies", "PolicyArn", "DetachUserPolicy", "PolicyArn"),
        ("ListGroupsForUser", "GroupName", "RemoveUserFromGroup", "GroupName"),
    )),
    "DeleteGroup": ("Group", (
        ("GetGroup", "UserName", "RemoveUserFromGroup", "UserName"),
        ("ListGroupPolicies", "member", "DeleteGroupPolicy", "PolicyName"),
        ("ListAttachedGroupPolicies", "PolicyArn", "DetachGroupPolicy", "PolicyArn"),
    )),
}


def _text(element: ElementTree.Element, tag: str) -> str:
    child = next((e for e in element if e.tag.rsplit("}", 1)[-1] == tag), None)
    return (child.text or "") if child is not None else ""


# Eucalyptus-only actions (§6.1) -------------------------------------------------------------


def create_account(euare: Euare, call: AwsCall) -> Fields:
    name = call.params.get("AccountName")
    if name is not None and not _ACCOUNT_NAME.match(name):
        raise AccountError(
            "ValidationError",
            f"Invalid account name {name!r}: use 1-63 lower-case letters, digits, '.' and '-'",
            400,
        )
    account = euare.accounts.create(name or f"account-{int(euare.clock() * 1000)}")
    try:
        euare.provision(account)
    except AccountError:
        euare.accounts.remove(account)
        raise
    return [("Account", [("AccountName", account.name), ("AccountId", account.id)])]


def delete_account(euare: Euare, call: AwsCall) -> None:
    (name,) = _required(call, "AccountName")
    account = euare.accounts.get(name)
    if is_system_account(account.name):
        raise AccountError("DeleteConflict", "System account can not be deleted.", 409)
    if not call.params.boolean("Recursive"):
        listed = _find(euare.moto(account, "ListUsers").body, "Users")
        users = [] if listed is None else [_text(m, "UserName") for m in listed]
        others = sorted(u for u in users if u != ADMIN_USER)
        if others:
            raise AccountError(
                "DeleteConflict",
                f"Account {account.name} is not empty (users: {', '.join(others)}); "
                "delete with Recursive=true",
                409,
            )
    euare.accounts.remove(account)
    euare.credentials.revoke_account(account.name)
    return None


def list_accounts(euare: Euare, call: AwsCall) -> Fields:
    members = [[("AccountName", a.name), ("AccountId", a.id)] for a in euare.accounts.all()]
    return [("Accounts", Items("member", members))]


def put_account_policy(euare: Euare, call: AwsCall) -> None:
    name, policy, document = _required(call, "AccountName", "PolicyName", "PolicyDocument")
    try:
        json.loads(document)
    except ValueError as exc:
        raise AccountError(
            "MalformedPolicyDocument", f"Policy document is not valid JSON: {exc}", 400
        ) from exc
    account = euare.accounts.get(name)
    with account.lock:
        account.policies[policy] = document
    return None


def get_account_policy(euare: Euare, call: AwsCall) -> Fields:
    name, policy = _required(call, "AccountName", "PolicyName")
    account = euare.accounts.get(name)
    with account.lock:
        document = account.policies.get(policy)
    if document is None:
        raise AccountError(
            "NoSuchEntity", f"Can not find policy {policy} of account {account.name}", 404
        )
    return [
        ("AccountName", account.name),
        ("PolicyName", policy),
        ("PolicyDocument", quote(document, safe="")),  # URL-encoded, as Euare sends it (§6.1)
    ]


def list_account_policies(euare: Euare, call: AwsCall) -> Fields:
    (name,) = _required(call, "AccountName")
    account = euare.accounts.get(name)
    if not call.caller.is_admin and call.caller.account != account.name:
        raise AccountError("NotAuthorized", f"Not authorized to list policies of {name}", 403)
    with account.lock:
        names = sorted(account.policies)
    marker = call.params.get("Marker")
    if marker:
        names = [n for n in names if n > marker]
    limit = _max_items(call.params.get("MaxItems"))
    page, truncated = names[:limit], len(names) > limit
    return [
        ("PolicyNames", Items("member", page)),
        ("IsTruncated", truncated),
        ("Marker", page[-1] if truncated else None),
    ]


def _max_items(text: str | None) -> int:
    if text is None:
        return 100
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        raise AccountError("ValidationError", f"Invalid MaxItems {text!r}: expected 1-1000", 400)
    return int(text)


def delete_account_policy(euare: Euare, call: AwsCall) -> None:
    name, policy = _required(call, "AccountName", "PolicyName")
    account = euare.accounts.get(name)
    with account.lock:
        removed = account.policies.pop(policy, None)
    if removed is None:
        raise AccountError(
            "NoSuchEntity", f"Can not find policy {policy} of account {account.name}", 404
        )
    return None


def get_ldap_sync_status(euare: Euare, call: AwsCall) -> Fields:
    config = euare.properties.get("authentication.ldap_integration_configuration").value
    enabled = bool(re.search(r"['\"]enable['\"]\s*:\s*['\"]true['\"]", config, re.IGNORECASE))
    # LocalCloud has no directory to synchronise with, so it is never "in sync".
    return [("SyncEnabled", enabled), ("InSync", False)]


def get_user_info(euare: Euare, call: AwsCall) -> Fields:
    account = euare.target(call)
    user = call.params.get("UserName") or call.caller.user or ADMIN_USER
    euare.user_must_exist(account, user)
    with account.lock:
        info = dict(account.user_info.get(user, {}))
    key = call.params.get("InfoKey")
    if key is not None:
        info = {k: v for k, v in info.items() if k == key}
    members = [[("Key", k), ("Value", v)] for k, v in sorted(info.items())]
    return [("Infos", Items("member", members))]


def update_user_info(euare: Euare, call: AwsCall) -> None:
    account = euare.target(call)
    (key,) = _required(call, "InfoKey")
    user = call.params.get("UserName") or call.caller.user or ADMIN_USER
    euare.user_must_exist(account, user)
    value = call.params.get("InfoValue")
    with account.lock:
        info = account.user_info.setdefault(user, {})
        if value is None:
            info.pop(key, None)
        else:
            info[key] = value
    return None


def create_signing_certificate(euare: Euare, call: AwsCall) -> Fields:
    account = euare.target(call)
    user = call.params.get("UserName") or call.caller.user or ADMIN_USER
    euare.user_must_exist(account, user)
    try:
        certificate, private_key = signing_certificate(user)
    except CertificatesUnavailable as exc:
        raise AccountError("NotImplemented", str(exc), 501) from exc
    # moto keeps the certificate, so ListSigningCertificates shows it; the key is only returned.
    uploaded = euare.moto(
        account, "UploadSigningCertificate", UserName=user, CertificateBody=certificate
    )
    found = _find(uploaded.body, "Certificate")
    if uploaded.status != 200 or found is None:
        raise AccountError("InternalFailure", f"Could not store the certificate of {user}", 500)
    return [
        (
            "Certificate",
            [
                ("UserName", user),
                ("CertificateId", _text(found, "CertificateId")),
                ("CertificateBody", certificate),
                ("Status", "Active"),
                ("PrivateKey", private_key),
                ("UploadDate", _text(found, "UploadDate")),
            ],
        )
    ]


def update_server_certificate(euare: Euare, call: AwsCall) -> None:
    """Rename a server certificate or move it to another path (moto has no such action: the
    certificate is uploaded again under its new name and path, with the key kept from its
    upload). The errors are the server's."""
    account = euare.target(call)
    name = call.params.get("ServerCertificateName")
    if not name:
        raise AccountError("InvalidName", "Certificate name is empty", 400)
    new_name = call.params.get("NewServerCertificateName") or name
    new_path = call.params.get("NewPath")
    found = _find(euare.moto(account, "GetServerCertificate", ServerCertificateName=name).body,
                  "ServerCertificate")
    if found is None:
        raise AccountError("NoSuchEntity", f"Server certificate {name} does not exist", 404)
    if (new_name, new_path) == (name, None):
        return None
    if new_name != name and euare.moto(
            account, "GetServerCertificate", ServerCertificateName=new_name).status == 200:
        raise AccountError("EntityAlreadyExists",
                           f"Server certificate {new_name} already exists.", 409)
    with account.lock:
        key = account.server_keys.pop(name, "")
        account.server_keys[new_name] = key
    metadata = next(e for e in found if e.tag.rsplit("}", 1)[-1] == "ServerCertificateMetadata")
    upload = {"ServerCertificateName": new_name, "Path": new_path or _text(metadata, "Path"),
              "CertificateBody": _text(found, "CertificateBody"), "PrivateKey": key}
    chain = _text(found, "CertificateChain")
    if chain:
        upload["CertificateChain"] = chain
    euare.moto(account, "DeleteServerCertificate", ServerCertificateName=name)
    euare.moto(account, "UploadServerCertificate", **upload)
    return None


LOCAL_ACTIONS: dict[str, LocalAction] = {
    "CreateAccount": create_account,
    "DeleteAccount": delete_account,
    "ListAccounts": list_accounts,
    "PutAccountPolicy": put_account_policy,
    "GetAccountPolicy": get_account_policy,
    "ListAccountPolicies": list_account_policies,
    "DeleteAccountPolicy": delete_account_policy,
    "GetLdapSyncStatus": get_ldap_sync_status,
    "GetUserInfo": get_user_info,
    "UpdateUserInfo": update_user_info,
    "CreateSigningCertificate": create_signing_certificate,
    "UpdateServerCertificate": update_server_certificate,
}
ADMIN_ACTIONS = frozenset(
    {
        "CreateAccount",
        "DeleteAccount",
        "ListAccounts",
        "PutAccountPolicy",
        "GetAccountPolicy",
        "DeleteAccountPolicy",
        "GetLdapSyncStatus",
    }
)
