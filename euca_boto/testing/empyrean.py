"""Empyrean actions beyond DescribeServices: service state changes, registration, the service
type catalog and service certificates (reference §3.2-§3.6)."""

from __future__ import annotations

import base64
import hashlib

from .admin import (
    ActionContext,
    Fields,
    InBandFailure,
    ServiceError,
    require_admin,
    service_id,
)
from .certificates import der_to_pem, service_certificate
from .registry import RegistryError
from .topology import CATALOG, ComponentType
from .wire import Struct


def modify_service(ctx: ActionContext) -> Fields:
    require_admin(ctx)
    name, state = ctx.params.get("Name"), ctx.params.get("State")
    if not name or not state:
        missing = "Name" if not name else "State"
        raise ServiceError("ModifyServiceType", f"Missing required parameter: {missing}")
    try:
        ctx.registry.modify(ctx.topology, name, state)
    except RegistryError as exc:
        raise ServiceError("ModifyServiceType", str(exc)) from exc
    return []


def register_service(ctx: ActionContext) -> Fields:
    require_admin(ctx)
    p = ctx.params
    required = [n for n in ("Type", "Name", "Host") if not p.get(n)]
    if required:
        raise InBandFailure(
            [("statusMessages", [f"Missing required parameter(s): {', '.join(required)}"])]
        )
    port = _port(p.get("Port"))
    try:
        created = ctx.registry.register(
            ctx.topology,
            type_name=p.get("Type") or "",
            name=p.get("Name") or "",
            host=p.get("Host") or "",
            port=port,
            partition=p.get("Partition"),
        )
    except RegistryError as exc:
        raise InBandFailure([("statusMessages", [str(exc)])]) from exc
    return [
        ("statusMessages", [f"Registered {view.full_name}" for view in created]),
        ("registeredServices", [service_id(view) for view in created]),
    ]


def deregister_service(ctx: ActionContext) -> Fields:
    require_admin(ctx)
    name = ctx.params.get("Name")
    if not name:
        raise InBandFailure([("statusMessages", ["Missing required parameter: Name"])])
    try:
        view = ctx.registry.deregister(ctx.topology, name, ctx.params.get("Type"))
    except RegistryError as exc:
        raise InBandFailure([("statusMessages", [str(exc)])]) from exc
    return [
        ("statusMessages", [f"Deregistered {view.full_name}"]),
        ("deregisteredServices", [service_id(view)]),
    ]


def _port(text: str | None) -> int | None:
    if not text:
        return None
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise InBandFailure([("statusMessages", [f"Invalid Port {text!r}: expected 1-65535"])])
    return int(text)


def describe_available_service_types(ctx: ActionContext) -> Fields:
    require_admin(ctx)
    # The server's reply carries statusMessages too (empty when all is well).
    return [("statusMessages", []), ("available", [_service_type(c) for c in CATALOG])]


def _service_type(component: ComponentType) -> Struct:
    return Struct(
        [
            ("componentName", component.name),
            ("componentCapitalizedName", component.capitalized_name),
            ("description", component.description),
            ("hasCredentials", component.has_credentials),
            ("registerable", component.registerable),
            ("requiresName", component.registerable),
            ("partitioned", component.partitioned),
            ("publicApiService", component.public),
            ("serviceGroups", list(component.groups)),
            ("serviceGroupMembers", list(component.members)),
        ]
    )


# Java's names for the digests FingerprintDigest accepts (§3.6).
DIGESTS = {
    "SHA-1": "sha1",
    "SHA-224": "sha224",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


def describe_service_certificates(ctx: ActionContext) -> Fields:
    # A user operation: any caller, only public services (§2.4, §3.6).
    code = "DescribeServiceCertificatesType"
    form = (ctx.params.get("Format") or "pem").lower()
    if form not in ("pem", "der"):
        raise ServiceError(code, f"Invalid Format {form!r}: expected pem or der")
    digest_name = (ctx.params.get("FingerprintDigest") or "SHA-256").upper()
    digest = DIGESTS.get(digest_name)
    if digest is None:
        raise ServiceError(
            code,
            f"Invalid FingerprintDigest {digest_name!r}: expected one of {', '.join(DIGESTS)}",
        )
    items = []
    for component in CATALOG:
        for usage in component.certificate_usages if component.public else ():
            if not _certificate_matches(component.name, usage, ctx.params.filters()):
                continue
            der = service_certificate(component.name)
            fingerprint = hashlib.new(digest, der).hexdigest().upper()
            items.append(
                Struct(
                    [
                        ("serviceType", component.name),
                        ("certificateUsage", usage),
                        ("certificateFormat", form),
                        (
                            "certificate",
                            der_to_pem(der) if form == "pem" else base64.b64encode(der).decode(),
                        ),
                        (
                            "certificateFingerprint",
                            ":".join(fingerprint[i : i + 2] for i in range(0, len(fingerprint), 2)),
                        ),
                        ("certificateFingerprintDigest", digest_name),
                    ]
                )
            )
    return [("serviceCertificates", items)]


def _certificate_matches(
    service_type: str, usage: str, filters: list[tuple[str, list[str]]]
) -> bool:
    have = {"service-type": service_type, "certificate-usage": usage}
    # As for DescribeServices: values ORed, filters ANDed, an unknown filter matches nothing.
    return all(name in have and have[name] in wanted for name, wanted in filters)
