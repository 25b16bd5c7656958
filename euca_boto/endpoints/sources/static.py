"""Static endpoints: the URLs the profile names for a service.

In order: botocore's own configured endpoint (``AWS_ENDPOINT_URL_<SERVICE>``, the profile's
``services`` section, ``endpoint_url``), then ``euca_endpoint_urls``, then ``euca_endpoint``;
base URLs without a path get the service's Eucalyptus path. A user name and password in a URL
are dropped: botocore never sends them, and what the endpoints are known by reaches logs and
the local state file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from euca_boto.core.botocore_access import configured_endpoint_url
from euca_boto.core.urls import without_userinfo
from euca_boto.endpoints.model import STATIC, Endpoint, dns_label, normalize, service_url
from euca_boto.errors import ConfigError

if TYPE_CHECKING:
    import botocore.session


def configured_url(botocore_session: botocore.session.Session, service: str) -> str | None:
    """The endpoint botocore itself would give a new client of ``service``, if any."""
    return configured_endpoint_url(botocore_session, service)


def static_endpoints(
    service: str, settings: Mapping[str, Any], configured: str | None
) -> tuple[Endpoint, ...]:
    """The service's static endpoints, in the profile's order, without duplicates."""
    urls: list[str] = []
    if configured:
        urls.append(normalize(configured))
    for raw in (*(settings.get("euca_endpoint_urls") or ()), settings.get("euca_endpoint")):
        if raw:
            url = service_url(raw, service)
            if url is not None:
                urls.append(url)
    return tuple(Endpoint(url, STATIC) for url in dict.fromkeys(map(without_userinfo, urls)))


def require_endpoint(botocore_session: botocore.session.Session, service: str,
                     settings: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigError` when nothing in the profile points ``service`` at a cloud.

    botocore would then call its AWS endpoint (``*.amazonaws.com``), which no Eucalyptus
    command means; a DNS or topology-driven profile finds its endpoints elsewhere.
    """
    if settings["euca_topology"] != "static" and dns_label(service) is not None:
        return
    if static_endpoints(service, settings, configured_url(botocore_session, service)):
        return
    raise no_endpoint(botocore_session, service)


def no_endpoint(botocore_session: botocore.session.Session, service: str) -> ConfigError:
    """The error of a ``service`` that nothing in the session's profile points at a cloud."""
    profile = botocore_session.profile or "default"
    return ConfigError(
        f"euca_endpoint is not set for profile {profile!r}, and nothing else names an endpoint "
        f"for {service}: add euca_endpoint = https://<cloud host>:8773/ to the profile")
