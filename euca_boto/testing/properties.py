"""The cloud properties a LocalCloud serves through the Properties service (reference §4).

A seeded, realistic set of properties and the rules of DescribeProperties/ModifyPropertyValue:
prefix matching, reset to default, read-only values left alone, hidden values masked.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

HIDDEN_VALUE = "********"


class PropertyError(ValueError):
    """A modification was refused; the message is what the server reports."""


def _boolean(value: str) -> None:
    if value.lower() not in ("true", "false"):
        raise PropertyError(f"Failed to set property: expected true or false, got {value!r}")


def _integer(value: str) -> None:
    if not value.lstrip("-").isdigit():
        raise PropertyError(f"Failed to set property: expected an integer, got {value!r}")


def _json(value: str) -> None:
    try:
        json.loads(value)
    except ValueError as exc:
        raise PropertyError(f"Failed to set property: invalid JSON: {exc}") from exc


def _one_of(*choices: str) -> Callable[[str], None]:
    def check(value: str) -> None:
        if value.lower() not in choices:
            raise PropertyError(
                f"Failed to set property: expected one of {', '.join(choices)}, got {value!r}"
            )

    return check


@dataclass(frozen=True)
class Property:
    """One cloud property. ``validate`` raises ``PropertyError`` for a value it refuses."""

    name: str
    value: str
    description: str
    default: str
    read_only: bool = False
    hidden: bool = False
    validate: Callable[[str], None] | None = None

    @property
    def shown_value(self) -> str:
        return HIDDEN_VALUE if self.hidden else self.value

    @property
    def shown_default(self) -> str:
        return HIDDEN_VALUE if self.hidden else self.default


def seed_properties(*, dns_domain: str, partitions: Iterable[str], version: str) -> list[Property]:
    """The initial properties of a cloud, as a freshly installed Eucalyptus 4.4 shows them."""
    network = json.dumps(
        {
            "Mode": "EDGE",
            "InstanceDnsServers": ["127.0.0.1"],
            "PublicIps": ["10.111.200.1-10.111.200.254"],
        }
    )
    props = [
        Property(
            "authentication.ldap_integration_configuration",
            "{ 'sync': { 'enable':'false' } }",
            "LDAP integration configuration, in JSON",
            "{ 'sync': { 'enable':'false' } }",
        ),
        Property(
            "bootstrap.webservices.port",
            "8773",
            "Port to bind (the default is 8773)",
            "8773",
            validate=_integer,
        ),
        Property(
            "bootstrap.webservices.unknown_parameter_handling",
            "default",
            "Request unknown parameter handling (default|ignore|error)",
            "default",
            validate=_one_of("default", "ignore", "error"),
        ),
        Property(
            "bootstrap.webservices.use_dns_delegation",
            "false",
            "Use DNS delegation",
            "false",
            validate=_boolean,
        ),
        Property(
            "cloud.network.network_configuration",
            network,
            "Network configuration document, in JSON",
            "",
            validate=_json,
        ),
        Property(
            "cloud.vmstate.instance_timeout",
            "720",
            "Minutes before a VM that is not reported is marked terminated",
            "720",
            validate=_integer,
        ),
        Property(
            "cloudformation.swf_client_config",
            "{}",
            "SWF client configuration for CloudFormation, in JSON",
            "{}",
            validate=_json,
        ),
        Property(
            "dns.enabled", "true", "Enable pluggable DNS resolvers", "true", validate=_boolean
        ),
        Property(
            "dns.services.enabled",
            "true",
            "Resolve names of Eucalyptus services",
            "true",
            validate=_boolean,
        ),
        Property("euca.version", version, "The Eucalyptus version", version, read_only=True),
        Property(
            "objectstorage.providerclient",
            "walrus",
            "Object storage provider client",
            "walrus",
            validate=_one_of("walrus", "riakcs", "ceph-rgw"),
        ),
        Property("objectstorage.s3provider.s3accesskey", "", "S3 provider access key", ""),
        Property(
            "objectstorage.s3provider.s3secretkey",
            "localcloud-s3-secret",
            "S3 provider secret key",
            "",
            hidden=True,
        ),
        Property("region.region_configuration", "", "Region configuration document, in JSON", ""),
        Property("region.region_name", "", "Region name (empty: the default)", ""),
        Property(
            "services.imaging.worker.enabled",
            "true",
            "Run the imaging worker",
            "true",
            validate=_boolean,
        ),
        Property(
            "services.loadbalancing.worker.image", "NULL", "Load balancer worker image", "NULL"
        ),
        Property("system.dns.dnsdomain", dns_domain, "Domain name to use for DNS", "localhost"),
        Property("system.dns.nameserver", "nshost." + dns_domain, "Nameserver host name", "nshost"),
        Property(
            "system.exec.max_restricted_concurrent_ops",
            "2",
            "Maximum concurrent restricted operations",
            "2",
            validate=_integer,
        ),
    ]
    for partition in partitions:
        props += [
            Property(
                f"{partition}.cluster.maxnetworkindex",
                "4096",
                "Maximum network index",
                "4096",
                validate=_integer,
            ),
            Property(
                f"{partition}.cluster.sourcehostname",
                "127.0.0.1",
                "Alternative address for node controllers to reach the cluster",
                "",
            ),
            Property(
                f"{partition}.storage.blockstoragemanager",
                "overlay",
                "EBS block storage manager",
                "unset",
                validate=_one_of("overlay", "das", "ceph-rbd", "unset"),
            ),
            Property(
                f"{partition}.storage.volumesdir",
                "/var/lib/eucalyptus/volumes",
                "Storage volumes directory",
                "/var/lib/eucalyptus/volumes",
                read_only=True,
            ),
        ]
    return sorted(props, key=lambda p: p.name)


class PropertyStore:
    """Properties by name; thread safe."""

    def __init__(self, properties: Iterable[Property]) -> None:
        self._lock = threading.Lock()
        self._props = {p.name: p for p in properties}

    def describe(self, prefixes: Iterable[str] = ()) -> list[Property]:
        """Properties whose name starts with any prefix (all when none), sorted by name."""
        wanted = list(prefixes)
        with self._lock:
            return [
                p
                for name, p in sorted(self._props.items())
                if not wanted or any(name.startswith(prefix) for prefix in wanted)
            ]

    def modify(self, name: str, value: str | None, reset: bool) -> tuple[Property, str]:
        """Apply a change; return the property afterwards and its old value (both as stored)."""
        with self._lock:
            prop = self._props.get(name)
            if prop is None:
                raise PropertyError(f"Failed to set property: no such property: {name}")
            old = prop.value
            if prop.read_only:
                # Read-only properties are silently left alone; the reply shows the current value.
                return prop, old
            new = prop.default if reset else (value or "")
            if not reset and prop.validate is not None:
                prop.validate(new)
            prop = replace(prop, value=new)
            self._props[name] = prop
            return prop, old

    def set(self, name: str, value: str) -> None:
        """Set a value directly, read-only or not (for tests arranging a state)."""
        with self._lock:
            self._props[name] = replace(self._props[name], value=value)

    def get(self, name: str) -> Property:
        with self._lock:
            return self._props[name]
