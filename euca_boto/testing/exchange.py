"""One HTTP exchange as the request pipeline sees it, and relaying it to moto.

``Request`` is what arrived, ``Response`` what to send; ``AwsCall`` is an authenticated call to an
AWS-compatible service, which the IAM, STS and EC2 extensions answer or pass on to moto.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlencode

from .admin import QueryParams
from .forward import MotoForwarder
from .signing import Credentials


@dataclass
class Request:
    """One HTTP request as received."""

    method: str
    raw_path: str  # percent-encoded, as on the request line
    raw_query: str
    header_items: list[tuple[str, str]]  # original spelling and order, for relaying
    body: bytes
    headers: dict[str, list[str]] = field(init=False)  # lower-case names
    params: list[tuple[str, str]] = field(init=False)  # decoded query, then form body
    is_form: bool = field(init=False)  # whether the body carries form parameters

    def __post_init__(self) -> None:
        self.headers = {}
        for name, value in self.header_items:
            self.headers.setdefault(name.lower(), []).append(value)
        self.params = parse_qsl(self.raw_query, keep_blank_values=True)
        content_type = self.header("content-type").split(";", 1)[0].strip().lower()
        self.is_form = (
            content_type == "application/x-www-form-urlencoded"
            and self.method == "POST"
            and bool(self.body)
        )
        if self.is_form:
            self.params += parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True)

    @property
    def path(self) -> str:
        return unquote(self.raw_path)

    def header(self, name: str) -> str:
        values = self.headers.get(name.lower())
        return values[0] if values else ""

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.params if k == name), None)


@dataclass
class Response:
    """What to send back."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    access_key: str | None = None


@dataclass
class AwsCall:
    """An authenticated call to IAM, STS, EC2 or S3."""

    request: Request
    rest: str  # the path after /services/<Name>
    caller: Credentials
    request_id: str

    @property
    def action(self) -> str:
        return self.request.param("Action") or ""

    @property
    def params(self) -> QueryParams:
        return QueryParams(self.request.params)


def relay(
    forwarder: MotoForwarder,
    call: AwsCall,
    *,
    account: str | None,
    drop: frozenset[str] = frozenset(),
) -> Response:
    """Pass the call on to moto, acting in ``account``, without the parameters in ``drop``."""
    request = call.request
    raw_query, body = request.raw_query, request.body
    if drop:
        # moto does not check signatures, so removing parameters after verification is safe.
        query = [(k, v) for k, v in parse_qsl(raw_query, keep_blank_values=True) if k not in drop]
        raw_query = urlencode(query)
        if request.is_form:
            form = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
            body = urlencode([(k, v) for k, v in form if k not in drop]).encode()
    target = call.rest + (f"?{raw_query}" if raw_query else "")
    relayed = forwarder.relay(request.method, target, request.header_items, body, account=account)
    return Response(relayed.status, relayed.headers, relayed.body, call.caller.access_key)
