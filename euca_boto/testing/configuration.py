"""The Configuration service's legacy registration actions (reference §5): ``Register<X>``,
``Deregister<X>``, ``Describe<X>s`` per component type, and ``DescribeComponents``.

They act on the same service registry as Empyrean, so a cluster registered here shows in
DescribeServices. Unlike Empyrean, ``Register<X>`` needs ``Port`` on this path, and failures are
reported in-band in ``statusMessage``.
"""

from __future__ import annotations

from collections.abc import Callable

from .admin import ActionContext, Fields, Handler, InBandFailure, require_admin
from .registry import RegistryError
from .topology import ServiceView
from .wire import Struct

# The X of the action names, its component type and its Describe action's name (§5).
FAMILIES: tuple[tuple[str, str, str], ...] = (
    ("Cluster", "cluster", "DescribeClusters"),
    ("StorageController", "storage", "DescribeStorageControllers"),
    ("NodeController", "node", "DescribeNodeControllers"),
    ("ObjectStorageGateway", "objectstorage", "DescribeObjectStorageGateways"),
    ("WalrusBackend", "walrusbackend", "DescribeWalrusBackends"),
    ("Eucalyptus", "eucalyptus", "DescribeEucalyptus"),
    ("Compute", "compute", "DescribeCompute"),
    ("Euare", "euare", "DescribeEuare"),
    ("Tokens", "tokens", "DescribeTokens"),
    ("CloudWatch", "cloudwatch", "DescribeCloudWatch"),
    ("AutoScaling", "autoscaling", "DescribeAutoScaling"),
    ("LoadBalancing", "loadbalancing", "DescribeLoadBalancing"),
    ("CloudFormation", "cloudformation", "DescribeCloudFormation"),
    ("Imaging", "imaging", "DescribeImaging"),
    ("Dns", "dns", "DescribeDns"),
    ("Identity", "identity", "DescribeIdentity"),
    ("SimpleQueue", "simplequeue", "DescribeSimpleQueue"),
    ("SimpleWorkflow", "simpleworkflow", "DescribeSimpleWorkflow"),
    ("Portal", "portal", "DescribePortal"),
    ("Tag", "tag", "DescribeTag"),
    ("Ec2Reports", "ec2reports", "DescribeEc2Reports"),
    ("Cassandra", "cassandra", "DescribeCassandra"),
    ("ClusterService", "clusterservice", "DescribeClusterServices"),
)


def _failure(message: str) -> InBandFailure:
    return InBandFailure([("statusMessage", message)])


def register(type_name: str) -> Handler:
    def handler(ctx: ActionContext) -> Fields:
        require_admin(ctx)
        p = ctx.params
        missing = [n for n in ("Name", "Host", "Port") if not p.get(n)]
        if missing:
            raise _failure(f"Missing required parameter(s): {', '.join(missing)}")
        port = p.get("Port") or ""
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise _failure(f"Invalid Port {port!r}: expected 1-65535")
        try:
            ctx.registry.register(
                ctx.topology,
                type_name=type_name,
                name=p.get("Name") or "",
                host=p.get("Host") or "",
                port=int(port),
                partition=p.get("Partition"),
                # Configuration registers any known type, registrable through Empyrean or not.
                any_type=True,
            )
        except RegistryError as exc:
            raise _failure(str(exc)) from exc
        return []

    return handler


def deregister(type_name: str) -> Handler:
    def handler(ctx: ActionContext) -> Fields:
        require_admin(ctx)
        name = ctx.params.get("Name")
        if not name:
            raise _failure("Missing required parameter: Name")
        partition = ctx.params.get("Partition")
        views = [v for v in ctx.topology if not partition or v.partition == partition]
        try:
            ctx.registry.deregister(views, name, type_name)
        except RegistryError as exc:
            raise _failure(str(exc)) from exc
        return []

    return handler


def describe(wanted: Callable[[ActionContext, ServiceView], bool]) -> Handler:
    def handler(ctx: ActionContext) -> Fields:
        require_admin(ctx)
        verbose = ctx.params.boolean("Verbose")
        return [("registered", [_registered(v, verbose) for v in ctx.topology if wanted(ctx, v)])]

    return handler


def _registered(view: ServiceView, verbose: bool) -> Struct:
    return Struct(
        [
            ("type", view.component.name),
            ("partition", view.partition),
            ("name", view.name),
            ("hostName", view.host),
            ("fullName", view.full_name),
            ("state", view.state),
            ("detail", view.uri if verbose else None),
        ]
    )


def _of_type(type_name: str) -> Callable[[ActionContext, ServiceView], bool]:
    return lambda ctx, view: view.component.name == type_name


ACTIONS: dict[str, Handler] = {
    "DescribeComponents": describe(lambda ctx, view: view.endpoint == ctx.endpoint),
    **{f"Register{x}": register(type_name) for x, type_name, _ in FAMILIES},
    **{f"Deregister{x}": deregister(type_name) for x, type_name, _ in FAMILIES},
    **{action: describe(_of_type(type_name)) for _, type_name, action in FAMILIES},
}
