"""Requests and responses of botocore's own models with a known value in every sensitive member.

For one operation, :func:`parameters` makes the parameters of a request whose every sensitive
member (at any depth: in structures, lists and maps, or inside a sensitive container) holds a
marker, plus the members the model requires; botocore's own serializer turns them into the
request. :func:`response` writes the wire response of the operation's protocol with markers in
every sensitive member of its output, and checks with botocore's own parser that the markers
are where the model says, so the response is what a service would send. The rule of which
members are sensitive is read here from the models on its own: a shape or a member reference
with ``"sensitive": true``.
"""

from __future__ import annotations

import base64
import datetime
import json
import struct
from collections.abc import Iterator
from email.utils import formatdate
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

import botocore.session
from botocore.awsrequest import HeadersDict, create_request_object, prepare_request_dict
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

MARK = "SeNsItIvE"
ENDPOINT = "https://service.example.test/base"
MAX_DEPTH = 8
_CONTAINERS = ("structure", "list", "map")
WHEN = datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)


def sensitive(shape: Any) -> bool:
    return bool(shape.metadata.get("sensitive"))


def services() -> list[str]:
    return sorted(botocore.session.get_session().get_available_services())


class Markers:
    """Marker values, and every form each may take on the wire (plain, base64, JSON in
    base64) that must not reach a log."""

    def __init__(self) -> None:
        self.count = 0
        self.forms: dict[str, list[str]] = {}

    def _next(self, kind: str) -> str:
        self.count += 1
        return f"{MARK}{kind}{self.count:06d}"

    def string(self) -> str:
        value = self._next("s")
        self.forms[value] = [value, base64.b64encode(json.dumps(value).encode()).decode()]
        return value

    def blob(self) -> bytes:
        value = self._next("b") + "xy"  # 18 bytes: its base64 has no padding
        encoded = base64.b64encode(value.encode()).decode()
        self.forms[value] = [value, encoded, quote(encoded, safe="")]
        return value.encode()

    def number(self) -> int:
        self.count += 1
        value = 9_876_500_000 + self.count
        self.forms[str(value)] = [str(value)]
        return value

    def decimal(self) -> float:
        self.count += 1
        value = 98_765_000.25 + self.count
        self.forms[repr(value)] = [repr(value)]
        return value

    def found_in(self, text: str) -> list[str]:
        """The markers of which some form is in ``text``."""
        return [marker for marker, forms in self.forms.items()
                if any(form in text for form in forms)]


class Holders:
    """The shapes of one service model that are, or hold, a sensitive value: a fixed point
    over the whole model (shapes refer to each other in cycles)."""

    def __init__(self, service_model: Any) -> None:
        children: dict[str, list[Any]] = {}
        for name in service_model.shape_names:
            shape = service_model.shape_for(name)
            if shape.type_name == "structure":
                children[name] = list(shape.members.values())
            elif shape.type_name == "list":
                children[name] = [shape.member]
            elif shape.type_name == "map":
                children[name] = [shape.key, shape.value]
        self.names = {n for n, kids in children.items() if any(sensitive(k) for k in kids)}
        grown = True
        while grown:
            grown = False
            for name, kids in children.items():
                if name not in self.names and any(k.name in self.names for k in kids):
                    self.names.add(name)
                    grown = True

    def hold(self, shape: Any) -> bool:
        return sensitive(shape) or shape.name in self.names


def operations(names: list[str]) -> Iterator[tuple[str, Any, Holders]]:
    """Every operation of the botocore services ``names`` whose input or output holds a
    sensitive member: (service name, operation model, the service's holders)."""
    session = botocore.session.get_session()
    for name in names:
        model = session.get_service_model(name)
        holders = Holders(model)
        if not holders.names:
            continue
        for operation in model.operation_names:
            op = model.operation_model(operation)
            if any(shape is not None and holders.hold(shape)
                   for shape in (op.input_shape, op.output_shape)):
                yield name, op, holders


class Values:
    """Values of shapes: markers where sensitive, the least a model requires elsewhere."""

    def __init__(self, holders: Holders, markers: Markers) -> None:
        self.holders = holders
        self.markers = markers

    def of(self, shape: Any, secret: bool = False, depth: int = 0,
           skip_located: bool = False) -> Any:
        secret = secret or sensitive(shape)
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape, secret, depth, skip_located)
        if kind == "list":
            return [self.of(shape.member, secret, depth + 1)]
        if kind == "map":
            key = self.markers.string() if secret or sensitive(shape.key) else "key1"
            return {key: self.of(shape.value, secret, depth + 1)}
        if not secret:
            return {"string": "plain", "blob": b"plain", "boolean": True, "timestamp": WHEN,
                    "float": 1.5, "double": 1.5}.get(kind, 1)
        if kind == "string":
            return self.markers.string()
        if kind == "blob":
            return self.markers.blob()
        if kind in ("integer", "long"):
            return self.markers.number()
        if kind in ("float", "double"):
            return self.markers.decimal()
        if kind == "boolean":
            return True
        if kind == "timestamp":
            return WHEN
        return self.markers.string()

    def _structure(self, shape: Any, secret: bool, depth: int, skip_located: bool) -> Any:
        if shape.metadata.get("document"):
            return {"document": self.markers.string() if secret else "plain"}
        required = set(shape.metadata.get("required", ()))
        chosen = {}
        for name, member in shape.members.items():
            if skip_located and member.serialization.get("location"):
                continue
            if member.serialization.get("eventstream"):
                continue
            wanted = secret or self.holders.hold(member) or name in required
            if wanted and depth < MAX_DEPTH:
                chosen[name] = self.of(member, secret, depth + 1)
            if chosen and shape.metadata.get("union"):
                break
        if not chosen and shape.metadata.get("union") and depth < 2 * MAX_DEPTH:
            # A union has one member set: a plain one where the depth is used up.
            members = list(shape.members.items())
            plain = [(n, m) for n, m in members if m.type_name not in _CONTAINERS]
            name, member = (plain or members)[0] if depth >= MAX_DEPTH else members[0]
            chosen[name] = self.of(member, secret, depth + 1)
        return chosen


def parameters(op: Any, holders: Holders, markers: Markers) -> dict[str, Any]:
    return Values(holders, markers).of(op.input_shape) if op.input_shape is not None else {}


def prepared_request(op: Any, params: dict[str, Any]) -> Any:
    """The request botocore would send for ``params`` (before signing)."""
    protocol = op.service_model.resolved_protocol
    serialized = create_serializer(protocol, include_validation=False).serialize_to_request(
        params, op)
    prepare_request_dict(serialized, endpoint_url=ENDPOINT)
    return create_request_object(serialized).prepare()


# Responses on the wire ------------------------------------------------------------------------


def response(op: Any, holders: Holders, markers: Markers) -> dict[str, Any] | None:
    """The wire response of ``op`` with markers in its output's sensitive members (None
    when the output is an event stream: botocore hands it on as a stream, never logged)."""
    shape = op.output_shape
    if shape is None or shape.event_stream_name:
        return None
    protocol = op.service_model.resolved_protocol
    headers = HeadersDict({"x-amzn-requestid": "request-1"})
    status = 200
    values = Values(holders, markers)
    if protocol in ("rest-json", "rest-xml"):
        body = b""
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            if location and holders.hold(member):
                value = values.of(member)
                wire = member.serialization.get("name", name)
                if location == "header":
                    headers[wire] = _header_value(member, value)
                elif location == "headers":
                    for key, item in value.items():
                        headers[wire + key] = str(item)
                elif location == "statusCode":
                    status = value
        payload = shape.serialization.get("payload")
        if payload is not None:
            member = shape.members[payload]
            value = values.of(member)
            if member.type_name in ("blob", "string"):
                body = value if isinstance(value, bytes) else value.encode()
            elif protocol == "rest-json":
                body = json.dumps(_json(member, value)).encode()
            else:
                name = member.serialization.get("name", payload)
                body = _element(name, member, value).encode()
        else:
            value = values.of(shape, skip_located=True)
            if protocol == "rest-json":
                body = json.dumps(_json(shape, value)).encode()
            else:
                name = shape.serialization.get("name", shape.name)
                body = _element(name, shape, value).encode()
    elif protocol in ("query", "ec2"):
        content = _children(shape, values.of(shape))
        wrapper = shape.serialization.get("resultWrapper")
        if wrapper:
            content = f"<{wrapper}>{content}</{wrapper}>"
        body = (f'<{op.name}Response xmlns="https://example.test/doc/">{content}'
                f"<ResponseMetadata><RequestId>request-1</RequestId></ResponseMetadata>"
                f"<requestId>request-1</requestId></{op.name}Response>").encode()
    elif protocol == "json":
        body = json.dumps(_json(shape, values.of(shape))).encode()
    else:  # smithy-rpc-v2-cbor
        headers["smithy-protocol"] = "rpc-v2-cbor"
        body = _cbor(shape, values.of(shape))
    return {"status_code": status, "headers": headers, "body": body}


def parsed(op: Any, wire: dict[str, Any]) -> Any:
    """botocore's reading of a response made by :func:`response`."""
    protocol = op.service_model.resolved_protocol
    return create_parser(protocol).parse(dict(wire), op.output_shape)


def _header_value(member: Any, value: Any) -> str:
    if member.type_name == "list":
        return ",".join(_header_value(member.member, v) for v in value)
    if member.serialization.get("jsonvalue"):
        return base64.b64encode(json.dumps(value).encode()).decode()
    if member.type_name == "blob":
        return base64.b64encode(value).decode()
    if member.type_name == "timestamp":
        return formatdate(value.timestamp(), usegmt=True)
    if member.type_name == "boolean":
        return "true" if value else "false"
    return str(value)


def _json(shape: Any, value: Any) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if shape.metadata.get("document"):
            return value
        members = shape.members
        return {members[name].serialization.get("name", name): _json(members[name], item)
                for name, item in value.items()}
    if kind == "list":
        return [_json(shape.member, item) for item in value]
    if kind == "map":
        return {key: _json(shape.value, item) for key, item in value.items()}
    if kind == "blob":
        return base64.b64encode(value).decode()
    if kind == "timestamp":
        return value.timestamp()
    return value


def _scalar_text(shape: Any, value: Any) -> str:
    kind = shape.type_name
    if kind == "blob":
        return base64.b64encode(value).decode()
    if kind == "timestamp":
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind == "boolean":
        return "true" if value else "false"
    return escape(str(value))


def _element(name: str, shape: Any, value: Any) -> str:
    """``value`` of ``shape`` as the XML element ``name`` (several for a flattened list or
    map, which repeat the element in place of a wrapper)."""
    kind = shape.type_name
    flattened = shape.serialization.get("flattened")
    if kind == "list":
        member = shape.member
        if flattened:
            return "".join(_element(name, member, item) for item in value)
        inner = member.serialization.get("name", "member")
        return f"<{name}>{''.join(_element(inner, member, item) for item in value)}</{name}>"
    if kind == "map":
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        entries = [_element(key_name, shape.key, key) + _element(value_name, shape.value, item)
                   for key, item in value.items()]
        if flattened:
            return "".join(f"<{name}>{entry}</{name}>" for entry in entries)
        return f"<{name}>{''.join(f'<entry>{entry}</entry>' for entry in entries)}</{name}>"
    if kind == "structure":
        return f"<{name}>{_children(shape, value)}</{name}>"
    return f"<{name}>{_scalar_text(shape, value)}</{name}>"


def _children(shape: Any, value: dict[str, Any]) -> str:
    parts = []
    for name, item in value.items():
        member = shape.members[name]
        element = member.serialization.get("name", name)
        if (member.type_name == "list" and member.serialization.get("flattened")
                and "name" in member.member.serialization):
            element = member.member.serialization["name"]
        parts.append(_element(element, member, item))
    return "".join(parts)


def _cbor(shape: Any, value: Any) -> bytes:
    """CBOR (RFC 8949) of a value of ``shape``, as the RPC v2 protocol writes it."""
    kind = shape.type_name
    if kind == "structure":
        if shape.metadata.get("document"):
            return _cbor_plain(value)
        items = [(_cbor_head(3, len(k.encode())) + k.encode(), _cbor(shape.members[k], v))
                 for k, v in value.items()]
        return _cbor_head(5, len(items)) + b"".join(k + v for k, v in items)
    if kind == "list":
        return _cbor_head(4, len(value)) + b"".join(_cbor(shape.member, v) for v in value)
    if kind == "map":
        return _cbor_head(5, len(value)) + b"".join(
            _cbor_plain(k) + _cbor(shape.value, v) for k, v in value.items())
    if kind == "timestamp":
        return b"\xc1" + b"\xfb" + struct.pack(">d", value.timestamp())
    return _cbor_plain(value)


def _cbor_plain(value: Any) -> bytes:
    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return _cbor_head(0, value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, dict):
        return _cbor_head(5, len(value)) + b"".join(
            _cbor_plain(k) + _cbor_plain(v) for k, v in value.items())
    encoded = str(value).encode()
    return _cbor_head(3, len(encoded)) + encoded


def _cbor_head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    for info, size in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if length < 1 << (8 * struct.calcsize(size)):
            return bytes([major << 5 | info]) + struct.pack(size, length)
    raise ValueError(length)
