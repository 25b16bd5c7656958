"""The wire log's redaction on botocore's and urllib3's own DEBUG log records.

With DEBUG logging on, botocore writes what it sends and receives: the parameters of every
request ("Making request for ... with params"), the signed request with its ``Authorization``
and security token ("Sending http request"), the canonical request, string to sign and
signature of the signer, the response headers and body, and urllib3 writes each request line
with its query string. Those hold passwords, secret values and the credentials of the call.
:func:`attach` puts a filter on those loggers that rewrites each record before any handler sees
it: the records above are redacted by their parts, as the wire log redacts an exchange (by the
names known to carry secrets and by the sensitive members of the operation's model), and every
record of these loggers gets the free-text rules on top. Nothing is done for a record that the
logger's level drops, so the filter costs nothing while DEBUG is off.

Which operation a record belongs to: the "Making request" record names it, and the wire log's
``before-call`` handler notes it for the thread or task making the call.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from euca_boto.core import process
from euca_boto.core.botocore_access import operation_model_of
from euca_boto.core.redact import REDACTED, Redactor, uri_path
from euca_boto.core.sensitive import NO_SECRETS, OperationSecrets, WireSecrets, secrets_of

# The loggers whose DEBUG records may carry secrets.
LOGGERS = (
    "botocore.auth",  # canonical requests, strings to sign (SigV2: every parameter), signatures
    "botocore.endpoint",  # request parameters and the signed request
    "botocore.parsers",  # response headers and bodies
    "botocore.utils",  # metadata-service and container-credential answers on errors; S3 URLs
    "botocore.hooks",  # the handlers called, by repr
    "botocore.credentials",
    "botocore.httpsession",
    "botocore.awsrequest",
    "botocore.handlers",
    "botocore.discovery",
    "botocore.regions",
    "botocore.retryhandler",
    "urllib3.connectionpool",  # each request line: method, path and query string
)

_MAKING_REQUEST = "Making request for %s with params: %s"
_SENDING = "Sending http request: %s"
_RESPONSE_HEADERS = "Response headers: %r"
_RESPONSE_BODY = "Response body:\n%r"
_SIGNATURE = "Signature:\n%s"
_CANONICAL = "CanonicalRequest:\n%s"
_SIGV2_STRING = "String to sign: %s"
_HMACV1_STRING = "StringToSign:\n%s"
_URLLIB3_REQUEST = '%s://%s:%s "%s %s %s" %s %s'

# The operation model of the call this thread or task is making.
_current: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "euca_boto_botocore_log_operation", default=None)


def note_operation(model: Any) -> None:
    """Say which operation (a botocore ``OperationModel``) the calling thread or task is
    about to call: its later records are redacted by that operation's model."""
    _current.set(model)


def _secrets() -> OperationSecrets:
    model = _current.get()
    return NO_SECRETS if model is None else secrets_of(model)


class RedactingFilter(logging.Filter):
    """Rewrites botocore's and urllib3's records without their secrets (always passes them)."""

    def __init__(self, redactor: Redactor | None = None) -> None:
        super().__init__()
        self.redactor = redactor or Redactor()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = self._message(record)
        except Exception:  # a record of a form not known here: no less redaction for that
            message = None
        if message is None:
            try:
                message = record.getMessage()
            except Exception:
                return True  # logging reports the bad record itself
        record.msg, record.args = self.redactor.text(message, _secrets().request), ()
        return True

    def _message(self, record: logging.LogRecord) -> str | None:
        """The message of a known record, redacted by its parts; None for any other."""
        args: tuple[Any, ...] = record.args if isinstance(record.args, tuple) else ()
        form = record.msg
        redact = self.redactor
        if form == _MAKING_REQUEST and len(args) == 2:
            model, params = args
            note_operation(model)
            return form % (model, _request_dict(redact, params, secrets_of(model).request))
        if form == _SENDING and len(args) == 1:
            request = args[0]
            model = operation_model_of(getattr(request, "context", None))
            if model is not None:
                note_operation(model)
            secrets = _secrets().request
            headers = dict(redact.headers(request.headers.items(), secrets))
            return (f"Sending http request: <AWSPreparedRequest stream_output="
                    f"{request.stream_output}, method={request.method}, "
                    f"url={redact.url(request.url, secrets)}, headers={headers}>")
        if form == _RESPONSE_HEADERS and len(args) == 1:
            return form % (dict(redact.headers(args[0].items(), _secrets().response)),)
        if form == _RESPONSE_BODY and len(args) == 1:
            return "Response body:\n" + _body(redact, args[0], "", _secrets().response)
        if form == _SIGNATURE:
            return f"Signature:\n{REDACTED}"
        if form == _CANONICAL and len(args) == 1:
            return "CanonicalRequest:\n" + _canonical(redact, str(args[0]), _secrets().request)
        if form == _HMACV1_STRING and len(args) == 1:
            return "StringToSign:\n" + _header_lines(redact, str(args[0]), _secrets().request)
        if form == _SIGV2_STRING and len(args) == 1:
            head, _, query = str(args[0]).rpartition("\n")
            return f"String to sign: {head}\n{redact.form(query, _secrets().request)}"
        if form == _URLLIB3_REQUEST and len(args) == 8:
            shown = list(args)
            shown[4] = redact.url(str(args[4]), _secrets().request)
            return form % tuple(shown)
        return None


def _body(redact: Redactor, body: Any, content_type: str, secrets: WireSecrets) -> str:
    if isinstance(body, (bytes, bytearray, str)):
        if secrets.whole_body:
            return f"[{len(body)} bytes, not shown: the service model marks them sensitive]"
        return redact.body(bytes(body) if isinstance(body, bytearray) else body,
                           content_type, secrets)
    if isinstance(body, Mapping):  # the query protocol's parameters, before encoding
        return redact.form(urlencode(list(body.items())), secrets)
    return repr(body)


def _request_dict(redact: Redactor, params: Any, secrets: WireSecrets) -> str:
    if not isinstance(params, Mapping):
        return repr(params)
    shown = dict(params)
    headers = params.get("headers") or {}
    content_type = next((str(v) for k, v in headers.items() if k.lower() == "content-type"), "")
    if headers:
        shown["headers"] = dict(redact.headers(headers.items(), secrets))
    if params.get("url"):
        shown["url"] = redact.url(str(params["url"]), secrets)
    if params.get("url_path") and secrets.uri is not None:
        shown["url_path"] = uri_path(str(params["url_path"]), secrets)
    if isinstance(params.get("query_string"), Mapping):
        shown["query_string"] = redact.form(urlencode(params["query_string"], doseq=True),
                                            secrets)
    if "body" in params:
        shown["body"] = _body(redact, params["body"], content_type, secrets)
    shown.pop("context", None)  # botocore's bookkeeping of the call, credentials included
    return repr(shown)


def _canonical(redact: Redactor, text: str, secrets: WireSecrets) -> str:
    """A SigV4 canonical request: method, path, query, headers, signed headers, hash."""
    lines = text.split("\n")
    if len(lines) < 3:
        return text
    if secrets.uri is not None:
        lines[1] = uri_path(lines[1], secrets)
    lines[2] = redact.form(lines[2], secrets)
    return _header_lines(redact, "\n".join(lines), secrets)


def _header_lines(redact: Redactor, text: str, secrets: WireSecrets) -> str:
    """Lines ``name:value`` with the values of secret headers replaced."""
    shown = []
    for line in text.split("\n"):
        name, colon, value = line.partition(":")
        if colon and name and " " not in name:
            line = f"{name}:{redact.header_value(name, value, secrets)}"
        shown.append(line)
    return "\n".join(shown)


_lock = process.lock()
_filter: RedactingFilter | None = None


def attach() -> None:
    """Put the redaction on :data:`LOGGERS` (once per process)."""
    global _filter
    with _lock:
        if _filter is not None:
            return
        _filter = RedactingFilter()
        for name in LOGGERS:
            logging.getLogger(name).addFilter(_filter)


def attached() -> bool:
    return _filter is not None


def detach() -> None:
    """Take the redaction off the loggers again."""
    global _filter
    with _lock:
        if _filter is None:
            return
        for name in LOGGERS:
            logging.getLogger(name).removeFilter(_filter)
        _filter = None


process.register("botocore log redaction", "per process, from attach()", detach,
                 in_fork_child=process.keep)
