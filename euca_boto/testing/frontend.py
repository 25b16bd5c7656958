"""The request pipeline every endpoint runs: route, check, authenticate, then answer.

Admin services (bootstrap, properties, configuration) are answered from ``admin.ACTIONS``; the
AWS-compatible ones are relayed to moto. Failures are answered the way each service would:
the Eucalyptus pipeline form (§2.3) for admin services, the AWS error shapes for the others.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote
from xml.sax.saxutils import escape

from . import wire
from .admin import ACTIONS, ActionContext, QueryParams, ServiceError
from .forward import MotoForwarder
from .properties import PropertyStore
from .routing import Service, route
from .signing import Credentials, CredentialStore, SignatureError, verify
from .topology import ServiceView

TopologySource = Callable[[], tuple[int, list[ServiceView]]]


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

    def __post_init__(self) -> None:
        self.headers = {}
        for name, value in self.header_items:
            self.headers.setdefault(name.lower(), []).append(value)
        self.params = parse_qsl(self.raw_query, keep_blank_values=True)
        content_type = self.header("content-type").split(";", 1)[0].strip().lower()
        form = content_type == "application/x-www-form-urlencoded"
        if form and self.method == "POST" and self.body:
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


def pipeline_error(status: int, phrase: str, message: str, request_id: str) -> Response:
    """A failure before any service ran: ``Code`` is the status line, content is text/plain."""
    return Response(
        status,
        [("Content-Type", wire.PIPELINE_ERROR_CONTENT_TYPE)],
        wire.render_error(f"{status} {phrase}", message, request_id),
    )


class Frontend:
    """Answers requests for all endpoints of one cloud (endpoints only differ by their index)."""

    def __init__(
        self,
        *,
        credentials: CredentialStore,
        properties: PropertyStore,
        topology: TopologySource,
        forwarder: MotoForwarder | None,
        msgs_version: str | None,
    ) -> None:
        self._credentials = credentials
        self._properties = properties
        self._topology = topology
        self._forwarder = forwarder
        self._msgs_version = msgs_version

    def classify(self, request: Request) -> tuple[str | None, str | None]:
        """The service key and action of a request, for the request log."""
        routed = route(request.raw_path, request.header("host"))
        if routed is None:
            return None, None
        service, rest = routed
        if service.key == "s3":
            return service.key, _s3_action(request.method, rest)
        return service.key, request.param("Action") or request.param("Operation")

    def answer(self, request: Request, endpoint: int) -> Response:
        request_id = str(uuid.uuid4())
        routed = route(request.raw_path, request.header("host"))
        if routed is None:
            return pipeline_error(
                404,
                "Not Found",
                f"No service at {request.path!r}: use /services/<Name> or a Host name of the "
                "form <service>.<dns domain>",
                request_id,
            )
        service, rest = routed
        if service.admin:
            return self._admin(service, request, endpoint, request_id)
        return self._forward(service, rest, request, request_id)

    def _admin(
        self, service: Service, request: Request, endpoint: int, request_id: str
    ) -> Response:
        if request.param("Version") is None:
            # The real internal query pipeline does not accept a request without Version, so no
            # pipeline takes it; 400 in the pipeline-failure form is the closest honest answer.
            return pipeline_error(
                400,
                "Bad Request",
                "Missing required parameter: Version (send Version=eucalyptus)",
                request_id,
            )
        try:
            caller = self._authenticate(request)
        except SignatureError as exc:
            return pipeline_error(403, "Forbidden", str(exc), request_id)
        action = request.param("Action") or request.param("Operation") or ""
        handler = ACTIONS[service.key].get(action)
        if handler is None:
            known = ", ".join(sorted(ACTIONS[service.key])) or "none"
            response = pipeline_error(
                400,
                "Bad Request",
                f"Unsupported action {action!r} for service {service.key} "
                f"(LocalCloud implements: {known})",
                request_id,
            )
            response.access_key = caller.access_key
            return response
        epoch, topology = self._topology()
        context = ActionContext(
            action=action,
            params=QueryParams(request.params),
            caller=caller,
            endpoint=endpoint,
            epoch=epoch,
            topology=topology,
            properties=self._properties,
        )
        try:
            fields = handler(context)
        except ServiceError as exc:
            content_type = (
                wire.PIPELINE_ERROR_CONTENT_TYPE if exc.pipeline else wire.XML_CONTENT_TYPE
            )
            # The real server puts a Java stack trace in RequestID for these; an id is kinder.
            return Response(
                exc.status,
                [("Content-Type", content_type)],
                wire.render_error(exc.code, exc.message, request_id),
                caller.access_key,
            )
        body = wire.render_response(action, request_id, fields, msgs_version=self._msgs_version)
        return Response(200, [("Content-Type", wire.XML_CONTENT_TYPE)], body, caller.access_key)

    def _forward(self, service: Service, rest: str, request: Request, request_id: str) -> Response:
        if self._forwarder is None:
            return pipeline_error(
                503,
                "Service Unavailable",
                f"{service.key} is not served: this LocalCloud was started with aws=False",
                request_id,
            )
        try:
            caller = self._authenticate(request)
        except SignatureError as exc:
            return _aws_auth_error(service.key, exc, request_id)
        target = rest + (f"?{request.raw_query}" if request.raw_query else "")
        relayed = self._forwarder.relay(request.method, target, request.header_items, request.body)
        return Response(relayed.status, relayed.headers, relayed.body, caller.access_key)

    def _authenticate(self, request: Request) -> Credentials:
        return verify(
            self._credentials,
            method=request.method,
            raw_path=request.raw_path,
            raw_query=request.raw_query,
            headers=request.headers,
            params=request.params,
            body=request.body,
        )


# The codes each AWS service uses for: no signature, unknown key id, wrong signature.
_AUTH_CODES = {
    "ec2": ("MissingAuthenticationToken", "AuthFailure", "AuthFailure"),
    "iam": ("MissingAuthenticationToken", "InvalidClientTokenId", "SignatureDoesNotMatch"),
    "sts": ("MissingAuthenticationToken", "InvalidClientTokenId", "SignatureDoesNotMatch"),
    "s3": ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"),
}
_QUERY_NAMESPACES = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
}


def _aws_auth_error(service: str, exc: SignatureError, request_id: str) -> Response:
    missing, unknown, mismatch = _AUTH_CODES[service]
    code = {"missing": missing, "unknown-key": unknown}.get(exc.reason, mismatch)
    message = escape(str(exc))
    if service == "ec2":
        body = wire.render_error(code, str(exc), request_id)
    elif service == "s3":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f"<Error><Code>{code}</Code><Message>{message}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        ).encode()
    else:
        body = (
            f'<ErrorResponse xmlns="{_QUERY_NAMESPACES[service]}"><Error><Type>Sender</Type>'
            f"<Code>{code}</Code><Message>{message}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
    return Response(403, [("Content-Type", "text/xml")], body)


def _s3_action(method: str, path: str) -> str:
    """A name for an S3 request, from its method and whether it names a bucket or an object."""
    parts = [p for p in path.split("/", 2)[1:] if p]
    target = ("Buckets", "Bucket", "Object")[min(len(parts), 2)]
    verbs = {
        ("GET", "Buckets"): "ListBuckets",
        ("GET", "Bucket"): "ListObjects",
        ("PUT", "Bucket"): "CreateBucket",
        ("DELETE", "Bucket"): "DeleteBucket",
        ("HEAD", "Bucket"): "HeadBucket",
        ("GET", "Object"): "GetObject",
        ("PUT", "Object"): "PutObject",
        ("DELETE", "Object"): "DeleteObject",
        ("HEAD", "Object"): "HeadObject",
        ("POST", "Bucket"): "PostObject",
    }
    return verbs.get((method, target), f"{method} {target}")
