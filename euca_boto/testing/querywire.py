"""The AWS XML formats LocalCloud writes for the Eucalyptus extensions of IAM, STS and EC2.

IAM and STS answer in the query format (``<XResponse><XResult>..</XResult><ResponseMetadata>``,
lists of ``<member>``, reference §6, §7); EC2 answers ``<XResponseType>`` with ``requestId`` and
lists of ``<item>`` (§8). Handlers describe the content as nested (name, value) pairs; this module
writes the bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
XML_CONTENT_TYPE = "text/xml"


@dataclass(frozen=True)
class Items:
    """A list: each entry wrapped in ``<tag>`` (``member`` for IAM/STS, ``item`` for EC2)."""

    tag: str
    entries: Sequence[Node]


# Scalars as text, a nested structure as (name, value) pairs, a list as Items; None is omitted.
Node = str | int | bool | Items | Sequence[tuple[str, "Node"]] | None
Fields = list[tuple[str, Node]]


def query_response(action: str, namespace: str, result: Fields | None, request_id: str) -> bytes:
    """An IAM/STS success document; ``result`` None gives one without a ``<XResult>``."""
    inner = "" if result is None else _element(f"{action}Result", result)
    return (
        f'<{action}Response xmlns="{namespace}">{inner}'
        f"<ResponseMetadata><RequestId>{escape(request_id)}</RequestId></ResponseMetadata>"
        f"</{action}Response>"
    ).encode()


def query_error(namespace: str, code: str, message: str, request_id: str) -> bytes:
    """An IAM/STS error document (``Type`` Sender: LocalCloud only reports callers' faults)."""
    return (
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>Sender</Type>'
        f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
        f"<RequestId>{escape(request_id)}</RequestId></ErrorResponse>"
    ).encode()


def ec2_response(action: str, version: str, fields: Fields, request_id: str,
                 suffix: str = "ResponseType") -> bytes:
    """An EC2 success document (``<XResponseType>`` for the extensions, ``<XResponse>`` as
    the server's binding names the AWS actions; namespace of the Version)."""
    body = "".join(_element(name, value) for name, value in [("requestId", request_id), *fields])
    namespace = f"http://ec2.amazonaws.com/doc/{version}/"
    root = action + suffix
    return f'<{root} xmlns="{namespace}">{body}</{root}>'.encode()


def _element(name: str, value: Node) -> str:
    if value is None:
        return ""
    return f"<{name}>{_content(value)}</{name}>"


def _content(value: Node) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return escape(str(value))
    if isinstance(value, Items):
        return "".join(_element(value.tag, entry) for entry in value.entries)
    return "".join(_element(name, member) for name, member in value or ())
