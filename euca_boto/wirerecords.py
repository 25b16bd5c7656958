"""How one attempt shows in the wire log: the request and the response (or the error that
replaced it), redacted, as one record's text.

Everything here runs only once a record is made (:mod:`euca_boto.wirelog` decides whether, and
when, and imports this then): a program whose wire log is off never loads it. What is shown is
redacted by the names known to carry secrets (:mod:`euca_boto.core.redact`) and by the places
the operation's model marks sensitive (:mod:`euca_boto.core.sensitive`); a body is cut to the
profile's ``euca_wire_log_max_body`` bytes, its size stated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from euca_boto.core.records import Record

if TYPE_CHECKING:
    from euca_boto.core.redact import Redactor
    from euca_boto.core.sensitive import OperationSecrets, WireSecrets

# A body this many times the cap is redacted only in its head, to keep huge payloads cheap.
_REDACT_WINDOW = 4


class Exchange(Record):
    """One attempt, as the log shows it (already redacted)."""

    __slots__ = ("service", "operation", "attempt", "identity", "method", "url",
                 "request_headers", "request_body", "status", "response_headers", "response_body",
                 "elapsed", "error")

    def __init__(self, service: str, operation: str, attempt: int, identity: str, method: str,
                 url: str, request_headers: list[tuple[str, str]], request_body: str,
                 status: int | None, response_headers: list[tuple[str, str]], response_body: str,
                 elapsed: float, error: str | None = None) -> None:
        self.service: Final = service
        self.operation: Final = operation
        self.attempt: Final = attempt
        self.identity: Final = identity
        self.method: Final = method
        self.url: Final = url
        self.request_headers: Final = request_headers
        self.request_body: Final = request_body
        self.status: Final = status
        self.response_headers: Final = response_headers
        self.response_body: Final = response_body
        self.elapsed: Final = elapsed
        self.error: Final = error

    def message(self) -> str:
        lines = [
            f"{self.service} {self.operation} attempt {self.attempt} as {self.identity}",
            f"> {self.method} {self.url}",
            *(f"> {name}: {value}" for name, value in self.request_headers),
        ]
        if self.request_body:
            lines += [">", *(f"> {line}" for line in self.request_body.splitlines())]
        elapsed = f"{self.elapsed * 1000:.1f} ms"
        if self.error is not None:
            lines.append(f"< no response after {elapsed}: {self.error}")
            return "\n".join(lines)
        lines.append(f"< {self.status} in {elapsed}")
        lines += [f"< {name}: {value}" for name, value in self.response_headers]
        if self.response_body:
            lines += ["<", *(f"< {line}" for line in self.response_body.splitlines())]
        return "\n".join(lines)


def body_text(
    body: Any, content_type: str, redactor: Redactor, max_body: int,
    secrets: WireSecrets | None = None,
) -> str:
    """A body as logged: redacted, cut to ``max_body`` bytes, the original size stated
    (``secrets``: the places the model marks sensitive; none when omitted)."""
    if body is None or body == b"" or body == "":
        return ""
    if isinstance(body, str):
        raw = body.encode("utf-8")
    elif isinstance(body, (bytes, bytearray)):
        raw = bytes(body)
    else:
        # A stream (upload from a file, a streamed download): reading it would consume it.
        return f"[streaming body of type {type(body).__name__}, not logged]"
    size = len(raw)
    if max_body == 0:
        return f"[body of {size} bytes, not logged]"
    if secrets is None:
        from euca_boto.core.sensitive import NONE

        secrets = NONE
    if secrets.whole_body:
        return f"[body of {size} bytes, not logged: the service model marks it sensitive]"
    head = raw if size <= max_body * _REDACT_WINDOW else raw[: max_body * _REDACT_WINDOW]
    text = redactor.body(head, content_type, secrets)
    encoded = text.encode("utf-8")
    if size <= max_body and len(encoded) <= max_body:
        return text
    cut = encoded[:max_body].decode("utf-8", "ignore")
    return f"{cut}\n[body of {size} bytes; first {max_body} shown]"


def _header(headers: Mapping[str, Any] | None, name: str) -> str:
    if not headers:
        return ""
    value = headers.get(name) or headers.get(name.title()) or ""
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def make_exchange(
    service: str,
    operation: str,
    attempt: int,
    identity: str,
    request: Any,
    response: Mapping[str, Any] | None,
    error: BaseException | None,
    elapsed: float,
    redactor: Redactor,
    max_body: int,
    secrets: OperationSecrets | None = None,
) -> Exchange:
    """One attempt as the log shows it: ``request`` (a prepared request: method, url, headers,
    body) and ``response`` (botocore's response dict) or the ``error`` instead, redacted by
    the names known to carry secrets and by ``secrets``, the operation's sensitive places."""
    if secrets is None:
        from euca_boto.core.sensitive import NO_SECRETS

        secrets = NO_SECRETS
    request_headers = dict(request.headers.items())
    response_headers = dict(response["headers"]) if response else {}
    return Exchange(
        service=service,
        operation=operation,
        attempt=attempt,
        identity=identity,
        method=request.method,
        url=redactor.url(request.url, secrets.request),
        request_headers=redactor.headers(request_headers, secrets.request),
        request_body=body_text(
            request.body, _header(request_headers, "Content-Type"), redactor, max_body,
            secrets.request,
        ),
        status=response["status_code"] if response else None,
        response_headers=redactor.headers(response_headers, secrets.response),
        response_body=body_text(
            response.get("body") if response else None,
            _header(response_headers, "content-type"),
            redactor,
            max_body,
            secrets.response,
        ),
        elapsed=elapsed,
        error=None if response else f"{type(error).__name__}: {error}",
    )
