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


def seed_properties(*, dns_domain: str, partitions: Iterable[str], version: str,
                    region: str = "eucalyptus") -> list[Property]:
    """The initial properties of a cloud, as a freshly installed Eucalyptus 4.4 shows them.

    A cloud whose region is not the default ``eucalyptus`` has it named in
    ``region.region_name``, as an operator names it.
    """
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
        Property("region.region_name", "" if region == "eucalyptus" else region,
                 "Region name.", ""),
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
    props += _service_properties()
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


def _positive(value: str) -> None:
    if not value.isdigit() or int(value) < 1:
        raise PropertyError(f"Failed to set property: expected a positive integer, got {value!r}")


def _text(prefix: str, rows: Iterable[tuple[str, str, str]],
          checks: dict[str, Callable[[str], None]]) -> list[Property]:
    return [
        Property(f"{prefix}.{name}", default, description, default, validate=checks.get(name))
        for name, default, description in rows
    ]


def _service_properties() -> list[Property]:
    """The properties of the authentication, region and worker-VM services, with the names,
    defaults and descriptions (worded as the server words them) a 4.4 cloud registers: a
    field's name, lower-cased, under its class's root. The database worker's are not among
    them: from 4.3 on the server no longer registers that class."""
    worker = ("configured", "healthcheck")
    return [
        *_text("authentication", [
            ("access_keys_limit", "2", "Limit for access keys per user"),
            ("authorization_expiry", "5s", "Default expiry for cached authorization metadata"),
            ("credential_download_generate_certificate", "Absent",
             "Strategy for generation of certificates on credential download "
             "( Never | Absent | Limited )"),
            ("credential_download_host_match", "",
             "CIDR to match against for host address selection"),
            ("default_password_expiry", "60d", "Default password expiry time"),
            ("max_policy_attachments", "10", "Maximum number of attached managed policies"),
            ("max_policy_size", "16384", "Maximum size for an IAM policy (bytes)"),
            ("signing_certificates_limit", "2", "Limit for signing certificates per user"),
            ("strict_policy_validation", "true", "Use strict validation for IAM policy syntax"),
            ("system_account_quota_enabled", "true", "Process quotas for system accounts"),
        ], {"access_keys_limit": _positive, "signing_certificates_limit": _positive,
            "strict_policy_validation": _boolean, "system_account_quota_enabled": _boolean}),
        *_text("region", [
            ("region_enable_ssl", "true", "Enable SSL (HTTPS) for regions."),
            ("region_ssl_default_cas", "true", "Use default CAs for region SSL connections."),
            ("region_ssl_verify_hostnames", "true",
             "Verify hostnames for region SSL connections."),
        ], dict.fromkeys(("region_enable_ssl", "region_ssl_default_cas",
                          "region_ssl_verify_hostnames"), _boolean)),
        *_text("services.imaging", [
            ("import_task_expiration_hours", "168",
             "expiration hours of import volume/instance tasks"),
            ("import_task_timeout_minutes", "180", "expiration time in minutes of import tasks"),
        ], dict.fromkeys(("import_task_expiration_hours", "import_task_timeout_minutes"),
                         _positive)),
        *_text("services.imaging.worker", [
            ("availability_zones", "", "availability zones for imaging worker"),
            ("configured", "false",
             "Prepare imaging service so a worker can be launched.If something goes south with "
             "the service there is a big chance that setting it to false and back to true would "
             "solve issues."),
            ("expiration_days", "180", "the days after which imaging work VMs expire"),
            ("healthcheck", "true", "enabling imaging worker healthcheck"),
            ("image", "NULL", "EMI containing imaging worker"),
            ("init_script", "",
             "bash script that will be executed before service configuration and start up"),
            ("instance_type", "m1.small", "instance type for imaging worker"),
            ("keyname", "", "keyname to use when debugging imaging worker"),
            ("log_server", "", "address/ip of the server that collects logs from imaging wokrers"),
            ("log_server_port", "514", "UDP port that log server is listerning to"),
            ("ntp_server", "", "address of the NTP server used by imaging worker"),
        ], {**dict.fromkeys(worker, _boolean), "expiration_days": _positive,
            "log_server_port": _positive}),
        *_text("services.loadbalancing.worker", [
            ("app_cookie_duration", "24",
             "duration of app-controlled cookie to be kept in-memory (hours)"),
            ("expiration_days", "365", "the days after which the loadbalancer Vms expire"),
            ("failure_threshold_for_recycle", "24",
             "number of activity failure that will trigger recycling workers"),
            ("image", "NULL", "EMI containing haproxy and the controller"),
            ("init_script", "",
             "bash script that will be executed before service configuration and start up"),
            ("instance_type", "m1.medium", "instance type for loadbalancer instances"),
            ("keyname", "", "keyname to use when debugging loadbalancer VMs"),
            ("ntp_server", "", "the address of the NTP server used by loadbalancer VMs"),
            ("use_elastic_ip", "false", "flag to indicate the workers use elastic IP"),
        ], {"app_cookie_duration": _positive, "expiration_days": _positive,
            "failure_threshold_for_recycle": _positive, "use_elastic_ip": _boolean}),
    ]


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
