"""Tokens, Eucalyptus' STS (reference §7): GetImpersonationToken, GetAccessToken and
GetCallerIdentity answered here, everything else relayed to moto.

GetCallerIdentity names the principal of the key that signed: the user (the account's ``admin``
for keys without one) in the key's account, or the assumed role or federated user that the
minting call answered. moto cannot: it knows only the keys it made itself.

Every set of temporary credentials LocalCloud hands out, its own or relayed from moto
(AssumeRole, GetSessionToken, GetFederationToken), is registered with the credential store with
its session token, so requests signed with it are accepted afterwards.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable

from .accounts import Account, AccountError, AccountStore
from .euare import ADMIN_USER, IAM_VERSION
from .exchange import AwsCall, Request, Response, relay
from .forward import MotoForwarder
from .querywire import STS_NAMESPACE, XML_CONTENT_TYPE, Fields, query_error, query_response
from .signing import Credentials, CredentialStore

DEFAULT_DURATION = 3600
MIN_DURATION, MAX_DURATION = 900, 43200
# moto's actions that mint temporary credentials, relayed and then registered.
MINTING = frozenset(
    {"AssumeRole", "GetSessionToken", "GetFederationToken", "AssumeRoleWithWebIdentity"}
)


class Tokens:
    """Answers every call to ``/services/Tokens``."""

    def __init__(
        self,
        accounts: AccountStore,
        credentials: CredentialStore,
        forwarder: MotoForwarder,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.accounts = accounts
        self.credentials = credentials
        self.forwarder = forwarder
        self.clock = clock
        self._lock = threading.Lock()
        self._password_keys: set[str] = set()  # tokens that a password login produced
        self._user_ids: dict[tuple[str, str], str] = {}  # (account id, user) -> IAM user id

    def password_login(self, request: Request, request_id: str) -> Response | None:
        """GetAccessToken with HTTP Basic authentication (§7), or None for any other request."""
        authorization = request.header("authorization")
        if request.param("Action") != "GetAccessToken" or not authorization.startswith("Basic "):
            return None
        try:
            try:
                user, account_ref, password = _basic_challenge(authorization[len("Basic ") :])
            except ValueError as exc:
                raise AccountError("NotAuthorized", f"Invalid Basic challenge: {exc}", 401) from exc
            account = self.accounts.find(account_ref)
            known = None
            if account is not None:
                with account.lock:
                    known = account.passwords.get(user)
            if account is None or known is None or not _same(known, password):
                raise AccountError("NotAuthorized", "Invalid user name, account or password", 401)
            duration = _duration(request.param("DurationSeconds"))
            creds = self._issue(account, user)
            with self._lock:
                self._password_keys.add(creds.access_key)
        except AccountError as exc:
            return _error(exc, request_id, None)
        return _ok("GetAccessToken", creds, self._expiration(duration), request_id)

    def handle(self, call: AwsCall) -> Response:
        try:
            if call.action == "GetCallerIdentity":
                return self._identity(call)
            if call.action == "GetImpersonationToken":
                return self._impersonate(call)
            if call.action == "GetAccessToken":
                account = self.accounts.ensure(call.caller.account)
                duration = _duration(call.params.get("DurationSeconds"))
                creds = self._issue(account, call.caller.user or ADMIN_USER)
                return _ok(call.action, creds, self._expiration(duration), call.request_id, call)
        except AccountError as exc:
            return _error(exc, call.request_id, call.caller.access_key)
        response = relay(self.forwarder, call, account=call.caller.moto_account)
        if response.status == 200 and call.action in MINTING:
            self._learn(call, response.body)
        return response

    def _identity(self, call: AwsCall) -> Response:
        caller = call.caller
        if caller.arn:
            # An assumed role or federated user: arn:aws:sts::<account id>:...
            account_id = caller.arn.split(":")[4]
            arn, user_id = caller.arn, caller.user_id or caller.access_key
        else:
            account = self.accounts.ensure(caller.account)
            user = caller.user or ADMIN_USER
            account_id = account.id
            arn = f"arn:aws:iam::{account.id}:user/{user}"
            user_id = caller.user_id or self._user_id(account, user)
        fields: Fields = [("UserId", user_id), ("Account", account_id), ("Arn", arn)]
        body = query_response(call.action, STS_NAMESPACE, fields, call.request_id)
        return Response(200, [("Content-Type", XML_CONTENT_TYPE)], body, caller.access_key)

    def _user_id(self, account: Account, user: str) -> str:
        """The IAM user id moto gave ``user``, or a stable one for a user moto does not know
        (the administrator's keys are LocalCloud's own)."""
        with self._lock:
            known = self._user_ids.get((account.id, user))
        if known:
            return known
        status, body = self._moto(account, "GetUser", UserName=user)
        found = ""
        if status == 200:
            found = next((e.text or "" for e in ElementTree.fromstring(body).iter()
                          if _local(e.tag) == "UserId"), "")
        if not found:
            digest = hashlib.sha256(f"{account.id}:{user}".encode()).hexdigest()
            found = "AIDA" + digest[:17].upper()
        with self._lock:
            self._user_ids[(account.id, user)] = found
        return found

    def _impersonate(self, call: AwsCall) -> Response:
        if not call.caller.is_admin:
            raise AccountError(
                "AccessDenied",
                "GetImpersonationToken is reserved to the cloud administrator (account eucalyptus)",
                403,
            )
        with self._lock:
            by_password = call.caller.access_key in self._password_keys
        if by_password:
            raise AccountError(
                "MissingAuthenticationToken",
                "GetImpersonationToken needs a signed request, not a password login",
                403,
            )
        p = call.params
        user_id, alias, user = p.get("UserId"), p.get("AccountAlias"), p.get("UserName")
        if user_id:
            account, user = self._user_by_id(user_id)
            with self._lock:
                self._user_ids[(account.id, user)] = user_id
        elif alias and user:
            found = self.accounts.find(alias)
            if found is None:
                raise AccountError("NoSuchEntity", f"Can not find account {alias}", 404)
            account = found
            if user != ADMIN_USER and self._moto(account, "GetUser", UserName=user)[0] != 200:
                raise AccountError(
                    "NoSuchEntity", f"Can not find user {user} in account {account.name}", 404
                )
        else:
            raise AccountError(
                "ValidationError", "Give UserId, or AccountAlias together with UserName", 400
            )
        duration = _duration(p.get("DurationSeconds"))
        creds = self._issue(account, user)
        return _ok(call.action, creds, self._expiration(duration), call.request_id, call)

    def _user_by_id(self, user_id: str) -> tuple[Account, str]:
        for account in self.accounts.all():
            status, body = self._moto(account, "ListUsers")
            if status != 200:
                continue
            for member in ElementTree.fromstring(body).iter():
                if _local(member.tag) == "member" and _child(member, "UserId") == user_id:
                    return account, _child(member, "UserName")
        raise AccountError("NoSuchEntity", f"Can not find user with id {user_id}", 404)

    def _moto(self, account: Account, action: str, **params: str) -> tuple[int, bytes]:
        pairs = [("Action", action), ("Version", IAM_VERSION), *params.items()]
        relayed = self.forwarder.call("iam", pairs, account.id)
        return relayed.status, relayed.body

    def _issue(self, account: Account, user: str) -> Credentials:
        # Access-type tokens act as the user in the user's own moto account.
        return self.credentials.issue(
            account=account.name, user=user, temporary=True, moto_account=account.id
        )

    def _expiration(self, duration: int) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.clock() + duration))

    def _learn(self, call: AwsCall, body: bytes) -> None:
        root = ElementTree.fromstring(body)
        found = next((e for e in root.iter() if _local(e.tag) == "Credentials"), None)
        if found is None:
            return
        account = call.caller.account
        arn = next((e.text or "" for e in root.iter() if _local(e.tag) == "Arn"), "")
        principal_id = next((e.text or "" for e in root.iter()
                             if _local(e.tag) in ("AssumedRoleId", "FederatedUserId")), "")
        if arn.count(":") >= 5 and arn.split(":")[4]:
            # The principal's account: arn:aws:sts::<account id>:assumed-role/...
            principal_account = arn.split(":")[4]
            account = self.accounts.name_of(principal_account) or principal_account
        session_user = call.action == "GetSessionToken"
        self.credentials.issue(
            _child(found, "AccessKeyId"),
            _child(found, "SecretAccessKey"),
            account,
            user=call.caller.user if session_user else None,
            session_token=_child(found, "SessionToken"),
            # GetSessionToken keeps the caller's identity; the others mint a new principal.
            arn=None if session_user else (arn or None),
            user_id=call.caller.user_id if session_user else (principal_id or None),
        )


def _same(known: str, given: str) -> bool:
    return hmac.compare_digest(known.encode(), given.encode())


def _duration(text: str | None) -> int:
    if text is None:
        return DEFAULT_DURATION
    if not text.isdigit() or not MIN_DURATION <= int(text) <= MAX_DURATION:
        raise AccountError(
            "ValidationError",
            f"Invalid DurationSeconds {text!r}: expected {MIN_DURATION}-{MAX_DURATION}",
            400,
        )
    return int(text)


def _basic_challenge(encoded: str) -> tuple[str, str, str]:
    """``base64( base64(user) "@" base64(account) ":" password )`` -> user, account, password."""
    try:
        text = base64.b64decode(encoded, validate=True).decode()
        names, colon, password = text.partition(":")
        user64, _, account64 = names.partition("@")
        user = base64.b64decode(user64, validate=True).decode()
        account = base64.b64decode(account64, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("expected base64(base64(user)@base64(account):password)") from exc
    if not user or not account or not colon:
        raise ValueError("expected base64(base64(user)@base64(account):password)")
    return user, account, password


def _ok(
    action: str,
    creds: Credentials,
    expiration: str,
    request_id: str,
    call: AwsCall | None = None,
) -> Response:
    """The credentials answer; ``call`` None for a password login, which no key signed."""
    result: Fields = [
        (
            "Credentials",
            [
                ("AccessKeyId", creds.access_key),
                ("SecretAccessKey", creds.secret_key),
                ("SessionToken", creds.session_token),
                ("Expiration", expiration),
            ],
        )
    ]
    body = query_response(action, STS_NAMESPACE, result, request_id)
    signer = call.caller.access_key if call is not None else None
    return Response(200, [("Content-Type", XML_CONTENT_TYPE)], body, signer)


def _error(exc: AccountError, request_id: str, access_key: str | None) -> Response:
    body = query_error(STS_NAMESPACE, exc.code, exc.message, request_id)
    return Response(exc.status, [("Content-Type", XML_CONTENT_TYPE)], body, access_key)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ElementTree.Element, tag: str) -> str:
    found = next((e for e in element if _local(e.tag) == tag), None)
    return (found.text or "") if found is not None else ""
