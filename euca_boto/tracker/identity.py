"""Who is calling the tracker API, proven by the caller's own cloud credentials.

The tracker never sees a secret key. The client signs (SigV4) an STS ``GetCallerIdentity``
request and sends the signed parts in the ``X-Euca-Tracker-Identity`` header; the tracker
replays that request to its cloud's STS, which answers with the caller's account only if the
signature is good. The signed query string carries a digest of the tracker request itself
(method, path with query, body), so a proof cannot be lifted onto a different request, and a
random nonce. The tracker itself refuses a proof signed more than 5 minutes from its clock and
one it has already seen (a replay); STS limits the age too (15 minutes).

Header value: base64url of ``{"host", "path", "query", "headers"}`` (JSON), where ``headers``
are the signature headers (``Authorization``, ``X-Amz-Date``, ``X-Amz-Content-Sha256`` and
``X-Amz-Security-Token`` for temporary credentials).
"""

from __future__ import annotations

import base64
import binascii
import calendar
import collections
import datetime
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import requests

from euca_boto.tracker.errors import AuthenticationError

IDENTITY_HEADER = "X-Euca-Tracker-Identity"
BINDING_PARAM = "EucaTrackerRequest"
NONCE_PARAM = "EucaTrackerNonce"
# How far a proof's signing time may be from the tracker's clock, either way.
MAX_SKEW = 300.0
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
    credentials: Any,
    sts_url: str,
    region: str,
    method: str,
    path_and_query: str,
    body: bytes,
    signed_at: datetime.datetime | None = None,
) -> str:
    """The ``X-Euca-Tracker-Identity`` value for one tracker request (client side).

    ``credentials`` are botocore frozen credentials (access key, secret key, token). Each proof
    carries a random nonce, so two identical requests have different proofs (the tracker
    refuses a proof it has seen). ``signed_at`` defaults to now.
    """
    parts = urlsplit(sts_url)
    path = parts.path or "/"
    query = urlencode({BINDING_PARAM: binding(method, path_and_query, body),
                       NONCE_PARAM: secrets.token_hex(16)})
    when = signed_at or datetime.datetime.now(datetime.timezone.utc)
    headers = sign_v4(credentials, parts.netloc, path, query, region, when)
    proof = {"host": parts.netloc, "path": path, "query": query, "headers": headers}
    return base64.urlsafe_b64encode(json.dumps(proof).encode()).decode()


def sign_v4(
    credentials: Any, host: str, path: str, query: str, region: str, when: datetime.datetime
) -> dict[str, str]:
    """SigV4 headers of ``POST path?query`` carrying the GetCallerIdentity form to STS."""
    stamp = when.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    day = stamp[:8]
    headers = {"host": host, "x-amz-date": stamp}
    if credentials.token:
        headers["x-amz-security-token"] = credentials.token
    names = sorted(headers)
    canonical_query = "&".join(
        f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}"
        for k, v in sorted(parse_qsl(query, keep_blank_values=True)))
    canonical = "\n".join([
        "POST", quote(path, safe="/~"), canonical_query,
        "".join(f"{name}:{headers[name].strip()}\n" for name in names), ";".join(names),
        hashlib.sha256(STS_BODY.encode()).hexdigest(),
    ])
    scope = f"{day}/{region}/sts/aws4_request"
    to_sign = "\n".join([
        "AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + credentials.secret_key).encode()
    for part in (day, region, "sts", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    result = {
        "Authorization": f"AWS4-HMAC-SHA256 Credential={credentials.access_key}/{scope}, "
                         f"SignedHeaders={';'.join(names)}, Signature={signature}",
        "X-Amz-Date": stamp,
    }
    if credentials.token:
        result["X-Amz-Security-Token"] = credentials.token
    return result


@dataclass(frozen=True)
class Caller:
    """An authenticated caller of the tracker API."""

    account: str
    arn: str


class IdentityVerifier:
    """Server side: learns the caller's account by replaying its proof to the cloud's STS."""

    def __init__(
        self,
        sts_url: str,
        timeout: float = 10.0,
        max_skew: float = MAX_SKEW,
        clock: Callable[[], float] = time.time,
    ) -> None:
        parts = urlsplit(sts_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"STS URL must be http(s)://host[:port]/path, got {sts_url!r}")
        self.sts_url = sts_url
        self._base = f"{parts.scheme}://{parts.netloc}"
        self._path = parts.path or "/"
        self.timeout = timeout
        self.max_skew = max_skew
        self.clock = clock
        self._local = threading.local()
        self._seen = ReplayCache(2 * max_skew, clock)

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
        self._check_fresh(headers)
        signature = _header_value(headers, "authorization")
        if not self._seen.add(signature):
            raise AuthenticationError(
                401, "the identity proof was already used (a replay); sign each request anew "
                "(TrackerClient does)")
        try:
            return self._ask_sts(proof, headers)
        except AuthenticationError:
            self._seen.discard(signature)  # refused proofs do not occupy the cache
            raise

    def _check_fresh(self, headers: dict[str, str]) -> None:
        stamp = _header_value(headers, "x-amz-date")
        try:
            signed_at = calendar.timegm(time.strptime(stamp, "%Y%m%dT%H%M%SZ"))
        except ValueError:
            raise AuthenticationError(
                401, "the identity proof has no valid X-Amz-Date signing time") from None
        skew = self.clock() - signed_at
        if abs(skew) > self.max_skew:
            when = f"{skew:.0f} s ago" if skew > 0 else f"{-skew:.0f} s in the future"
            raise AuthenticationError(
                401, f"the identity proof was signed at {stamp}, {when} by the tracker's "
                f"clock; it accepts proofs signed within {self.max_skew / 60:g} minutes: sign "
                f"each request when you send it, and check your clock")

    def _ask_sts(self, proof: dict[str, Any], headers: dict[str, str]) -> Caller:
        headers = dict(headers)
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


class ReplayCache:
    """Proofs seen in the last ``ttl`` seconds (a proof is stale after that anyway).

    Per process: replicas of a tracker each keep their own, so a proof replayed to another
    replica within its validity window is not caught there; the binding to one request
    (method, path, body) still limits what a replay can do.
    """

    def __init__(self, ttl: float, clock: Callable[[], float] = time.time) -> None:
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}
        self._order: collections.deque[tuple[float, str]] = collections.deque()

    def add(self, key: str) -> bool:
        """Remember ``key``; False when it was already there."""
        now = self.clock()
        with self._lock:
            while self._order and self._order[0][0] <= now:
                expired, old = self._order.popleft()
                if self._expiry.get(old) == expired:
                    del self._expiry[old]
            if key in self._expiry:
                return False
            self._expiry[key] = now + self.ttl
            self._order.append((now + self.ttl, key))
            return True

    def discard(self, key: str) -> None:
        with self._lock:
            self._expiry.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._expiry)


def _header_value(headers: dict[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name), "")


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
