"""Eucalyptus' EC2 (reference §8): instance types (DescribeInstanceTypes in the euca-ec2
``2015-10-01`` form, ModifyInstanceTypeAttribute) and MigrateInstances; the zones (the cloud's
partitions, and their capacity for ``verbose``) and the region; the administrator's
``verbose`` listings of every account's resources. Everything else, the AWS
``DescribeInstanceTypes`` included, is relayed to moto.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from . import wire
from .accounts import AccountStore, is_system_account
from .exchange import AwsCall, Response, relay
from .forward import MotoForwarder
from .properties import PropertyStore
from .querywire import XML_CONTENT_TYPE, Fields, Items, ec2_response
from .signing import ADMIN_ACCOUNT
from .topology import ServiceView

TopologySource = Callable[[], tuple[int, list[ServiceView]]]

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

#: The pseudo-id that asks for the administrator's view (reference §8.4).
VERBOSE = "verbose"
# The listings in which ``verbose`` shows an administrator every account's resources: the
# parameters that carry ids and the element holding the listed resources.
EVERY_ACCOUNT: dict[str, tuple[tuple[str, ...], str]] = {
    "DescribeInstances": (("InstanceId",), "reservationSet"),
    "DescribeInstanceStatus": (("InstanceId",), "instanceStatusSet"),
    "DescribeVolumes": (("VolumeId",), "volumeSet"),
    "DescribeKeyPairs": (("KeyName",), "keySet"),
    "DescribeSecurityGroups": (("GroupName", "GroupId"), "securityGroupInfo"),
    "DescribeAddresses": (("PublicIp",), "addressesSet"),
}
# Listings that take ``verbose`` out of their ids and list as usual (for images it adds
# deregistered images, which moto does not keep; snapshots list as they would anyway).
VERBOSE_IGNORED: dict[str, tuple[str, ...]] = {
    "DescribeImages": ("ImageId",),
    "DescribeSnapshots": ("SnapshotId",),
}
# The zone and region actions, answered here in the AWS actions' form (<XResponse>).
ZONE_ACTIONS = ("DescribeAvailabilityZones", "DescribeRegions")


@dataclass(frozen=True)
class Migration:
    """One MigrateInstances request, as the cloud recorded it."""

    source_host: str | None
    instance_id: str | None
    destination_hosts: tuple[str, ...]
    allow_hosts: bool


class Compute:
    """Answers every call to ``/services/compute``. Thread safe."""

    def __init__(self, forwarder: MotoForwarder, partitions: Sequence[str], *,
                 accounts: AccountStore, properties: PropertyStore,
                 topology: TopologySource) -> None:
        self.forwarder = forwarder
        self.partitions = list(partitions)
        self.accounts = accounts
        self.properties = properties
        self.topology = topology
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
            "DescribeAvailabilityZones": self._describe_zones,
            "DescribeRegions": self._describe_regions,
        }.get(call.action)
        if call.action == "DescribeInstanceTypes" and version == EUCA_EC2_VERSION:
            local = self._describe_instance_types
        if local is None:
            return self._listing(call)
        try:
            fields = local(call)
        except ComputeError as exc:
            body = wire.render_error(exc.code, exc.message, call.request_id)
            return Response(
                exc.status, [("Content-Type", XML_CONTENT_TYPE)], body, call.caller.access_key
            )
        suffix = "Response" if call.action in ZONE_ACTIONS else "ResponseType"
        body = ec2_response(call.action, version, fields, call.request_id, suffix)
        return Response(200, [("Content-Type", XML_CONTENT_TYPE)], body, call.caller.access_key)

    # The verbose listings (§8.4) --------------------------------------------------------------

    def _listing(self, call: AwsCall) -> Response:
        """Relay a call to moto. A listing asked for ``verbose`` goes without it: for the
        administrator to every account, the resources gathered into one answer."""
        every = EVERY_ACCOUNT.get(call.action)
        names = every[0] if every else VERBOSE_IGNORED.get(call.action, ())
        params, verbose = _without_verbose(call.request.params, names)
        if not verbose:
            return relay(self.forwarder, call, account=call.caller.moto_account)
        if every is None or not call.caller.is_admin:
            accounts = [call.caller.moto_account]
        else:
            # System accounts hold no EC2 resources here: nothing can act in them.
            accounts = [a.id for a in self.accounts.all()
                        if a.name == ADMIN_ACCOUNT or not is_system_account(a.name)]
        answers = [self.forwarder.call("ec2", params, account, call.caller.access_key)
                   for account in accounts]
        failed = next((a for a in answers if a.status != 200), None)
        if failed is not None:
            return Response(failed.status, failed.headers, failed.body, call.caller.access_key)
        body = answers[0].body
        if every is not None:
            body = _gathered([a.body for a in answers], every[1])
        return Response(200, answers[0].headers, body, call.caller.access_key)

    # Zones and the region (the server's ClusterEndpoint) -----------------------------------

    def _region_name(self) -> str:
        return self.properties.get("region.region_name").value

    def _describe_zones(self, call: AwsCall) -> Fields:
        asked = call.params.strings("ZoneName")
        wanted = [zone for zone in asked if zone != VERBOSE]
        for zone in wanted:
            if zone not in self.partitions:
                raise ComputeError("InvalidParameterValue", f"Invalid availability zone: [{zone}]")
        region = self._region_name()
        filters = call.params.filters()
        zones = [
            zone for zone in self.partitions
            if (not wanted or zone in wanted)
            and _filtered({"zone-name": zone, "state": "available", "region-name": region},
                          filters)
        ]
        if VERBOSE in asked and call.caller.is_admin:
            # The administrator's capacity view: a line per zone, then one per instance type.
            lines = [line for zone in zones for line in self._capacity_lines(zone)]
            return [("availabilityZoneInfo", Items("item", lines))]
        items: list[Fields] = [
            [("zoneName", zone), ("zoneState", "available"), ("regionName", region),
             ("messageSet", Items("item", []))]
            for zone in zones
        ]
        return [("availabilityZoneInfo", Items("item", items))]

    def _capacity_lines(self, zone: str) -> list[Fields]:
        _, services = self.topology()
        cluster = next((v for v in services
                        if v.component.name == "cluster" and v.partition == zone), None)
        with self._lock:
            types = list(self._types.values())
        lines = [(zone, f"{cluster.host} {cluster.full_name}" if cluster else ""),
                 ("|- vm types", "free / max   cpu   ram  disk")]
        for vm in types:
            most = _capacity(vm)
            lines.append((f"|- {vm.name}",
                          f"{most:04d} / {most:04d}  {vm.cpu:2d}   {vm.memory:4d}  {vm.disk:4d}"))
        return [[("zoneName", name), ("zoneState", state), ("regionName", "")]
                for name, state in lines]

    def _describe_regions(self, call: AwsCall) -> Fields:
        name = self._region_name() or "eucalyptus"
        _, services = self.topology()
        # The server keeps one endpoint per region and service type, the first by URL.
        urls = sorted(v.uri for v in services if v.component.name == "compute")
        values = {"region-name": name, "endpoint": urls[0] if urls else ""}
        names = call.params.strings("RegionName")
        if (names and name not in names) or not _filtered(values, call.params.filters()):
            return [("regionInfo", Items("item", []))]
        region: Fields = [("regionName", name), ("regionEndpoint", values["endpoint"])]
        return [("regionInfo", Items("item", [region]))]

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
            most = _capacity(vm)
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


def _capacity(vm: InstanceType) -> int:
    """How many instances of a type one zone holds."""
    return min(ZONE_CORES // vm.cpu, ZONE_MEMORY_MIB // vm.memory, ZONE_DISK_GIB // vm.disk)


def _filtered(values: dict[str, str], filters: list[tuple[str, list[str]]]) -> bool:
    """Whether a zone or region passes EC2 filters (values ORed, filters ANDed)."""
    for name, wanted in filters:
        if name not in values:
            raise ComputeError("InvalidParameterValue", f"The filter '{name}' is invalid")
        if values[name] not in wanted:
            return False
    return True


def _without_verbose(pairs: Sequence[tuple[str, str]],
                     names: Sequence[str]) -> tuple[list[tuple[str, str]], bool]:
    """The parameters with ``verbose`` taken out of the id lists ``names`` (renumbered), and
    whether it was there."""
    if not names:
        return list(pairs), False
    lists = re.compile("(" + "|".join(map(re.escape, names)) + r")\.(\d+)$")
    kept: list[tuple[str, str]] = []
    ids: dict[str, list[str]] = {}
    found = False
    for key, value in pairs:
        match = lists.match(key)
        if match is None:
            kept.append((key, value))
        elif value == VERBOSE:
            found = True
        else:
            ids.setdefault(match.group(1), []).append(value)
    for name, values in ids.items():
        kept += [(f"{name}.{i}", value) for i, value in enumerate(values, 1)]
    return kept, found


def _gathered(bodies: list[bytes], element: str) -> bytes:
    """The first answer, its list ``element`` holding the items of every answer."""
    tag = element.encode()
    pattern = re.compile(rb"<%s>(.*?)</%s>|<%s/>" % (tag, tag, tag), re.S)
    items = b"".join(m.group(1) or b"" for body in bodies if (m := pattern.search(body)))
    return pattern.sub(lambda _: b"<%s>%s</%s>" % (tag, items, tag), bodies[0], count=1)
