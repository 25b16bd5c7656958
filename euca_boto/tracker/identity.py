"""Who is calling the tracker API, proven by the caller's own cloud credentials.

The tracker never sees a secret key. The client signs (SigV4) an STS ``GetCallerIdentity``
request and sends the signed parts in the ``X-Euca-Tracker-Identity`` header; the tracker
replays that request to its cloud's STS, which answers with the caller's account only if the
signature is good. The signed query string carries a digest of the tracker request itself
(method, path with query, body), so a proof cannot be lifted onto a different request, and a
random nonce. The tracker itself refuses a proof signed more than 5 minutes from its clock and
one whose signature it has already seen (a replay); STS limits the age too (15 minutes).

Header value: base64url of ``{"host", "path", "query", "headers"}`` (JSON), where ``headers``
are the signature headers (``Authorization``, ``X-Amz-Date``, ``X-Amz-Content-Sha256`` and
``X-Amz-Security-Token`` for temporary credentials).

A proof is parsed once into a canonical :class:`Proof` and the request to STS is built from
that alone, so what the tracker checked (time, replay, binding) is exactly what STS verifies.
Parsing is strict: header names are case-insensitive and each may appear once; the
``Authorization`` value is split into its parts (the signature is the replay key, however the
value was spaced); the query holds the binding and the nonce, once each, and nothing else.
Anything else is refused with 401 before STS is asked.
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
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import requests

from euca_boto.tracker import strictjson
from euca_boto.tracker.errors import AuthenticationError
from euca_boto.tracker.outbound import session_for

IDENTITY_HEADER = "X-Euca-Tracker-Identity"
BINDING_PARAM = "EucaTrackerRequest"
NONCE_PARAM = "EucaTrackerNonce"
AUDIENCE_PARAM = "EucaTrackerAudience"
# How far a proof's signing time may be from the tracker's clock, either way.
MAX_SKEW = 300.0
STS_BODY = "Action=GetCallerIdentity&Version=2011-06-15"
ALGORITHM = "AWS4-HMAC-SHA256"
# The headers a proof may carry (lower case) and what each value must look like.
_HEADER_VALUES = {
    "authorization": re.compile(r"[ -~]{1,2048}"),
    "x-amz-date": re.compile(r"\d{8}T\d{6}Z"),
    "x-amz-content-sha256": re.compile(r"[0-9a-f]{64}"),
    "x-amz-security-token": re.compile(r"[!-~]{1,8192}"),
}
_CREDENTIAL = re.compile(r"([A-Za-z0-9_.-]{1,128})/(\d{8})/([A-Za-z0-9-]{1,64})/sts/aws4_request")
_SIGNED_HEADERS = re.compile(r"[a-z0-9-]+(;[a-z0-9-]+)*")
_SIGNATURE = re.compile(r"[0-9a-f]{64}")
_HOST = re.compile(r"(\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9.-]{1,253})(:\d{1,5})?")
_PARAMS = {BINDING_PARAM: re.compile(r"[0-9a-f]{64}"),
           NONCE_PARAM: re.compile(r"[A-Za-z0-9_-]{16,64}"),
           AUDIENCE_PARAM: re.compile(r"[a-z0-9.:\[\]-]{1,261}")}
_REQUIRED_PARAMS = (BINDING_PARAM, NONCE_PARAM)
_PROOF_KEYS = ("headers", "host", "path", "query")
_ACCOUNT = re.compile(rb"<Account>\s*([^<\s]+)\s*</Account>")
_CALLER_IDENTITY = re.compile(rb"<GetCallerIdentityResult>")
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
    audience: str | None = None,
) -> str:
    """The ``X-Euca-Tracker-Identity`` value for one tracker request (client side).

    ``credentials`` are botocore frozen credentials (access key, secret key, token). Each proof
    carries a random nonce, so two identical requests have different proofs (the tracker
    refuses a proof it has seen). ``signed_at`` defaults to now. ``audience`` names the tracker
    the proof is for (its host and port as the client reaches it); a tracker that knows its
    name refuses proofs meant for another.
    """
    parts = urlsplit(sts_url)
    path = parts.path or "/"
    params = {BINDING_PARAM: binding(method, path_and_query, body),
              NONCE_PARAM: secrets.token_hex(16)}
    if audience:
        params[AUDIENCE_PARAM] = audience.lower()
    query = urlencode(params)
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


@dataclass(frozen=True)
class Proof:
    """An identity proof in canonical form: what the tracker checks and STS receives."""

    host: str
    path: str
    binding: str
    nonce: str
    audience: str | None
    access_key: str
    scope: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str
    signed_at: float
    content_sha256: str | None
    security_token: str | None

    @classmethod
    def parse(cls, header: str) -> Proof:
        """The proof in an ``X-Euca-Tracker-Identity`` value; 401 when it is not one."""
        document = _decode(header)
        headers: dict[str, str] = {}
        for name, value in document["headers"].items():
            folded = name.lower()
            if folded in headers:
                raise _refused(f"the proof gives the header {_display(folded)} more than "
                               f"once (header names are case-insensitive)")
            pattern = _HEADER_VALUES.get(folded)
            if pattern is None:
                raise _refused(f"{name} is not a signature header; a proof carries only "
                               f"{', '.join(map(_display, _HEADER_VALUES))}")
            if not pattern.fullmatch(value):
                raise _refused(f"the proof's {_display(folded)} value is malformed")
            headers[folded] = value
        for required in ("authorization", "x-amz-date"):
            if required not in headers:
                raise _refused(f"the proof has no {_display(required)} header")
        stamp = headers["x-amz-date"]
        try:
            signed_at = float(calendar.timegm(time.strptime(stamp, "%Y%m%dT%H%M%SZ")))
        except ValueError:
            raise _refused("the proof's X-Amz-Date is not a valid signing time") from None
        access_key, scope, signed, signature = _authorization(headers["authorization"])
        if scope[:8] != stamp[:8]:
            raise _refused("the proof's credential scope is for another day than its "
                           "X-Amz-Date")
        missing = [name for name in signed if name != "host" and name not in headers]
        if "host" not in signed or "x-amz-date" not in signed or missing:
            raise _refused("the proof's SignedHeaders must name host and x-amz-date, and only "
                           "headers the proof carries")
        sha = headers.get("x-amz-content-sha256")
        if sha is not None and sha != hashlib.sha256(STS_BODY.encode()).hexdigest():
            raise _refused("the proof's X-Amz-Content-Sha256 is not that of the "
                           "GetCallerIdentity form")
        if not _HOST.fullmatch(document["host"]):
            raise _refused("the proof's host is not a host name or address with a port")
        params = _query(document["query"])
        return cls(
            host=document["host"], path=document["path"], binding=params[BINDING_PARAM],
            nonce=params[NONCE_PARAM], audience=params.get(AUDIENCE_PARAM),
            access_key=access_key, scope=scope,
            signed_headers=signed, signature=signature, amz_date=stamp, signed_at=signed_at,
            content_sha256=sha, security_token=headers.get("x-amz-security-token"),
        )

    @property
    def authorization(self) -> str:
        return (f"{ALGORITHM} Credential={self.access_key}/{self.scope}, "
                f"SignedHeaders={';'.join(self.signed_headers)}, Signature={self.signature}")

    @property
    def query(self) -> str:
        params = {BINDING_PARAM: self.binding, NONCE_PARAM: self.nonce}
        if self.audience is not None:
            params[AUDIENCE_PARAM] = self.audience
        return urlencode(sorted(params.items()))

    def sts_headers(self) -> dict[str, str]:
        """The headers of the request to STS: the signed ones, and the form's content type."""
        headers = {"Host": self.host, "X-Amz-Date": self.amz_date,
                   "Authorization": self.authorization,
                   "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        if self.content_sha256 is not None:
            headers["X-Amz-Content-Sha256"] = self.content_sha256
        if self.security_token is not None:
            headers["X-Amz-Security-Token"] = self.security_token
        return headers


class IdentityVerifier:
    """Server side: learns the caller's account by replaying its proof to the cloud's STS.
    With ``audience`` (this tracker's host and port as its clients reach it), proofs signed
    for another tracker are refused, as Vault's AWS auth method does with its server ID."""

    def __init__(
        self,
        sts_url: str,
        timeout: float = 10.0,
        max_skew: float = MAX_SKEW,
        clock: Callable[[], float] = time.time,
        audience: str | None = None,
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
        self.audience = audience.lower() if audience else None
        self._local = threading.local()
        self._seen = ReplayCache(2 * max_skew, clock)

    def verify(self, header: str | None, method: str, path_and_query: str, body: bytes) -> Caller:
        """The caller of one request, or :class:`AuthenticationError` (401, 403 or 503)."""
        if not header:
            raise AuthenticationError(
                401,
                f"missing {IDENTITY_HEADER} header: sign a GetCallerIdentity request with your "
                f"cloud credentials (TrackerClient does this)",
            )
        proof = Proof.parse(header)
        if proof.path != self._path:
            raise _refused(f"the identity proof is signed for path {proof.path!r}; this tracker "
                           f"verifies callers at its STS path {self._path!r}")
        if self.audience is not None and proof.audience != self.audience:
            # A proof one tracker received must not open a session at another (a tracker that
            # collects proofs could otherwise act as its callers elsewhere).
            raise _refused(f"the identity proof is meant for tracker {proof.audience!r}, not "
                           f"for this one ({self.audience!r}); sign for the tracker you call")
        if not hmac.compare_digest(proof.binding, binding(method, path_and_query, body)):
            raise _refused("the identity proof was signed for a different request (method, "
                           "path or body); sign each request")
        self._check_fresh(proof)
        if not self._seen.add(proof.signature):
            raise _refused("the identity proof was already used (a replay); sign each request "
                           "anew (TrackerClient does)")
        try:
            return self._ask_sts(proof)
        except AuthenticationError:
            self._seen.discard(proof.signature)  # refused proofs do not occupy the cache
            raise

    def _check_fresh(self, proof: Proof) -> None:
        skew = self.clock() - proof.signed_at
        if abs(skew) > self.max_skew:
            when = f"{skew:.0f} s ago" if skew > 0 else f"{-skew:.0f} s in the future"
            raise _refused(
                f"the identity proof was signed at {proof.amz_date}, {when} by the tracker's "
                f"clock; it accepts proofs signed within {self.max_skew / 60:g} minutes: sign "
                f"each request when you send it, and check your clock")

    def _ask_sts(self, proof: Proof) -> Caller:
        try:
            response = self._session().post(
                f"{self._base}{self._path}?{proof.query}", data=STS_BODY,
                headers=proof.sts_headers(), timeout=self.timeout, allow_redirects=False,
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
        if not account or not _CALLER_IDENTITY.search(response.content):
            raise AuthenticationError(503, "the cloud's STS answered without a caller identity")
        arn = _first(re.compile(rb"<Arn>([^<]*)</Arn>"), response.content) or ""
        return Caller(account, arn)

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = session_for(self.sts_url)
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


def _refused(message: str) -> AuthenticationError:
    return AuthenticationError(401, message)


def _display(name: str) -> str:
    """A lower-case header name as the proof format writes it (X-Amz-Date)."""
    return "-".join(part.capitalize() for part in name.split("-"))


def _decode(header: str) -> dict[str, Any]:
    text = header.strip()
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
        proof = strictjson.loads(raw, max_depth=2)
    except (binascii.Error, ValueError):
        raise _refused(f"{IDENTITY_HEADER} is not base64url-encoded JSON without repeated "
                       f"keys") from None
    if not (
        isinstance(proof, dict)
        and sorted(proof) == sorted(_PROOF_KEYS)
        and all(isinstance(proof[k], str) for k in ("host", "path", "query"))
        and isinstance(proof["headers"], dict)
        and all(isinstance(v, str) for v in proof["headers"].values())
    ):
        raise _refused(f"{IDENTITY_HEADER} must hold exactly host, path, query (strings) and "
                       f"headers (an object of strings)")
    return proof


def _authorization(value: str) -> tuple[str, str, tuple[str, ...], str]:
    """(access key, credential scope, signed header names, signature) of a SigV4
    ``Authorization`` value, whatever its spacing."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise _refused(f"the proof's Authorization must use {ALGORITHM}")
    parts: dict[str, str] = {}
    for item in rest.split(","):
        name, equals, part = item.strip().partition("=")
        if not equals or name not in ("Credential", "SignedHeaders", "Signature"):
            raise _refused("the proof's Authorization holds something other than Credential, "
                           "SignedHeaders and Signature")
        if name in parts:
            raise _refused(f"the proof's Authorization: {name} is given more than once")
        parts[name] = part
    if len(parts) != 3:
        raise _refused("the proof's Authorization needs Credential, SignedHeaders and Signature")
    credential = _CREDENTIAL.fullmatch(parts["Credential"])
    if credential is None:
        raise _refused("the proof's Authorization Credential is not KEY/DAY/REGION/sts/"
                       "aws4_request")
    signed = parts["SignedHeaders"]
    names = tuple(signed.split(";"))
    if not _SIGNED_HEADERS.fullmatch(signed) or list(names) != sorted(set(names)):
        raise _refused("the proof's Authorization SignedHeaders is not a sorted list of "
                       "lower-case header names")
    if not _SIGNATURE.fullmatch(parts["Signature"]):
        raise _refused("the proof's Authorization Signature is not 64 hex digits")
    access_key = credential.group(1)
    return access_key, parts["Credential"][len(access_key) + 1:], names, parts["Signature"]


def _query(text: str) -> dict[str, str]:
    """The binding and the nonce, the only parameters a proof's query may hold."""
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise _refused("the proof's query is malformed") from None
    repeated = sorted(name for name, n in Counter(name for name, _ in pairs).items() if n > 1)
    if repeated:
        raise _refused(f"the proof's query gives {', '.join(repeated)} more than once")
    params = dict(pairs)
    if not set(_REQUIRED_PARAMS) <= set(params) <= set(_PARAMS) or not all(
            _PARAMS[name].fullmatch(value) for name, value in params.items()):
        raise _refused(f"the signed query may hold only {BINDING_PARAM} (64 hex digits), "
                       f"{NONCE_PARAM} and {AUDIENCE_PARAM} (a host and port), once each")
    return params


def _first(pattern: re.Pattern[bytes], content: bytes) -> str | None:
    match = pattern.search(content)
    return match.group(1).decode("utf-8", "replace") if match else None
