"""The Eucalyptus "msgs" wire format: success documents and error documents.

Admin services answer with an XML binding generated from Java message classes (reference §2.2)
and fail with the EC2-style ``<Response><Errors>`` document (§2.3). Both are rendered here, byte
for byte, so handlers only describe *what* to answer.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

MSGS_NAMESPACE = "http://msgs.eucalyptus.com"
XML_CONTENT_TYPE = "text/xml; charset=UTF-8"
PIPELINE_ERROR_CONTENT_TYPE = "text/plain"


@dataclass(frozen=True)
class Struct:
    """A nested structure: its members in wire order (Java field order)."""

    fields: Sequence[tuple[str, Value]]


# A field value: scalars as text, a Struct nested once, a list of strings (each wrapped in
# item/entry) or a list of Structs (each wrapped in item). ``None`` means "omit the element",
# as the Java binding does for null fields.
Value = str | int | bool | Struct | Sequence[str] | Sequence[Struct] | None


def java_date(seconds: float) -> str:
    """A moment as Java's ``Date.toString()`` writes it in UTC (``Wed Jan 02 03:04:05 UTC
    2030``): the server's text for event times and password expiry."""
    return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(seconds))


def namespace(msgs_version: str | None) -> str:
    """The response namespace for a server version; ``None``/empty gives the bare pre-3.2 form."""
    return f"{MSGS_NAMESPACE}/{msgs_version}" if msgs_version else MSGS_NAMESPACE


def render_response(
    action: str,
    correlation_id: str,
    fields: Sequence[tuple[str, Value]],
    *,
    msgs_version: str | None,
    return_value: bool = True,
) -> bytes:
    """The body of a successful answer to ``action`` (``<euca:{action}ResponseType>``)."""
    root = f"euca:{action}ResponseType"
    header: list[tuple[str, Value]] = [("correlationId", correlation_id), ("_return", return_value)]
    body = "".join(_element(name, value) for name, value in [*header, *fields])
    return f'<{root} xmlns:euca="{namespace(msgs_version)}">{body}</{root}>'.encode()


def render_error(code: str, message: str, request_id: str) -> bytes:
    """The §2.3 error document (no namespace, EC2 style)."""
    return (
        '<?xml version="1.0"?><Response><Errors><Error>'
        f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
        f"</Error></Errors><RequestID>{escape(request_id)}</RequestID></Response>"
    ).encode()


def _element(name: str, value: Value) -> str:
    if value is None:
        return ""
    return f"<euca:{name}>{_content(value)}</euca:{name}>"


def _content(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return escape(str(value))
    if isinstance(value, Struct):
        return "".join(_element(name, member) for name, member in value.fields)
    items = []
    for item in value or ():
        if isinstance(item, Struct):
            items.append(f"<euca:item>{_content(item)}</euca:item>")
        else:
            # Strings are wrapped twice: the binding treats each as a one-field "entry" struct.
            items.append(f"<euca:item><euca:entry>{escape(str(item))}</euca:entry></euca:item>")
    return "".join(items)
