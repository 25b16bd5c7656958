"""Who is calling the tracker API, proven by the caller's own cloud credentials.

The tracker never sees a secret key. The client signs (SigV4) an STS ``GetCallerIdentity``
request and sends the signed parts in the ``X-Euca-Tracker-Identity`` header; the tracker
replays that request to its cloud's STS, which answers with the caller's account only if the
signature is good. The signed query string carries a digest of the tracker request itself
(method, path with query, body), so a proof cannot be lifted onto a different request; STS
limits its age (15 minutes).

Header value: base64url of ``{"host", "path", "query", "headers"}`` (JSON), where ``headers``
are the signature headers (``Authorization``, ``X-Amz-Date``, ``X-Amz-Content-Sha256`` and
``X-Amz-Security-Token`` for temporary credentials).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests

from euca_boto.tracker.errors import AuthenticationError

IDENTITY_HEADER = "X-Euca-Tracker-Identity"
BINDING_PARAM = "EucaTrackerRequest"
STS_BODY = "Action=GetCallerIdentity&Version=2011-06-15"
_FORWARDED = ("authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token")
_ACCOUNT = re.compile(rb"<Account>\s*([^<\s]+)\s*</Account>")
_ERROR_CODE = re.compile(rb"<Code>([^<]*)</Code>")
_ERROR_MESSAGE = re.compile(rb"<Message>([^<]*)</Message>")


def binding(method: str, path_and_query: str, body: bytes) -> str:
    """The digest that ties an identity proof to one tracker request."""
    text = f"{method.upper()}\n{path_and_query}\n{hashlib.sha256(body).hexdigest()}"
    return hashlib.sha256(text.encode()).hexdigest()


def make_proof(
    credentials: Any, sts_url: str, region: str, method: str, path_and_query: str, body: bytes
) -> str:
    """The ``X-Euca-Tracker-Identity`` value for one tracker request (client side).

    ``credentials`` are botocore frozen credentials (access key, secret key, token).
    """
    from aws_requests_auth.aws_auth import AWSRequestsAuth

    parts = urlsplit(sts_url)
    query = urlencode({BINDING_PARAM: binding(method, path_and_query, body)})
    url = f"{parts.scheme}://{parts.netloc}{parts.path or '/'}?{query}"
    auth = AWSRequestsAuth(
        aws_access_key=credentials.access_key,
        aws_secret_access_key=credentials.secret_key,
        aws_token=credentials.token,
        aws_host=parts.netloc,
        aws_region=region,
        aws_service="sts",
    )
    prepared = requests.Request(
        "POST", url, data=STS_BODY,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    ).prepare()
    auth(prepared)
    headers = {k: v for k, v in prepared.headers.items() if k.lower() in _FORWARDED}
    proof = {"host": parts.netloc, "path": parts.path or "/", "query": query, "headers": headers}
    return base64.urlsafe_b64encode(json.dumps(proof).encode()).decode()


@dataclass(frozen=True)
class Caller:
    """An authenticated caller of the tracker API."""

    account: str
    arn: str


class IdentityVerifier:
    """Server side: learns the caller's account by replaying its proof to the cloud's STS."""

    def __init__(self, sts_url: str, timeout: float = 10.0) -> None:
        parts = urlsplit(sts_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"STS URL must be http(s)://host[:port]/path, got {sts_url!r}")
        self.sts_url = sts_url
        self._base = f"{parts.scheme}://{parts.netloc}"
        self._path = parts.path or "/"
        self.timeout = timeout
        self._local = threading.local()

    def verify(self, header: str | None, method: str, path_and_query: str, body: bytes) -> Caller:
        """The caller of one request, or :class:`AuthenticationError` (401 or 403)."""
        if not header:
            raise AuthenticationError(
                401,
                f"missing {IDENTITY_HEADER} header: sign a GetCallerIdentity request with your "
                f"cloud credentials (TrackerClient does this)",
            )
        proof = _decode(header)
        if proof["path"] != self._path:
            raise AuthenticationError(
                401, f"the identity proof is signed for path {proof['path']!r}; this tracker "
                f"verifies callers at its STS path {self._path!r}")
        params = dict(parse_qsl(proof["query"]))
        if params.get(BINDING_PARAM) != binding(method, path_and_query, body):
            raise AuthenticationError(
                401, "the identity proof was signed for a different request (method, path or "
                "body); sign each request")
        headers = {k: v for k, v in proof["headers"].items() if k.lower() in _FORWARDED}
        headers["Host"] = proof["host"]
        headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
        try:
            response = self._session().post(
                f"{self._base}{self._path}?{proof['query']}", data=STS_BODY, headers=headers,
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            raise AuthenticationError(
                503, f"cannot verify the caller: the cloud's STS at {self.sts_url} did not "
                f"answer ({type(error).__name__}); try again later") from None
        if response.status_code != 200:
            code = _first(_ERROR_CODE, response.content) or f"HTTP {response.status_code}"
            message = _first(_ERROR_MESSAGE, response.content)
            status = 503 if response.status_code >= 500 else 403
            raise AuthenticationError(
                status, f"the cloud's STS rejected the signed identity: {code}"
                + (f": {message}" if message else ""))
        account = _first(_ACCOUNT, response.content)
        if not account:
            raise AuthenticationError(503, "the cloud's STS answered without an account")
        arn = _first(re.compile(rb"<Arn>([^<]*)</Arn>"), response.content) or ""
        return Caller(account, arn)

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            self._local.session = session
        return session


def _decode(header: str) -> dict[str, Any]:
    try:
        padded = header.strip() + "=" * (-len(header.strip()) % 4)
        proof = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise AuthenticationError(
            401, f"{IDENTITY_HEADER} is not base64url-encoded JSON") from None
    if not (
        isinstance(proof, dict)
        and all(isinstance(proof.get(k), str) for k in ("host", "path", "query"))
        and isinstance(proof.get("headers"), dict)
        and all(isinstance(v, str) for v in proof["headers"].values())
    ):
        raise AuthenticationError(
            401, f"{IDENTITY_HEADER} must hold host, path, query (strings) and headers (object)")
    return proof


def _first(pattern: re.Pattern[bytes], content: bytes) -> str | None:
    match = pattern.search(content)
    return match.group(1).decode("utf-8", "replace") if match else None
