"""The request pipeline every endpoint runs: route, check, authenticate, then answer.

Admin services (bootstrap, properties, configuration) are answered from ``actions.ACTIONS``; the
AWS-compatible ones go to their extension (Euare, Tokens, Compute), which answers Eucalyptus'
own actions and relays the rest to moto. Failures are answered the way each service would:
the Eucalyptus pipeline form (§2.3) for admin services, the AWS error shapes for the others.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Protocol
from xml.sax.saxutils import escape

from . import wire
from .accounts import AccountStore
from .actions import ACTIONS
from .admin import ActionContext, InBandFailure, QueryParams, ServiceError
from .compute import Compute
from .euare import Euare
from .exchange import AwsCall, Request, Response, relay
from .forward import MotoForwarder
from .properties import PropertyStore
from .registry import ServiceRegistry
from .routing import Service, route
from .signing import Credentials, CredentialStore, SignatureError, verify
from .tokens import Tokens
from .topology import ServiceView

TopologySource = Callable[[], tuple[int, list[ServiceView]]]

__all__ = ["Frontend", "Request", "Response", "pipeline_error"]


class Extension(Protocol):
    """What answers an AWS-compatible service: its own actions, or a relay to moto."""

    def handle(self, call: AwsCall) -> Response: ...


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
        registry: ServiceRegistry,
        accounts: AccountStore,
        forwarder: MotoForwarder | None,
        msgs_version: str | None,
        partitions: list[str],
    ) -> None:
        self._credentials = credentials
        self._properties = properties
        self._topology = topology
        self._registry = registry
        self._forwarder = forwarder
        self._msgs_version = msgs_version
        self._extensions: dict[str, Extension] = {}
        self._tokens: Tokens | None = None
        self.compute: Compute | None = None
        if forwarder is not None:
            self._tokens = Tokens(accounts, credentials, forwarder)
            self.compute = Compute(forwarder, partitions, accounts=accounts,
                                   properties=properties, topology=topology)
            self._extensions = {
                "iam": Euare(accounts, credentials, forwarder, properties),
                "sts": self._tokens,
                "ec2": self.compute,
            }

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
            registry=self._registry,
        )
        return_value = True
        try:
            fields = handler(context)
        except InBandFailure as failure:
            # Registration failures are answered HTTP 200 with _return false (§2.3).
            fields, return_value = failure.fields, False
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
        body = wire.render_response(
            action, request_id, fields, msgs_version=self._msgs_version, return_value=return_value
        )
        return Response(200, [("Content-Type", wire.XML_CONTENT_TYPE)], body, caller.access_key)

    def _forward(self, service: Service, rest: str, request: Request, request_id: str) -> Response:
        if self._forwarder is None:
            return pipeline_error(
                503,
                "Service Unavailable",
                f"{service.key} is not served: this LocalCloud was started with aws=False",
                request_id,
            )
        if service.key == "sts" and self._tokens is not None:
            # GetAccessToken may come with a password instead of a signature (§7).
            answered = self._tokens.password_login(request, request_id)
            if answered is not None:
                return answered
        try:
            # STS refuses signatures older (or newer) than 15 minutes, as AWS does.
            caller = self._authenticate(request, max_age=STS_MAX_AGE if service.key == "sts"
                                        else None)
        except SignatureError as exc:
            return _aws_auth_error(service.key, exc, request_id)
        call = AwsCall(request, rest, caller, request_id)
        extension = self._extensions.get(service.key)
        if extension is not None:
            return extension.handle(call)
        return relay(self._forwarder, call, account=caller.moto_account)

    def _authenticate(self, request: Request, max_age: float | None = None) -> Credentials:
        return verify(
            self._credentials,
            method=request.method,
            raw_path=request.raw_path,
            raw_query=request.raw_query,
            headers=request.headers,
            params=request.params,
            body=request.body,
            max_age=max_age,
        )


STS_MAX_AGE = 15 * 60.0

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
