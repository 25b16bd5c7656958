"""What every Eucalyptus admin action handler works with, and the DescribeServices and
Properties handlers.

A handler takes an ``ActionContext`` (the decoded parameters, the caller, the cloud's state) and
returns the response fields in wire order; ``wire.render_response`` does the rest. It raises
``ServiceError`` for an error document and ``InBandFailure`` for an HTTP 200 answer with
``_return`` false (§2.3). The dispatch table is ``actions.ACTIONS``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .accounts import SYSTEM_ACCOUNT_PREFIX, canonical_id, system_account_id
from .properties import HIDDEN_VALUE, PropertyError, PropertyStore
from .registry import STATES, ServiceRegistry
from .signing import Credentials
from .topology import ServiceView
from .wire import Struct, Value

Fields = list[tuple[str, Value]]


class ServiceError(Exception):
    """A failure inside a service: answered in the §2.3 form with this code and HTTP status."""

    def __init__(self, code: str, message: str, status: int = 400, pipeline: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        # Pipeline failures (routing, authentication) are answered as text/plain (§2.3).
        self.pipeline = pipeline


class InBandFailure(Exception):
    """A failure reported in-band: HTTP 200, ``_return`` false, these fields (§2.3)."""

    def __init__(self, fields: Fields) -> None:
        super().__init__(fields)
        self.fields = fields


class QueryParams:
    """Decoded request parameters read the way Eucalyptus' query binding reads them (§2.1)."""

    def __init__(self, pairs: Sequence[tuple[str, str]]) -> None:
        self._values: dict[str, str] = {}
        for name, value in pairs:
            self._values.setdefault(name, value)

    def get(self, name: str) -> str | None:
        return self._values.get(name)

    def boolean(self, name: str) -> bool:
        # Java Boolean.valueOf: "true" in any case is true, anything else false.
        return (self._values.get(name) or "").lower() == "true"

    def strings(self, name: str) -> list[str]:
        """``Name.1``, ``Name.2``, ... in numeric order, or a single un-indexed ``Name``."""
        indexed = _indexed(self._values, name)
        if indexed:
            return [value for _, value in indexed]
        single = self._values.get(name)
        return [] if single is None else [single]

    def filters(self) -> list[tuple[str, list[str]]]:
        """``Filter.N.Name`` with its ``Filter.N.Value.M`` values, in N order."""
        result = []
        for index, filter_name in _indexed(self._values, "Filter", suffix=".Name"):
            result.append((filter_name, self.strings(f"Filter.{index}.Value")))
        return result


def _indexed(values: dict[str, str], name: str, suffix: str = "") -> list[tuple[int, str]]:
    pattern = re.compile(re.escape(name) + r"\.(\d{1,7})" + re.escape(suffix) + "$")
    found = [(int(m.group(1)), v) for k, v in values.items() if (m := pattern.match(k))]
    return sorted(found)


@dataclass
class ActionContext:
    """Everything an action handler may look at."""

    action: str
    params: QueryParams
    caller: Credentials
    endpoint: int
    epoch: int
    topology: list[ServiceView]
    properties: PropertyStore
    registry: ServiceRegistry


Handler = Callable[[ActionContext], Fields]


# DescribeServices (§3.1) -------------------------------------------------------------------


def _component_filter(name: str, view: ServiceView) -> list[str] | None:
    component = view.component
    flags = {
        "internal": component.internal,
        "public": component.public,
        "user-service": component.user_service,
        "service-group-member": bool(component.groups),
    }
    if name in flags:
        return ["true" if flags[name] else "false"]
    values = {
        "service-type": [component.name],
        "service-group": list(component.groups),
        "certificate-usage": list(component.certificate_usages),
        "host": [view.host],
        "state": [view.state],
        "partition": [view.partition],
    }
    return values.get(name)  # None: an unknown filter name, which matches nothing


def _state(value: str) -> str:
    """A state named in a request, as the server reads it (``Component.State.valueOf`` of the
    upper-cased text): a name that is no state fails the whole request."""
    state = value.upper()
    if state not in STATES:
        raise ServiceError(
            "DescribeServicesType",
            f"No enum constant com.eucalyptus.component.Component.State.{state}",
        )
    return state


def _matches_filters(view: ServiceView, filters: list[tuple[str, list[str]]]) -> bool:
    # Values of one filter are ORed, filters are ANDed.
    for name, wanted in filters:
        have = _component_filter(name, view)
        if have is None or not set(have) & set(wanted):
            return False
    return True


def describe_services(ctx: ActionContext) -> Fields:
    p = ctx.params
    rows = ctx.topology
    if not p.boolean("ListAll"):
        # Without ListAll: the distributed (partition) services, plus this host's Empyrean and
        # public services, plus its co-located admin services when ListUserServices is asked.
        def shown(view: ServiceView) -> bool:
            if view.endpoint is None:
                return True
            if view.endpoint != ctx.endpoint:
                return False
            c = view.component
            return (
                c.name == "bootstrap"
                or c.public
                or (c.user_service and (p.boolean("ListUserServices") or p.boolean("ListInternal")))
            )

        rows = [v for v in rows if shown(v)]
    if not ctx.caller.is_admin:
        rows = [v for v in rows if v.component.public]  # §2.4: non-admins see public services
    names = set(p.strings("ServiceName"))
    if names:
        rows = [v for v in rows if v.name in names or v.full_name in names]
    by_type = p.get("ByServiceType")
    if by_type:
        rows = [v for v in rows if by_type in (v.component.name, *v.component.groups)]
    by_host = p.get("ByHost")
    if by_host:
        rows = [v for v in rows if v.host == by_host]
    by_state = p.get("ByState")
    if by_state:
        wanted_state = _state(by_state)
        rows = [v for v in rows if v.state == wanted_state]
    by_partition = p.get("ByPartition")
    if by_partition:
        rows = [v for v in rows if v.partition == by_partition]
    filters = [
        (name, [_state(v) for v in values] if name == "state" else values)
        for name, values in p.filters()
    ]
    rows = [v for v in rows if _matches_filters(v, filters)]
    events = p.boolean("ShowEvents") or p.boolean("ShowEventStacks")
    items = [
        Struct(
            [
                ("serviceId", service_id(v)),
                ("localState", v.state),
                ("localEpoch", ctx.epoch),
                ("statusDetails", _status_details(ctx, v) if events else None),
                ("serviceAccounts", SERVICE_ACCOUNTS.get(v.component.name)),
            ]
        )
        for v in rows
    ]
    return [("serviceStatuses", items)]


def service_id(view: ServiceView) -> Struct:
    """The ``ServiceId`` structure of a service (§3.1)."""
    return Struct(
        [
            ("partition", view.partition),
            ("name", view.name),
            ("type", view.component.name),
            ("fullName", view.full_name),
            ("uris", [view.uri]),
            ("uri", view.uri),
            ("host", view.host),
        ]
    )


def _status_details(ctx: ActionContext, view: ServiceView) -> list[Struct]:
    return [
        Struct(
            [
                ("severity", event.severity),
                ("uuid", event.uuid),
                ("message", event.message),
                ("serviceFullName", view.full_name),
                ("serviceName", view.name),
                ("serviceHost", view.host),
                ("stackTrace", ""),  # nothing failed inside LocalCloud: no stack to show
                ("timestamp", event.timestamp),
            ]
        )
        for event in ctx.registry.events(view.name)
    ]


# The system accounts tied to a public component (§3.1 serviceAccounts; the server's
# @PublicComponentAccounts).
SERVICE_ACCOUNTS: dict[str, list[Struct]] = {
    component: [
        Struct(
            [
                ("accountName", name),
                ("accountNumber", system_account_id(name)),
                ("accountCanonicalId", canonical_id(name)),
            ]
        )
    ]
    for component, name in (
        ("compute", SYSTEM_ACCOUNT_PREFIX + "aws-exec-read"),
        ("loadbalancing", SYSTEM_ACCOUNT_PREFIX + "loadbalancing"),
        ("portal", SYSTEM_ACCOUNT_PREFIX + "billing"),
    )
}


# Properties (§4) ---------------------------------------------------------------------------


def require_admin(ctx: ActionContext) -> None:
    if not ctx.caller.is_admin:
        raise ServiceError(
            "403 Forbidden",
            f"{ctx.action} is reserved to the cloud administrator (account eucalyptus)",
            status=403,
            pipeline=True,
        )


def describe_properties(ctx: ActionContext) -> Fields:
    require_admin(ctx)
    props = ctx.properties.describe(ctx.params.strings("Property"))
    return [
        (
            "properties",
            [
                Struct(
                    [
                        ("name", prop.name),
                        ("value", prop.shown_value),
                        ("description", prop.description),
                        ("defaultValue", prop.shown_default),
                        ("readOnly", prop.read_only),
                    ]
                )
                for prop in props
            ],
        )
    ]


def modify_property_value(ctx: ActionContext) -> Fields:
    require_admin(ctx)
    # Unlike the other failures, these come from inside the service (EucalyptusCloudException),
    # which the server reports with the request class name as the code (§2.3).
    code = "ModifyPropertyValueType"
    name = ctx.params.get("Name")
    if not name:
        raise ServiceError(code, "Failed to set property: the Name parameter is required")
    if name == "euca":
        # On a real cloud "euca" runs its Value as Groovy code on the server. Never here.
        raise ServiceError(
            code,
            "Failed to set property: LocalCloud does not execute code through the 'euca' property",
        )
    try:
        prop, old = ctx.properties.modify(
            name, ctx.params.get("Value"), ctx.params.boolean("Reset")
        )
    except PropertyError as exc:
        raise ServiceError(code, str(exc)) from exc
    return [
        ("name", prop.name),
        ("value", prop.shown_value),
        ("oldValue", HIDDEN_VALUE if prop.hidden else old),
    ]
