"""Which LocalCloud service a request is for: by URL path or by ``Host`` (reference §2.1, §9.1).

Every endpoint answers every service, as Eucalyptus user-facing hosts do.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    """A service LocalCloud answers. ``admin`` services are served in-process, the others are
    forwarded to moto."""

    key: str  # bootstrap, properties, configuration, ec2, iam, sts, s3
    path: str  # the canonical path, e.g. /services/Properties
    admin: bool
    path_names: tuple[str, ...]  # /services/<name> spellings (matched case-insensitively)
    dns_names: tuple[str, ...]  # first labels of Host names (§9.1)
    profile_name: str  # the key in a botocore [services] section


SERVICES: dict[str, Service] = {
    s.key: s
    for s in (
        Service(
            "bootstrap",
            "/services/Empyrean",
            True,
            ("empyrean",),
            ("bootstrap", "bootstrap-admin"),
            "euserv",
        ),
        Service(
            "properties", "/services/Properties", True, ("properties",), ("properties",), "euprop"
        ),
        Service(
            "configuration",
            "/services/Configuration",
            True,
            ("configuration",),
            ("configuration",),
            "euconfig",
        ),
        Service(
            "ec2",
            "/services/compute",
            False,
            ("compute", "eucalyptus"),
            ("compute", "ec2", "eucalyptus"),
            "ec2",
        ),
        Service("iam", "/services/Euare", False, ("euare",), ("euare", "iam"), "iam"),
        Service("sts", "/services/Tokens", False, ("tokens",), ("tokens", "sts"), "sts"),
        Service(
            "s3",
            "/services/objectstorage",
            False,
            ("objectstorage", "walrus"),
            ("objectstorage", "s3", "walrus"),
            "s3",
        ),
    )
}

ALIASES: dict[str, str] = {
    **{s.key: s.key for s in SERVICES.values()},
    **{s.profile_name: s.key for s in SERVICES.values()},
    "empyrean": "bootstrap",
    "compute": "ec2",
    "euare": "iam",
    "tokens": "sts",
    "objectstorage": "s3",
}

_BY_PATH_NAME = {name: s for s in SERVICES.values() for name in s.path_names}
_BY_DNS_NAME = {name: s for s in SERVICES.values() for name in s.dns_names}


def lookup(name: str) -> Service:
    """A service by key or alias (``euprop``, ``compute``, ...); ``ValueError`` if unknown."""
    try:
        return SERVICES[ALIASES[name.lower()]]
    except KeyError:
        known = ", ".join(sorted(ALIASES))
        raise ValueError(f"unknown service {name!r}; expected one of: {known}") from None


def route(path: str, host: str) -> tuple[Service, str] | None:
    """The service for a request and the path to pass on (without the ``/services/X`` prefix)."""
    parts = path.split("/", 3)  # "", "services", "Name", "rest"
    if len(parts) >= 3 and parts[1] in ("services", "internal"):
        service = _BY_PATH_NAME.get(parts[2].lower())
        if service is not None:
            return service, "/" + (parts[3] if len(parts) > 3 else "")
    label = host.split(":", 1)[0].split(".", 1)[0].lower()
    service = _BY_DNS_NAME.get(label)
    if service is not None:
        return service, path or "/"
    return None
