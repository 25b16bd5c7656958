"""Request authentication: the credentials a LocalCloud issues and SigV4/SigV2 verification.

Written from the AWS signature specifications, with Eucalyptus' leniencies (reference §2.4): the
SigV4 credential scope's region and service are not checked, and the canonical URI may be either
the path as received or ``/``.
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
import secrets
import string
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote

SIGV4_ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
ADMIN_ACCOUNT = "eucalyptus"

Headers = Mapping[str, Sequence[str]]  # lower-case name -> values in arrival order
Params = Sequence[tuple[str, str]]  # decoded query and form parameters, in order


@dataclass(frozen=True)
class Credentials:
    """An access key pair, the account (name) and user it belongs to.

    Temporary credentials carry their ``session_token``, which a request must present.
    ``moto_account`` is the moto account id to act in, when moto cannot tell it from the key.
    ``arn`` and ``user_id`` name the principal when it is not an IAM user (an assumed role, a
    federated user), as the call that minted the keys answered.
    """

    access_key: str
    secret_key: str
    account: str
    user: str | None = None
    session_token: str | None = None
    moto_account: str | None = None
    arn: str | None = None
    user_id: str | None = None

    @property
    def is_admin(self) -> bool:
        """Whether these are the cloud administrator's (``eucalyptus`` account) keys."""
        return self.account == ADMIN_ACCOUNT


class SignatureError(Exception):
    """A request is unsigned, signed with an unknown key, or its signature does not match.

    ``reason`` is one of ``missing``, ``unknown-key`` and ``mismatch`` so that each service can
    answer in its own error vocabulary.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class CredentialStore:
    """Issued key pairs, looked up by access key id. Thread safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[str, Credentials] = {}

    def issue(
        self,
        access_key: str | None = None,
        secret_key: str | None = None,
        account: str = ADMIN_ACCOUNT,
        *,
        user: str | None = None,
        temporary: bool = False,
        session_token: str | None = None,
        moto_account: str | None = None,
        arn: str | None = None,
        user_id: str | None = None,
    ) -> Credentials:
        """Store a key pair, generating AWS-shaped random values for what is not given;
        ``temporary`` credentials get an ``ASIA`` key and a session token."""
        prefix = "ASIA" if temporary else "AKIA"
        if temporary and session_token is None:
            session_token = secrets.token_urlsafe(96)
        creds = Credentials(
            access_key or prefix + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16)),
            secret_key or secrets.token_urlsafe(30)[:40],
            account,
            user,
            session_token,
            moto_account,
            arn,
            user_id,
        )
        with self._lock:
            self._by_key[creds.access_key] = creds
        return creds

    def get(self, access_key: str) -> Credentials | None:
        with self._lock:
            return self._by_key.get(access_key)

    def revoke(self, access_key: str) -> None:
        with self._lock:
            self._by_key.pop(access_key, None)

    def revoke_account(self, account: str) -> None:
        """Forget every key of ``account`` (it was deleted)."""
        with self._lock:
            for key in [k for k, c in self._by_key.items() if c.account == account]:
                del self._by_key[key]


_KEY_ALPHABET = string.ascii_uppercase + string.digits


def verify(
    store: CredentialStore,
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Headers,
    params: Params,
    body: bytes,
    max_age: float | None = None,
    now: float | None = None,
) -> Credentials:
    """Authenticate one request; return the caller's credentials or raise ``SignatureError``.

    ``raw_path`` and ``raw_query`` are as they arrived on the request line (still
    percent-encoded); ``params`` are the decoded query plus form-body parameters. With
    ``max_age`` (seconds), a SigV4 header signature made longer ago than that, or that far in
    the future, is refused as AWS does (presigned URLs carry their own expiry).
    """
    authorization = _first(headers, "authorization")
    if authorization.startswith(SIGV4_ALGORITHM + " "):
        fields = _parse_authorization(authorization[len(SIGV4_ALGORITHM) + 1 :])
        return _verify_sigv4(
            store,
            method,
            raw_path,
            raw_query,
            headers,
            body,
            credential=fields.get("Credential", ""),
            signed_headers=fields.get("SignedHeaders", ""),
            signature=fields.get("Signature", ""),
            amz_date=_first(headers, "x-amz-date"),
            presigned=False,
            max_age=max_age,
            now=time.time() if now is None else now,
        )
    query = dict(params)
    if query.get("X-Amz-Algorithm") == SIGV4_ALGORITHM:
        return _verify_sigv4(
            store,
            method,
            raw_path,
            raw_query,
            headers,
            body,
            credential=query.get("X-Amz-Credential", ""),
            signed_headers=query.get("X-Amz-SignedHeaders", ""),
            signature=query.get("X-Amz-Signature", ""),
            amz_date=query.get("X-Amz-Date", ""),
            presigned=True,
        )
    if query.get("SignatureVersion") == "2":
        return _verify_sigv2(store, method, raw_path, headers, params)
    if authorization:
        raise SignatureError(
            "missing", "Unsupported authorization scheme; sign with SigV4 or SigV2"
        )
    raise SignatureError("missing", "The request is not signed")


def _verify_sigv4(
    store: CredentialStore,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Headers,
    body: bytes,
    *,
    credential: str,
    signed_headers: str,
    signature: str,
    amz_date: str,
    presigned: bool,
    max_age: float | None = None,
    now: float = 0.0,
) -> Credentials:
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not signature or not amz_date:
        raise SignatureError("mismatch", "Malformed SigV4 credential, date or signature")
    if max_age is not None:
        _check_age(amz_date, max_age, now)
    access_key, date, region, service, _ = parts
    creds = store.get(access_key)
    if creds is None:
        raise SignatureError("unknown-key", f"The access key {access_key} is not known")
    token = _first(headers, "x-amz-security-token")
    if presigned:
        token = dict(parse_qsl(raw_query, keep_blank_values=True)).get("X-Amz-Security-Token", "")
    _check_token(creds, token)
    scope = f"{date}/{region}/{service}/aws4_request"
    key = _sigv4_key(creds.secret_key, date, region, service)
    names = [name for name in signed_headers.split(";") if name]
    canonical_headers = "".join(
        f"{name}:{','.join(' '.join(v.split()) for v in headers.get(name, ()))}\n" for name in names
    )
    query = _canonical_query(raw_query, drop="X-Amz-Signature" if presigned else None)
    declared = _first(headers, "x-amz-content-sha256")
    payloads = (
        [declared]
        if declared
        else [hashlib.sha256(body).hexdigest(), UNSIGNED_PAYLOAD, STREAMING_UNSIGNED_TRAILER]
    )
    # Clients differ: S3 signs the path as sent, other botocore services quote it once more, and
    # the AWS Java SDK signs "/". Eucalyptus accepts the real path or "/" (§2.4).
    uris = dict.fromkeys([raw_path or "/", quote(raw_path or "/", safe="/~"), "/"])
    for uri in uris:
        for payload in payloads:
            canonical = "\n".join([method, uri, query, canonical_headers, ";".join(names), payload])
            to_sign = "\n".join(
                [SIGV4_ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
            )
            expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
            if hmac.compare_digest(expected, signature):
                return creds
    raise SignatureError(
        "mismatch",
        "The request signature we calculated does not match the signature you provided. "
        "Check your secret access key and signing method.",
    )


def _verify_sigv2(
    store: CredentialStore, method: str, raw_path: str, headers: Headers, params: Params
) -> Credentials:
    values = dict(params)
    access_key = values.get("AWSAccessKeyId", "")
    signature = values.get("Signature", "")
    digest = {"HmacSHA256": hashlib.sha256, "HmacSHA1": hashlib.sha1}.get(
        values.get("SignatureMethod", "")
    )
    if not access_key or not signature or digest is None:
        raise SignatureError(
            "mismatch", "SigV2 needs AWSAccessKeyId, Signature and SignatureMethod"
        )
    creds = store.get(access_key)
    if creds is None:
        raise SignatureError("unknown-key", f"The access key {access_key} is not known")
    _check_token(creds, values.get("SecurityToken", ""))
    pairs = "&".join(
        f"{quote(k, safe='')}={quote(v, safe='-_~')}"
        for k, v in sorted(values.items())
        if k != "Signature"
    )
    to_sign = f"{method}\n{_first(headers, 'host').lower()}\n{raw_path or '/'}\n{pairs}"
    expected = base64.b64encode(
        hmac.new(creds.secret_key.encode(), to_sign.encode(), digest).digest()
    )
    if hmac.compare_digest(expected.decode(), signature):
        return creds
    raise SignatureError(
        "mismatch", "The request signature we calculated does not match the signature you provided."
    )


def _check_age(amz_date: str, max_age: float, now: float) -> None:
    try:
        signed = calendar.timegm(time.strptime(amz_date, "%Y%m%dT%H%M%SZ"))
    except ValueError:
        raise SignatureError("mismatch", f"Invalid X-Amz-Date {amz_date!r}") from None
    minutes = f"{max_age / 60:g} min."
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    if signed < now - max_age:
        limit = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now - max_age))
        raise SignatureError(
            "mismatch",
            f"Signature expired: {amz_date} is now earlier than {limit} ({stamp} - {minutes})")
    if signed > now + max_age:
        limit = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now + max_age))
        raise SignatureError(
            "mismatch",
            f"Signature not yet current: {amz_date} is still later than {limit} "
            f"({stamp} + {minutes})")


def _check_token(creds: Credentials, presented: str) -> None:
    # Temporary credentials are only valid together with their session token.
    if creds.session_token is not None and not hmac.compare_digest(
        creds.session_token.encode(), presented.encode()
    ):
        raise SignatureError("unknown-key", "The security token included in the request is invalid")


def _sigv4_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _canonical_query(raw_query: str, drop: str | None) -> str:
    pairs = []
    for part in raw_query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        name, value = unquote(name), unquote(value)
        if name != drop:
            pairs.append((quote(name, safe="-_.~"), quote(value, safe="-_.~")))
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def _parse_authorization(text: str) -> dict[str, str]:
    fields = {}
    for part in text.split(","):
        name, _, value = part.strip().partition("=")
        fields[name] = value
    return fields


def _first(headers: Headers, name: str) -> str:
    values: Iterable[str] = headers.get(name, ())
    return next(iter(values), "")
