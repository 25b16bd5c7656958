"""Where an operation's secrets travel on the wire, read from its service model.

botocore's models mark members that carry secrets ``"sensitive": true`` (Secrets Manager's
``SecretString``, KMS's ``Plaintext``, STS's ``WebIdentityToken``, ...). For one operation,
:func:`secrets_of` turns that trait into wire locations, for the request and for the response:
header names and prefixes, query-string names, URI labels, and a tree of the body's names
(form keys such as ``Users.member.1.Password``, JSON keys, XML elements) that leads to every
sensitive value, in the naming rules of the service's protocol (query, EC2, JSON, REST-JSON,
REST-XML). A body botocore cannot show as text (CBOR) or whose payload is itself sensitive is
secret as a whole. The answer is computed once per operation model and kept while the model
lives; :mod:`euca_boto.core.redact` applies it.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable
from typing import Any, Final

from euca_boto.core import process
from euca_boto.core.botocore_access import protocol_of
from euca_boto.core.records import Record

# Body formats, as the protocols write them.
FORM = "form"
JSON = "json"
XML = "xml"

_QUERY_PROTOCOLS = frozenset({"query", "ec2"})
_REST_PROTOCOLS = frozenset({"rest-json", "rest-xml"})
_LOCATIONS = frozenset({"header", "headers", "querystring", "uri", "statusCode"})


class Node:
    """A place in a body on the way to secrets.

    ``secret``: everything at and below it is secret. ``named``: the children by wire name
    (members of a structure, ``member`` or ``entry`` wrappers, a map entry's key and value).
    ``each``: what every child, element or index is (list elements, map values and entries).
    ``secret_keys``: a map whose keys are secret too.
    """

    __slots__ = ("secret", "named", "each", "secret_keys")

    def __init__(self, secret: bool = False) -> None:
        self.secret = secret
        self.named: dict[str, Node] = {}
        self.each: Node | None = None
        self.secret_keys = False

    def child(self, name: str) -> Node | None:
        """The node of a child called ``name`` (an index for list elements), if it leads to
        secrets."""
        found = self.named.get(name)
        return found if found is not None else self.each


SECRET = Node(secret=True)


class UriLabels(Record):
    """The sensitive labels of a request URI template: ``pattern`` matches the end of a
    request's path, with one group for each sensitive label."""

    __slots__ = ("pattern",)

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern: Final = pattern


class WireSecrets(Record):
    """Where the secrets of one direction (request or response) of an operation are."""

    __slots__ = ("headers", "header_prefixes", "query_names", "unmodelled_query",
                 "modelled_query", "uri", "body_format", "body", "whole_body")

    def __init__(self, headers: frozenset[str] = frozenset(),
                 header_prefixes: tuple[str, ...] = (), query_names: frozenset[str] = frozenset(),
                 unmodelled_query: bool = False, modelled_query: frozenset[str] = frozenset(),
                 uri: UriLabels | None = None, body_format: str | None = None,
                 body: Node | None = None, whole_body: bool = False) -> None:
        # lower-case header names
        self.headers: Final = headers
        # lower-case prefixes of a sensitive header map
        self.header_prefixes: Final = header_prefixes
        # query-string names (REST protocols)
        self.query_names: Final = query_names
        # a sensitive map in the query string: any other name
        self.unmodelled_query: Final = unmodelled_query
        # the query-string names the model has
        self.modelled_query: Final = modelled_query
        self.uri: Final = uri
        # FORM, JSON or XML when ``body`` is set
        self.body_format: Final = body_format
        self.body: Final = body
        # the body is secret as a whole
        self.whole_body: Final = whole_body

    def query_is_secret(self, name: str) -> bool:
        return name in self.query_names or (
            self.unmodelled_query and name not in self.modelled_query)

    def header_is_secret(self, lower_name: str) -> bool:
        return lower_name in self.headers or (
            bool(self.header_prefixes) and lower_name.startswith(self.header_prefixes))


NONE = WireSecrets()


class OperationSecrets(Record):
    """Where one operation's secrets are, in its request and in its response."""

    __slots__ = ("request", "response")

    def __init__(self, request: WireSecrets, response: WireSecrets) -> None:
        self.request: Final = request
        self.response: Final = response


NO_SECRETS = OperationSecrets(NONE, NONE)


def is_sensitive(shape: Any) -> bool:
    return bool(shape.metadata.get("sensitive"))


# The answers, per operation model. Weak keys: a model's answer goes with the model (each
# client has its own), and no botocore object is kept alive for it.
_lock = process.lock()
_known: weakref.WeakKeyDictionary[Any, OperationSecrets] = weakref.WeakKeyDictionary()
process.register("sensitive-member locations", "per operation model, while it lives",
                 _known.clear, in_fork_child=process.keep)


def secrets_of(operation_model: Any) -> OperationSecrets:
    """Where the secrets of ``operation_model`` (a botocore ``OperationModel``) are."""
    try:
        return _known[operation_model]
    except KeyError:
        pass
    found = _locate(operation_model)
    with _lock:
        _known[operation_model] = found
    return found


def _locate(operation_model: Any) -> OperationSecrets:
    protocol = protocol_of(operation_model.service_model)
    return OperationSecrets(
        _request(operation_model, protocol, operation_model.input_shape),
        _response(protocol, operation_model.output_shape),
    )


def _request(operation_model: Any, protocol: str, shape: Any) -> WireSecrets:
    if shape is None:
        return NONE
    if protocol in _REST_PROTOCOLS:
        return _rest(shape, _holders(shape), JSON if protocol == "rest-json" else XML,
                     operation_model.http.get("requestUri", ""))
    return _document(protocol, shape, FORM if protocol in _QUERY_PROTOCOLS else JSON)


def _response(protocol: str, shape: Any) -> WireSecrets:
    if shape is None:
        return NONE
    if protocol in _REST_PROTOCOLS:
        return _rest(shape, _holders(shape), JSON if protocol == "rest-json" else XML, None)
    found = _document(protocol, shape, XML if protocol in _QUERY_PROTOCOLS else JSON)
    if found.body is None or found.body_format != XML:
        return found
    wrapper = shape.serialization.get("resultWrapper")
    content = found.body
    if wrapper:
        content = Node()
        content.named[wrapper] = found.body
    root = Node()
    root.each = content  # the document element: <OperationResponse>
    return found.replace(body=root)


def _document(protocol: str, shape: Any, body_format: str) -> WireSecrets:
    """The secrets of a body that is one document of ``shape`` (query, EC2, JSON, CBOR)."""
    if is_sensitive(shape):
        return WireSecrets(whole_body=True)
    holders = _holders(shape)
    if shape.name not in holders:
        return NONE
    if protocol not in _QUERY_PROTOCOLS and protocol != "json":
        return WireSecrets(whole_body=True)  # CBOR, or a protocol not known here
    body = _Builder(body_format, holders, ec2=protocol == "ec2").content(shape)
    return WireSecrets(body_format=body_format, body=body)


def _rest(shape: Any, holders: set[str], body_format: str, uri: str | None) -> WireSecrets:
    """A REST request (``uri`` given) or response: headers, query string, URI, body."""
    everything = is_sensitive(shape)
    headers: set[str] = set()
    prefixes: list[str] = []
    query: set[str] = set()
    modelled_query: set[str] = set()
    unmodelled_query = False
    labels: set[str] = set()
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "querystring":
            modelled_query.add(wire_name)
        if not (everything or _holds(member, holders)):
            continue
        if location == "header":
            headers.add(wire_name.lower())
        elif location == "headers":
            prefixes.append(wire_name.lower())
        elif location == "querystring":
            if member.type_name == "map":
                unmodelled_query = True
            else:
                query.add(wire_name)
        elif location == "uri":
            labels.add(wire_name)
    found = WireSecrets(
        headers=frozenset(headers), header_prefixes=tuple(prefixes),
        query_names=frozenset(query), unmodelled_query=unmodelled_query,
        modelled_query=frozenset(modelled_query) if unmodelled_query else frozenset(),
        uri=_uri_labels(uri, labels) if uri is not None and labels else None,
    )
    payload = shape.serialization.get("payload")
    if payload is not None:
        member = shape.members[payload]
        if not (everything or _holds(member, holders)):
            return found
        if everything or is_sensitive(member) or member.type_name in ("blob", "string"):
            return found.replace(whole_body=True)
        content = _Builder(body_format, holders).content(member)
    elif everything:
        return found.replace(whole_body=True)
    else:
        builder = _Builder(body_format, holders)
        content = builder.content(shape, skip=lambda m: m.serialization.get("location")
                                  in _LOCATIONS)
        if not content.named and not content.each:
            return found
    if body_format == XML:
        root = Node()
        root.each = content  # the document element, whatever its name
        content = root
    return found.replace(body_format=body_format, body=content)


def _uri_labels(template: str, sensitive: set[str]) -> UriLabels:
    path = template.split("?", 1)[0]
    pattern = ""
    position = 0
    for match in re.finditer(r"\{([^}]+)\}", path):
        pattern += re.escape(path[position:match.start()])
        label = match.group(1)
        greedy = label.endswith("+")
        value = ".*" if greedy else "[^/]*"
        pattern += f"({value})" if label.rstrip("+") in sensitive else f"(?:{value})"
        position = match.end()
    pattern += re.escape(path[position:])
    # The endpoint's own path comes first; what the template made ends the path.
    return UriLabels(re.compile(f"^(?:.*?){pattern}$", re.DOTALL))


# The shapes that hold secrets -----------------------------------------------------------------


def _children(shape: Any) -> Iterable[Any]:
    kind = shape.type_name
    if kind == "structure":
        return shape.members.values()
    if kind == "list":
        return (shape.member,)
    if kind == "map":
        return (shape.key, shape.value)
    return ()


def _holders(root: Any) -> set[str]:
    """The names of the shapes reachable from ``root`` that are, or hold, a sensitive value.

    The shapes form a graph with cycles (recursive structures), so the answer is a fixed
    point: a shape holds a secret when one of its children is sensitive or holds one.
    """
    edges: dict[str, list[Any]] = {}
    stack = [root]
    while stack:
        shape = stack.pop()
        if shape.name in edges:
            continue
        kids = list(_children(shape))
        edges[shape.name] = kids
        stack.extend(kid for kid in kids if kid.name not in edges)
    holders = {name for name, kids in edges.items() if any(is_sensitive(k) for k in kids)}
    if not holders:
        return holders
    changed = True
    while changed:
        changed = False
        for name, kids in edges.items():
            if name not in holders and any(kid.name in holders for kid in kids):
                holders.add(name)
                changed = True
    return holders


def _holds(member: Any, holders: set[str]) -> bool:
    return is_sensitive(member) or member.name in holders


class _Builder:
    """Builds the body tree of one shape in one protocol's naming rules.

    Structures are built once per name, so a recursive shape makes a cycle of nodes.
    """

    def __init__(self, body_format: str, holders: set[str], ec2: bool = False) -> None:
        self.format = body_format
        self.holders = holders
        self.ec2 = ec2
        self._structures: dict[str, Node] = {}

    def value(self, shape: Any) -> Node | None:
        """The node of a value of ``shape``, or None when it holds no secret."""
        if is_sensitive(shape):
            return SECRET
        if shape.name not in self.holders:
            return None
        return self.content(shape)

    def content(self, shape: Any, skip: Any = None) -> Node:
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape, skip)
        if kind == "list":
            return self._list(shape)
        if kind == "map":
            return self._map(shape)
        return SECRET

    def _structure(self, shape: Any, skip: Any) -> Node:
        if skip is None and shape.name in self._structures:
            return self._structures[shape.name]
        node = Node()
        if skip is None:
            self._structures[shape.name] = node
        for name, member in shape.members.items():
            if skip is not None and skip(member):
                continue
            child = self.value(member)
            if child is not None:
                node.named[self._member_name(name, member)] = self._placed(member, child)
        return node

    def _member_name(self, name: str, member: Any) -> str:
        serialization = member.serialization
        if self.format == FORM and self.ec2:
            if "queryName" in serialization:
                return str(serialization["queryName"])
            if "name" in serialization:
                located = str(serialization["name"])
                return located[:1].upper() + located[1:]
            return name
        if (self.format in (FORM, XML) and member.type_name == "list"
                and serialization.get("flattened") and "name" in member.member.serialization):
            # A flattened list with a member name repeats that name in place of its own.
            return str(member.member.serialization["name"])
        return str(serialization.get("name", name))

    def _placed(self, member: Any, child: Node) -> Node:
        """What the parent holds under the member's name: in XML, the repeated elements of
        a flattened list or map are its elements and entries themselves."""
        if (self.format == XML and child is not SECRET
                and member.type_name in ("list", "map") and member.serialization.get("flattened")):
            assert child.each is not None
            return child.each
        return child

    def _list(self, shape: Any) -> Node:
        item = self.value(shape.member)
        node = Node()
        if item is None:
            return node
        if self.format == FORM and not self.ec2 and not shape.serialization.get("flattened"):
            indexed = Node()
            indexed.each = item
            node.named[str(shape.member.serialization.get("name", "member"))] = indexed
        else:
            node.each = item  # JSON elements, XML children, EC2 and flattened indexes
        return node

    def _map(self, shape: Any) -> Node:
        key, value = shape.key, shape.value
        if self.format == JSON:
            node = Node()
            node.each = self.value(value)
            node.secret_keys = is_sensitive(key)
            return node
        entry = Node()
        for part, default in ((key, "key"), (value, "value")):
            found = self.value(part)
            if found is not None:
                entry.named[str(part.serialization.get("name", default))] = found
        node = Node()
        if self.format == FORM and not shape.serialization.get("flattened"):
            indexed = node.named["entry"] = Node()
            indexed.each = entry
        else:
            node.each = entry  # indexes, <entry> children, or repeated flattened elements
        return node
