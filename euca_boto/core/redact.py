"""Removing secrets from HTTP requests and responses before they are written to a log.

Redaction is always on and knows the AWS and Eucalyptus places secrets travel in: the signature
part of ``Authorization`` (the access key id and the credential scope stay, they say who called),
security-token headers, signatures in query strings (presigned URLs, SigV2), secret fields of
form, XML and JSON bodies, and the values of cloud properties whose names or descriptions mark
them secret. Functions here are pure text transformations, so they are tested directly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from euca_boto.core import process

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
_JSON_STRING_FIELD = re.compile(r'("([\w.-]+)"\s*:\s*)"((?:[^"\\]|\\.)*)"')


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
    """Removes secrets from the parts of one HTTP exchange."""

    def __init__(self, secret_properties: SecretProperties | None = None) -> None:
        self.secret_properties = secret_properties or SecretProperties()

    def _property_is_secret(self, name: str, description: str = "") -> bool:
        return is_secret_property(name, description) or name in self.secret_properties

    # Headers ------------------------------------------------------------------------------------

    def headers(
        self, headers: Mapping[str, str] | Iterable[tuple[str, str]]
    ) -> list[tuple[str, str]]:
        """The headers with secret values replaced; ``Authorization`` keeps who signed."""
        items = headers.items() if isinstance(headers, Mapping) else headers
        result = []
        for name, value in items:
            text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
            result.append((str(name), self.header_value(str(name), text)))
        return result

    @staticmethod
    def header_value(name: str, value: str) -> str:
        lower = name.lower()
        if lower == "authorization":
            return redact_authorization(value)
        if lower in SECRET_HEADERS:
            return REDACTED
        return value

    # URLs and form bodies -----------------------------------------------------------------------

    def url(self, url: str) -> str:
        """The URL with signatures and tokens in its query string replaced."""
        parts = urlsplit(url)
        if not parts.query:
            return url
        return urlunsplit(parts._replace(query=self.form(parts.query)))

    def form(self, text: str) -> str:
        """An ``application/x-www-form-urlencoded`` text with secret parameters replaced."""
        pairs = parse_qsl(text, keep_blank_values=True)
        secret_property = any(
            name in ("Name", "Property") and self._property_is_secret(value)
            for name, value in pairs
        )
        out = []
        for name, value in pairs:
            shown = quote(value, safe=".-_~*/:")
            if is_secret_field(name) or (secret_property and name == "Value"):
                shown = REDACTED
            out.append(f"{quote(name, safe='.-_~')}={shown}")
        return "&".join(out)

    # Bodies -------------------------------------------------------------------------------------

    def body(self, body: bytes | str, content_type: str = "") -> str:
        """A request or response body as text, with every secret it carries replaced."""
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        kind = content_type.split(";", 1)[0].strip().lower()
        stripped = text.lstrip()
        if kind == "application/x-www-form-urlencoded":
            return self.form(text)
        if stripped.startswith("<"):
            return self.xml(text)
        if stripped.startswith(("{", "[")) or "json" in kind:
            return self.json(text)
        if "=" in text and "&" in text and " " not in text.strip():
            return self.form(text)
        return text

    def xml(self, text: str) -> str:
        """XML with secret elements' text replaced, and secret properties' values too."""
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

    def json(self, text: str) -> str:
        """JSON with the values of secret keys (and of secret properties) replaced."""
        try:
            document = json.loads(text)
        except ValueError:
            # Truncated or not JSON after all: redact what looks like a secret string field.
            return _JSON_STRING_FIELD.sub(self._json_string_field, text)
        return json.dumps(self._json_value(document), separators=(",", ":"))

    @staticmethod
    def _json_string_field(match: re.Match[str]) -> str:
        if not is_secret_field(match.group(2)):
            return match.group(0)
        return f'{match.group(1)}"{REDACTED}"'

    def _json_value(self, value: object) -> object:
        if isinstance(value, dict):
            name = value.get("Name", value.get("name"))
            description = value.get("Description", value.get("description", ""))
            secret_property = (
                isinstance(name, str)
                and isinstance(description, str)
                and any(k.lower() in ("value", "oldvalue") for k in value)
                and self._property_is_secret(name, description)
            )
            return {
                key: REDACTED if is_secret_field(key) or (
                    secret_property and key.lower() in ("value", "oldvalue", "defaultvalue")
                ) else self._json_value(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self._json_value(item) for item in value]
        return value


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


# The password of a URL's user information: ``redis://:pw@host``, ``http://user:pw@host``.
_URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*):[^/\s@]*@")
URL_PASSWORD_MASK = "***"


def url_passwords(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***`` (the user name stays:
    it says who connects). For anything printed or logged that may hold a configured URL."""
    if "@" not in text:
        return text
    return _URL_PASSWORD.sub(lambda m: f"{m.group(1)}:{URL_PASSWORD_MASK}@", text)
