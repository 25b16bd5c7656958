"""What the endpoint package talks about: an endpoint, where it came from, and its errors.

An :class:`Endpoint` is one URL of one service (``http://10.0.0.5:8773/services/compute``) with
what its source knows about it: the partition (zone) it is in, and for DNS SRV records its
priority and weight.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

from euca_boto.core.records import Record
from euca_boto.core.services import BY_CLIENT, SERVICES
from euca_boto.errors import CallError

# The source names an endpoint can carry (shown by ``euca-boto endpoints``).
STATIC = "static"
DNS = "dns"
DNS_SRV = "dns-srv"
DESCRIBE_SERVICES = "describe-services"

# Eucalyptus DNS answers these AWS names as well as its component names (reference §9.1).
_AWS_DNS_LABELS = {"ec2": "ec2", "euca-ec2": "ec2", "iam": "iam", "sts": "sts", "s3": "s3"}


class EndpointError(CallError):
    """No endpoint could be found for a service (a DNS or topology lookup failed)."""


class Endpoint(Record):
    """One URL of one service. ``url`` has no trailing slash; ``priority`` (lower first) and
    ``weight`` (higher gets more calls) come from DNS SRV records, else 0 and 1."""

    __slots__ = ("url", "source", "partition", "priority", "weight")

    def __init__(self, url: str, source: str, partition: str | None = None, priority: int = 0,
                 weight: int = 1) -> None:
        self.url: Final = url
        self.source: Final = source
        self.partition: Final = partition
        self.priority: Final = priority
        self.weight: Final = weight


def normalize(url: str) -> str:
    """A URL as endpoints are compared: without a trailing slash."""
    return url.rstrip("/")


def service_path(service: str) -> str | None:
    """The URL path of a service on a Eucalyptus host, or None for a service euca-boto does
    not know."""
    known = BY_CLIENT.get(service)
    return known.path if known else None


def component_type(service: str) -> str | None:
    """The Eucalyptus component type DescribeServices lists a service under (``compute``)."""
    known = BY_CLIENT.get(service)
    return known.labels[0] if known else None


def dns_label(service: str) -> str | None:
    """The first label of the service's Eucalyptus DNS name (``ec2``, ``bootstrap``)."""
    if service in _AWS_DNS_LABELS:
        return _AWS_DNS_LABELS[service]
    return component_type(service)


def service_url(url: str, service: str) -> str | None:
    """The service's URL on the host ``url`` names: a URL with a path is the service's URL
    already; a bare base URL gets the service's path. None if the path is unknown."""
    parts = urlsplit(url)
    if parts.path not in ("", "/"):
        return normalize(url)
    path = service_path(service)
    if path is None:
        return None
    return f"{parts.scheme}://{parts.netloc}{path}"


def known_services() -> list[str]:
    """The client names whose URL paths euca-boto knows."""
    return [s.client for s in SERVICES]
