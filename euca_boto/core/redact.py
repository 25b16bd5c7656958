"""Removing secrets from HTTP requests and responses before they are written to a log.

Redaction is always on and knows the AWS and Eucalyptus places secrets travel in: the signature
part of ``Authorization`` (the access key id and the credential scope stay, they say who called),
security-token headers, signatures in query strings (presigned URLs, SigV2), secret fields of
form, XML and JSON bodies, and the values of cloud properties whose names or descriptions mark
them secret. Given where an operation's model puts its sensitive members
(:mod:`euca_boto.core.sensitive`), it hides those too, in headers, the URL and the body.
Functions here are pure text transformations, so they are tested directly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from euca_boto.core import process
from euca_boto.core.sensitive import FORM, JSON, NONE, XML, Node, WireSecrets

# Offered here too, beside the rest of the redaction.
from euca_boto.core.urls import URL_PASSWORD_MASK as URL_PASSWORD_MASK
from euca_boto.core.urls import url_passwords as url_passwords
from euca_boto.core.urls import without_userinfo as without_userinfo

REDACTED = "<redacted>"

# Header names (lower case) whose whole value is a secret.
SECRET_HEADERS = frozenset({
    "x-amz-security-token",
    "x-amz-server-side-encryption-customer-key",
    "x-amz-copy-source-server-side-encryption-customer-key",
    "proxy-authorization",
    "cookie",
    "set-cookie",
})

# Field names (lower case, the last dotted part of a form parameter, an XML element or a JSON
# key) whose value is a secret wherever they appear.
SECRET_FIELDS = frozenset({
    "secretaccesskey",
    "password",
    "oldpassword",
    "newpassword",
    "sessiontoken",
    "securitytoken",
    "privatekey",
    "token",
    "keymaterial",
    "passworddata",
    "serverpk",
    "signature",
    "x-amz-signature",
    "x-amz-security-token",
})

# A property is secret when its name or description says so (``s3secretkey``,
# ``ldap.bind_password``, "S3 provider secret key").
_SECRET_PROPERTY_NAME = re.compile(
    r"password|passwd|passphrase|secret|private_?key|token|credential", re.IGNORECASE
)
_SECRET_PROPERTY_DESCRIPTION = re.compile(
    r"password|passphrase|secret|private key|token|credential", re.IGNORECASE
)

_SIGNATURE_IN_AUTHORIZATION = re.compile(r"(Signature=)[^,\s]*", re.IGNORECASE)
_SIGV2_AUTHORIZATION = re.compile(r"^(AWS [^:\s]+:).*$")

# <Name>value</Name>, with an optional namespace prefix; value without nested elements.
_XML_FIELD = re.compile(r"<((?:[\w-]+:)?)([\w.-]+)(\s[^>]*)?>([^<]*)</\1\2\s*>")
_XML_ITEM = re.compile(r"<((?:[\w-]+:)?)item>(.*?)</\1item>", re.DOTALL)
# A whole JSON string, or one cut short at the end of the text.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*(?:"|\\?$)')


def is_secret_field(name: str) -> bool:
    """Whether a form parameter, XML element or JSON key of this name carries a secret."""
    last = name.rsplit(".", 1)[-1].lower()
    if last.isdigit():
        # Indexed list member ("Password.1"): the name is the part before the index.
        parts = name.lower().split(".")
        last = next((p for p in reversed(parts) if not p.isdigit()), last)
    return last in SECRET_FIELDS or last.endswith(("password", "secretaccesskey", "privatekey"))


def is_secret_property(name: str, description: str = "") -> bool:
    """Whether a cloud property's value is a secret, judged by its name or its description."""
    return bool(
        _SECRET_PROPERTY_NAME.search(name) or _SECRET_PROPERTY_DESCRIPTION.search(description)
    )


class SecretProperties:
    """Names of cloud properties known to be secret, learned from DescribeProperties answers.

    A property whose description (not its name) marks it secret can only be recognised in a
    ModifyPropertyValue request once its description has been seen. Thread safe.
    """

    def __init__(self) -> None:
        self._lock = process.lock()
        self._names: set[str] = set()

    def learn(self, name: str) -> None:
        with self._lock:
            self._names.add(name)

    def __contains__(self, name: object) -> bool:
        with self._lock:
            return name in self._names


class Redactor:
    """Removes secrets from the parts of one HTTP exchange.

    Two rules, both always applied: the names above (headers, fields and properties known to
    carry secrets wherever they appear), and, when the caller passes the operation's
    :class:`~euca_boto.core.sensitive.WireSecrets`, every place its service model marks
    sensitive.
    """

    def __init__(self, secret_properties: SecretProperties | None = None) -> None:
        self.secret_properties = secret_properties or SecretProperties()

    def _property_is_secret(self, name: str, description: str = "") -> bool:
        return is_secret_property(name, description) or name in self.secret_properties

    # Headers ------------------------------------------------------------------------------------

    def headers(
        self, headers: Mapping[str, Any] | Iterable[tuple[str, Any]],
        secrets: WireSecrets = NONE,
    ) -> list[tuple[str, str]]:
        """The headers with secret values replaced; ``Authorization`` keeps who signed."""
        items = headers.items() if isinstance(headers, Mapping) else headers
        result = []
        for name, value in items:
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            result.append((str(name), self.header_value(str(name), text, secrets)))
        return result

    @staticmethod
    def header_value(name: str, value: str, secrets: WireSecrets = NONE) -> str:
        lower = name.lower()
        if lower == "authorization":
            return redact_authorization(value)
        if lower in SECRET_HEADERS or secrets.header_is_secret(lower):
            return REDACTED
        return value

    # URLs and form bodies -----------------------------------------------------------------------

    def url(self, url: str, secrets: WireSecrets = NONE) -> str:
        """The URL with signatures, tokens and sensitive labels and parameters replaced."""
        parts = urlsplit(url)
        if not parts.query and secrets.uri is None:
            return url
        if secrets.uri is not None:
            parts = parts._replace(path=uri_path(parts.path, secrets))
        if parts.query:
            parts = parts._replace(query=self.form(parts.query, secrets))
        return urlunsplit(parts)

    def form(self, text: str, secrets: WireSecrets = NONE) -> str:
        """An ``application/x-www-form-urlencoded`` text (a body or a query string) with
        secret parameters replaced."""
        pairs = parse_qsl(text, keep_blank_values=True)
        secret_property = any(
            name in ("Name", "Property") and self._property_is_secret(value)
            for name, value in pairs
        )
        tree = secrets.body if secrets.body_format == FORM else None
        out = []
        for name, value in pairs:
            shown = quote(value, safe=".-_~*/:")
            if (is_secret_field(name) or (secret_property and name == "Value")
                    or secrets.query_is_secret(name)
                    or (tree is not None and _form_key_is_secret(name, tree))):
                shown = REDACTED
            out.append(f"{quote(name, safe='.-_~')}={shown}")
        return "&".join(out)

    # Bodies -------------------------------------------------------------------------------------

    def body(self, body: bytes | str, content_type: str = "",
             secrets: WireSecrets = NONE) -> str:
        """A request or response body as text, with every secret it carries replaced (a body
        that is secret as a whole is the caller's to leave out: see ``whole_body``)."""
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        kind = content_type.split(";", 1)[0].strip().lower()
        stripped = text.lstrip()
        if kind == "application/x-www-form-urlencoded":
            return self.form(text, secrets)
        if stripped.startswith("<"):
            return self.xml(text, secrets)
        if stripped.startswith(("{", "[")) or "json" in kind:
            return self.json(text, secrets)
        if "=" in text and "&" in text and " " not in text.strip():
            return self.form(text, secrets)
        return text

    def xml(self, text: str, secrets: WireSecrets = NONE) -> str:
        """XML with secret elements' text replaced, and secret properties' values too."""
        if secrets.body_format == XML and secrets.body is not None:
            text = _xml_without(text, secrets.body)
        if _XML_ITEM.search(text):
            text = _XML_ITEM.sub(self._xml_property_item, text)
        else:
            # ModifyPropertyValue answers carry name, value and oldValue at the top level.
            text = self._xml_property_item_text(text)
        return _XML_FIELD.sub(self._xml_field, text)

    def _xml_field(self, match: re.Match[str]) -> str:
        if not is_secret_field(match.group(2)):
            return match.group(0)
        prefix, name, attributes = match.group(1), match.group(2), match.group(3) or ""
        return f"<{prefix}{name}{attributes}>{REDACTED}</{prefix}{name}>"

    def _xml_property_item(self, match: re.Match[str]) -> str:
        return match.group(0).replace(match.group(2), self._xml_property_item_text(match.group(2)))

    def _xml_property_item_text(self, text: str) -> str:
        fields = {m.group(2).lower(): m.group(4) for m in _XML_FIELD.finditer(text)}
        name = fields.get("name")
        if name is None or ("value" not in fields and "oldvalue" not in fields):
            return text
        description = fields.get("description", "")
        if not self._property_is_secret(name, description):
            return text
        self.secret_properties.learn(name)

        def hide(match: re.Match[str]) -> str:
            if match.group(2).lower() not in ("value", "oldvalue", "defaultvalue"):
                return match.group(0)
            prefix, tag, attributes = match.group(1), match.group(2), match.group(3) or ""
            return f"<{prefix}{tag}{attributes}>{REDACTED}</{prefix}{tag}>"

        return _XML_FIELD.sub(hide, text)

    def json(self, text: str, secrets: WireSecrets = NONE) -> str:
        """JSON with the values of secret keys (and of secret properties) replaced."""
        tree = secrets.body if secrets.body_format == JSON else None
        try:
            document = json.loads(text)
        except ValueError:
            # Truncated or not JSON after all: redact what looks like a secret field.
            return _json_text_without(text, tree)
        return json.dumps(self._json_value(document, tree), separators=(",", ":"))

    def _json_value(self, value: object, node: Node | None) -> object:
        if isinstance(value, dict):
            name = value.get("Name", value.get("name"))
            description = value.get("Description", value.get("description", ""))
            secret_property = (
                isinstance(name, str)
                and isinstance(description, str)
                and any(k.lower() in ("value", "oldvalue") for k in value)
                and self._property_is_secret(name, description)
            )
            hidden_keys = node is not None and node.secret_keys
            shown = {}
            for index, (key, item) in enumerate(value.items(), 1):
                child = node.child(key) if node is not None else None
                secret = (child is not None and child.secret) or is_secret_field(key) or (
                    secret_property and key.lower() in ("value", "oldvalue", "defaultvalue"))
                shown[f"{REDACTED}-{index}" if hidden_keys else key] = (
                    REDACTED if secret else self._json_value(item, child))
            return shown
        if isinstance(value, list):
            each = node.each if node is not None else None
            if each is not None and each.secret:
                return [REDACTED for _ in value]
            return [self._json_value(item, each) for item in value]
        return value

    # Free text ----------------------------------------------------------------------------------

    def text(self, text: str, secrets: WireSecrets = NONE) -> str:
        """A log message of another library (botocore's, urllib3's) with what looks like a
        secret replaced: signatures, secret headers as ``name: value``, ``name=value`` and
        dict entries, secret fields of XML, JSON and Python reprs, and the secrets of URLs."""
        text = _TEXT_SIGNATURE.sub(lambda m: m.group(1) + REDACTED, text)
        text = _SIGV2_IN_TEXT.sub(lambda m: m.group(1) + REDACTED, text)
        text = _TEXT_HEADER.sub(lambda m: m.group(1) + REDACTED, text)
        text = _TEXT_URL.sub(lambda m: self.url(m.group(0), secrets), text)
        text = _XML_FIELD.sub(self._xml_field, text)
        return _TEXT_FIELD.sub(_text_field, text)


# Free text: a signature (SigV4 header or query, SigV2 query), SigV2 header authorization.
_TEXT_SIGNATURE = re.compile(r"((?:\bSignature|-Signature)=)[^,\s&'\"]+", re.IGNORECASE)
_SIGV2_IN_TEXT = re.compile(r"(\bAWS [A-Z0-9]{16,128}:)[A-Za-z0-9+/=]+")
# A secret header as ``name: value``, ``name:value`` (a canonical request) or a dict entry.
_TEXT_HEADER = re.compile(
    r"((?:^|[\s{,'\"])(?:" + "|".join(re.escape(h) for h in sorted(SECRET_HEADERS))
    + r")['\"]?\s*[:=]\s*b?['\"]?)[^'\"\r\n,}]+",
    re.IGNORECASE | re.MULTILINE,
)
_TEXT_URL = re.compile(r"\bhttps?://[^\s'\"<>]+")
# ``"Name": "value"``, ``'Name': b'value'`` or ``Name='value'`` (a repr), ``Name=value``.
_TEXT_FIELD = re.compile(
    r"""(?P<head>(?P<q>["']?)(?P<name>[\w.-]+)(?P=q)\s*(?::\s*|=)b?)"""
    r"""(?P<value>"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|[^\s&,}'"]+)"""
)


def _text_field(match: re.Match[str]) -> str:
    name = match.group("name")
    if not (is_secret_field(name) or name.lower() == "secret_key"):  # a credentials repr
        return match.group(0)
    value = match.group("value")
    quote_char = value[0] if value[:1] in "\"'" else ""
    return f"{match.group('head')}{quote_char}{REDACTED}{quote_char}"


def _form_key_is_secret(name: str, tree: Node) -> bool:
    """Whether a form key (``Users.member.1.Password``) names a place the tree marks secret."""
    node: Node | None = tree
    for segment in name.split("."):
        assert node is not None
        node = node.child(segment)
        if node is None:
            return False
        if node.secret:
            return True
    return False


def uri_path(path: str, secrets: WireSecrets) -> str:
    """A request path with its sensitive URI labels replaced (all of it when the path is not
    the operation's)."""
    assert secrets.uri is not None
    match = secrets.uri.pattern.match(path)
    if match is None:
        return "/" + REDACTED
    shown, position = [], 0
    for group in range(1, (match.lastindex or 0) + 1):
        start, end = match.span(group)
        if start < 0:
            continue
        shown += [path[position:start], REDACTED]
        position = end
    return "".join(shown) + path[position:]


# An element's tag: its closing slash, its local name (any namespace prefix dropped), whether
# it closes itself. Comments, declarations and processing instructions do not match.
_XML_TAG = re.compile(r"<(/?)(?:[\w.-]+:)?([\w.-]+)(?:\s[^<>]*?)?(/?)>")


def _xml_without(text: str, root: Node) -> str:
    """XML with the content of every element the tree marks secret replaced.

    A scan of the tags, not a parse, so that what is shown keeps its form and a body cut short
    (the log shows the head of long ones) is still redacted: a secret element with no end in
    the text is hidden to the end.
    """
    out: list[str] = []
    stack: list[Node | None] = [root]
    position = 0
    hidden_from = -1  # where the content of the open secret element starts
    depth = 0  # elements open inside it
    for match in _XML_TAG.finditer(text):
        closing, name, closes_itself = match.group(1), match.group(2), match.group(3)
        if hidden_from >= 0:
            if closing:
                depth -= 1
                if depth == 0:
                    out += [text[position:hidden_from], REDACTED]
                    position, hidden_from = match.start(), -1
            elif not closes_itself:
                depth += 1
            continue
        if closing:
            if len(stack) > 1:
                stack.pop()
            continue
        if closes_itself:
            continue
        parent = stack[-1]
        node = parent.child(name) if parent is not None else None
        if node is not None and node.secret:
            hidden_from, depth = match.end(), 1
        else:
            stack.append(node)
    if hidden_from >= 0:
        out += [text[position:hidden_from], REDACTED]
        return "".join(out)
    out.append(text[position:])
    return "".join(out)


def _json_text_without(text: str, tree: Node | None) -> str:
    """JSON that does not parse (cut short): a scan of its tokens, with the value of every
    secret key (known by name, or placed secret by the tree) replaced; a secret object or
    array whose end is not in the text is hidden to the end."""
    out: list[str] = []
    position = 0
    # One frame per open object or array: its node, and (objects) the key awaiting a value.
    frames: list[list[Any]] = []
    expect_key = False
    index = 0
    while True:
        token = _JSON_TOKEN.match(text, index)
        if token is None or token.end() == index:
            break
        char = token.group(1)
        start = token.start(1)
        if char == "}" or char == "]":
            if frames:
                frames.pop()
            expect_key, index = False, token.end()
            continue
        if char == ",":
            expect_key = bool(frames) and frames[-1][0] == "{"
            index = token.end()
            continue
        if char == ":":
            index = token.end()
            continue
        if char == '"' and expect_key:
            string = _JSON_STRING.match(text, start)
            end = string.end() if string else len(text)
            node = frames[-1][1]
            frames[-1][2] = text[start + 1:end - 1]
            if node is not None and node.secret_keys:
                out += [text[position:start], f'"{REDACTED}"']
                position = end
            expect_key, index = False, end
            continue
        # A value starts here: is its place secret?
        node, secret = _json_place(frames, tree)
        if char in "{[" and not secret:
            frames.append([char, node, None])
            expect_key, index = char == "{", token.end()
            continue
        finish = _json_value_end(text, start)
        if secret:
            out += [text[position:start], f'"{REDACTED}"']
            if finish is None:
                return "".join(out) + " [rest not shown]"
            position = finish
        index = len(text) if finish is None else finish
    out.append(text[position:])
    return "".join(out)


# One JSON token after optional white space: a structural character, a string's opening
# quote, or the first character of a number or literal.
_JSON_TOKEN = re.compile(r'\s*([{}\[\]:,"]|[^\s{}\[\]:,"])')


def _json_place(frames: list[list[Any]], tree: Node | None) -> tuple[Node | None, bool]:
    """The node of the value about to start, and whether it is secret."""
    if not frames:
        return tree, tree is not None and tree.secret
    kind, parent, key = frames[-1]
    if kind == "[":
        node = parent.each if parent is not None else None
        return node, node is not None and node.secret
    node = parent.child(key) if parent is not None and key is not None else None
    return node, (node is not None and node.secret) or (key is not None and is_secret_field(key))


def _json_value_end(text: str, start: int) -> int | None:
    """Where the JSON value starting at ``start`` ends, or None if it does not in ``text``."""
    if text[start] == '"':
        string = _JSON_STRING.match(text, start)
        return string.end() if string and text[string.end() - 1:string.end()] == '"' and (
            string.end() - start > 1) else None
    if text[start] not in "{[":
        literal = _JSON_LITERAL.match(text, start)
        return literal.end() if literal and literal.end() < len(text) else None
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char == '"':
            string = _JSON_STRING.match(text, index)
            if string is None:
                return None
            index = string.end()
            continue
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return None


_JSON_LITERAL = re.compile(r"[^\s{}\[\]:,\"]+")


def redact_authorization(value: str) -> str:
    """``Authorization`` without its secret part.

    SigV4 keeps ``Credential=<access key id>/<scope>`` and ``SignedHeaders`` and drops the
    signature; SigV2 header auth keeps the access key id; any other scheme (Basic, Bearer)
    is dropped whole.
    """
    if value.startswith("AWS4-"):
        return _SIGNATURE_IN_AUTHORIZATION.sub(lambda m: m.group(1) + REDACTED, value)
    sigv2 = _SIGV2_AUTHORIZATION.match(value)
    if sigv2:
        return sigv2.group(1) + REDACTED
    scheme = value.split(" ", 1)[0]
    return f"{scheme} {REDACTED}" if " " in value else REDACTED
