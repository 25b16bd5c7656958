"""AWS-compatible services (EC2, IAM, STS, S3) answered by an in-process moto server.

LocalCloud has already authenticated the request; this module only relays it: it strips the
``/services/<Name>`` prefix, re-scopes SigV4 to a region moto knows, and passes the answer back.
"""

from __future__ import annotations

import http.client
import logging
import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

# moto refuses unknown regions (such as "eucalyptus") for most services. It does not verify
# signatures, so the already-verified request can simply be re-scoped to a region it serves.
MOTO_REGION = "us-east-1"
MOTO_ACCOUNT_HEADER = "x-moto-account-id"
_AWS_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$")
_CREDENTIAL_SCOPE = re.compile(r"(Credential=[^/,\s]+/\d{8}/)[^/]+(/)")
_QUERY_SCOPE = re.compile(r"(X-Amz-Credential=[^&%]+(?:/|%2F)\d{8}(?:/|%2F))[^/&%]+((?:/|%2F))")
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "expect",
        "host",
        "content-length",
    }
)


@dataclass(frozen=True)
class Relayed:
    """moto's answer."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


class MotoForwarder:
    """Starts moto on 127.0.0.1 (ephemeral port) and relays requests to it."""

    def __init__(self) -> None:
        self._server: Any = None  # moto.server.ThreadedMotoServer, imported when started
        self._address: tuple[str, int] | None = None
        self._local = threading.local()  # one keep-alive connection per handler thread

    def start(self) -> None:
        try:
            from moto.server import ThreadedMotoServer
        except ImportError as exc:
            raise RuntimeError(
                "LocalCloud serves EC2, IAM, STS and S3 through moto, which is not installed: "
                "pip install 'euca-boto[cloud]' (or pass aws=False to do without them)"
            ) from exc
        # werkzeug logs every request to stderr; keep test and demo output readable.
        werkzeug = logging.getLogger("werkzeug")
        if werkzeug.level == logging.NOTSET:
            werkzeug.setLevel(logging.WARNING)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        self._address = self._server.get_host_and_port()
        self._warm_up()

    def _warm_up(self) -> None:
        # moto builds its EC2 backend (images, instance types) on first use, which takes
        # seconds; pay that now rather than inside someone's first call and its read timeout.
        # moto does not check signatures, it only reads the service from the scope.
        scope = f"AKIALOCALCLOUDWARMUP/20260101/{MOTO_REGION}/ec2/aws4_request"
        self.relay(
            "POST",
            "/",
            [
                ("Content-Type", "application/x-www-form-urlencoded"),
                (
                    "Authorization",
                    f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0",
                ),
            ],
            b"Action=DescribeRegions&Version=2016-11-15",
        )
        self._connection().close()
        self._local.conn = None

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    @property
    def url(self) -> str:
        assert self._address is not None, "moto is not started"
        return f"http://{self._address[0]}:{self._address[1]}"

    def call(self, service: str, params: list[tuple[str, str]], account: str | None,
             access_key: str = "AKIALOCALCLOUDINTERNAL") -> Relayed:
        """A query call of LocalCloud's own (e.g. creating an account's admin user) in the moto
        ``account`` (None: the account moto finds for ``access_key``, by default its default
        account)."""
        scope = f"{access_key}/20260101/{MOTO_REGION}/{service}/aws4_request"
        return self.relay(
            "POST",
            "/",
            [
                ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
                (
                    "Authorization",
                    f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0",
                ),
            ],
            urlencode(params).encode(),
            account=account,
        )

    def relay(
        self,
        method: str,
        path_and_query: str,
        headers: list[tuple[str, str]],
        body: bytes,
        *,
        account: str | None = None,
    ) -> Relayed:
        """Send one request to moto and return its answer; retries once on a stale connection.

        ``account`` makes moto act in that account whatever the key (moto's own header for it).
        """
        assert self._address is not None, "moto is not started"
        out_headers = [
            (k, _rescope(v) if k.lower() == "authorization" else v)
            for k, v in headers
            if k.lower() not in _HOP_BY_HOP and k.lower() != MOTO_ACCOUNT_HEADER
        ]
        if account is not None:
            out_headers.append((MOTO_ACCOUNT_HEADER, account))
        out_headers.append(("Host", f"{self._address[0]}:{self._address[1]}"))
        target = _QUERY_SCOPE.sub(_moto_region, path_and_query, count=1)
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
                for name, value in out_headers:
                    conn.putheader(name, value)
                conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body)
                response = conn.getresponse()
                payload = response.read()
            except (ConnectionError, http.client.HTTPException, OSError):
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise
                continue
            relayed = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
            if method == "HEAD":
                # No body came back, but the length of the resource is part of the answer.
                relayed += [
                    (k, v) for k, v in response.getheaders() if k.lower() == "content-length"
                ]
            return Relayed(response.status, relayed, payload)
        raise AssertionError("unreachable")

    def _connection(self) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            assert self._address is not None
            conn = http.client.HTTPConnection(*self._address, timeout=60)
            self._local.conn = conn
        return conn


def _rescope(authorization: str) -> str:
    return _CREDENTIAL_SCOPE.sub(_moto_region, authorization, count=1)


def _moto_region(match: re.Match[str]) -> str:
    region = match.group(0)[len(match.group(1)) : -len(match.group(2))]
    return (
        match.group(0)
        if _AWS_REGION.match(region)
        else match.group(1) + MOTO_REGION + match.group(2)
    )
