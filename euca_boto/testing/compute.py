"""Eucalyptus' EC2 extensions (reference §8): instance types (DescribeInstanceTypes in the
euca-ec2 ``2015-10-01`` form, ModifyInstanceTypeAttribute) and MigrateInstances answered here;
everything else, the AWS ``DescribeInstanceTypes`` included, relayed to moto."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace

from . import wire
from .exchange import AwsCall, Response, relay
from .forward import MotoForwarder
from .querywire import XML_CONTENT_TYPE, Fields, Items, ec2_response

EUCA_EC2_VERSION = "2015-10-01"
EC2_VERSION = "2016-11-15"


class ComputeError(Exception):
    """An EC2-style failure: ``code``, message and HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass(frozen=True)
class InstanceType:
    name: str
    cpu: int
    disk: int  # GiB
    memory: int  # MiB
    network_interfaces: int


# The built-in types of a fresh cloud (what Reset restores).
DEFAULT_TYPES: tuple[InstanceType, ...] = (
    InstanceType("t1.micro", 1, 5, 256, 1),
    InstanceType("m1.small", 1, 5, 256, 1),
    InstanceType("m1.medium", 1, 10, 512, 1),
    InstanceType("c1.medium", 2, 10, 512, 2),
    InstanceType("m1.large", 2, 10, 512, 2),
    InstanceType("m1.xlarge", 2, 10, 1024, 2),
    InstanceType("c1.xlarge", 2, 10, 2048, 2),
    InstanceType("m2.xlarge", 2, 10, 2048, 2),
    InstanceType("m3.xlarge", 4, 15, 2048, 2),
    InstanceType("m2.2xlarge", 2, 30, 4096, 2),
)
# What one partition's node controllers offer, for the availability view.
ZONE_CORES, ZONE_MEMORY_MIB, ZONE_DISK_GIB = 32, 65536, 1000


@dataclass(frozen=True)
class Migration:
    """One MigrateInstances request, as the cloud recorded it."""

    source_host: str | None
    instance_id: str | None
    destination_hosts: tuple[str, ...]
    allow_hosts: bool


class Compute:
    """Answers every call to ``/services/compute``. Thread safe."""

    def __init__(self, forwarder: MotoForwarder, partitions: Sequence[str]) -> None:
        self.forwarder = forwarder
        self.partitions = list(partitions)
        self._lock = threading.Lock()
        self._types = {t.name: t for t in DEFAULT_TYPES}
        self._migrations: list[Migration] = []

    @property
    def migrations(self) -> list[Migration]:
        with self._lock:
            return list(self._migrations)

    def handle(self, call: AwsCall) -> Response:
        version = call.params.get("Version") or EC2_VERSION
        local = {
            "ModifyInstanceTypeAttribute": self._modify_instance_type,
            "MigrateInstances": self._migrate,
        }.get(call.action)
        if call.action == "DescribeInstanceTypes" and version == EUCA_EC2_VERSION:
            local = self._describe_instance_types
        if local is None:
            return relay(self.forwarder, call, account=call.caller.moto_account)
        try:
            fields = local(call)
        except ComputeError as exc:
            body = wire.render_error(exc.code, exc.message, call.request_id)
            return Response(
                exc.status, [("Content-Type", XML_CONTENT_TYPE)], body, call.caller.access_key
            )
        body = ec2_response(call.action, version, fields, call.request_id)
        return Response(200, [("Content-Type", XML_CONTENT_TYPE)], body, call.caller.access_key)

    # DescribeInstanceTypes (§8.1) ---------------------------------------------------------

    def _describe_instance_types(self, call: AwsCall) -> Fields:
        p = call.params
        availability = p.boolean("Availability")
        if availability and not call.caller.is_admin:
            raise ComputeError("AuthFailure", "Not permitted to access availability", 403)
        names = p.strings("InstanceType")
        with self._lock:
            types = list(self._types.values())
        if names:
            unknown = sorted(set(names) - {t.name for t in types})
            if unknown:
                raise ComputeError(
                    "InvalidParameterValue", f"Unknown instance type(s): {', '.join(unknown)}"
                )
            types = [t for t in types if t.name in names]
        items = [self._details(t, availability, p.boolean("Verbose")) for t in types]
        return [("instanceTypeDetails", Items("item", items))]

    def _details(self, vm: InstanceType, availability: bool, verbose: bool) -> Fields:
        fields: Fields = [
            ("name", vm.name),
            ("cpu", vm.cpu),
            ("disk", vm.disk),
            ("memory", vm.memory),
            ("networkInterfaces", vm.network_interfaces),
        ]
        if availability:
            most = min(ZONE_CORES // vm.cpu, ZONE_MEMORY_MIB // vm.memory, ZONE_DISK_GIB // vm.disk)
            zones: list[Fields] = [
                [("name", vm.name), ("zoneName", zone), ("max", most), ("available", most)]
                for zone in self.partitions
            ]
            fields.append(("availability", Items("item", zones)))
        if verbose:
            disk: Fields = [
                ("virtualDeviceName", "ephemeral0"),
                ("deviceName", "sdb"),
                ("size", vm.disk),
                ("format", "ext3"),
            ]
            fields.append(("ephemeralDisk", Items("item", [disk])))
        return fields

    # ModifyInstanceTypeAttribute (§8.2) ---------------------------------------------------

    def _modify_instance_type(self, call: AwsCall) -> Fields:
        if not call.caller.is_admin:
            raise ComputeError("AuthFailure", "Authorization failed.", 403)
        p = call.params
        name = p.get("Name")
        if not name:
            raise ComputeError("MissingParameter", "The request must contain the parameter Name")
        changes = {
            attribute: _integer(p.get(param), param, upper)
            for param, attribute, upper in (
                ("Cpu", "cpu", None),
                ("Disk", "disk", None),
                ("Memory", "memory", None),
                ("NetworkInterfaces", "network_interfaces", 8),
            )
            if p.get(param) is not None
        }
        defaults = {t.name: t for t in DEFAULT_TYPES}
        with self._lock:
            before = self._types.get(name)
            if before is None:
                raise ComputeError("InvalidParameterValue", f"Unknown instance type: {name}")
            if p.boolean("Reset"):
                after = defaults.get(name, before)
            else:
                after = replace(
                    before,
                    cpu=changes.get("cpu", before.cpu),
                    disk=changes.get("disk", before.disk),
                    memory=changes.get("memory", before.memory),
                    network_interfaces=changes.get("network_interfaces", before.network_interfaces),
                )
            self._types[name] = after
        return [
            ("instanceType", self._details(after, False, False)),
            ("previousInstanceType", self._details(before, False, False)),
        ]

    # MigrateInstances (§8.3) --------------------------------------------------------------

    def _migrate(self, call: AwsCall) -> Fields:
        if not call.caller.is_admin:
            raise ComputeError("AuthFailure", "Authorization failed.", 403)
        p = call.params
        source, instance = p.get("SourceHost"), p.get("InstanceId")
        if bool(source) == bool(instance):
            raise ComputeError(
                "InvalidParameterCombination", "Give exactly one of SourceHost and InstanceId"
            )
        if instance:
            found = self.forwarder.call(
                "ec2",
                [
                    ("Action", "DescribeInstances"),
                    ("Version", EC2_VERSION),
                    ("InstanceId.1", instance),
                ],
                call.caller.moto_account,
            )
            if found.status != 200:
                raise ComputeError(
                    "InvalidInstanceID.NotFound", f"The instance ID '{instance}' does not exist"
                )
        migration = Migration(
            source, instance, tuple(p.strings("DestinationHost")), p.boolean("AllowHosts")
        )
        with self._lock:
            self._migrations.append(migration)
        return []


def _integer(text: str | None, name: str, upper: int | None) -> int:
    value = int(text) if text is not None and text.isdigit() else 0
    if value < 1 or (upper is not None and value > upper):
        limit = f"1-{upper}" if upper else ">= 1"
        raise ComputeError("InvalidParameterValue", f"Invalid {name} {text!r}: expected {limit}")
    return value
