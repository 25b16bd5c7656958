"""The names a Eucalyptus service goes by: boto3 client name, DNS labels and URL path.

boto3 names a client after the IAM policy vendor (``euprop``); Eucalyptus DNS and the service's
nested block in ``~/.aws/config`` may use the component's DNS label (``properties``). One table
keeps the two in step.

Standard library only, and no dataclass: the start-up of ``euca-boto run`` reads this table.
"""

from __future__ import annotations


class ServiceName:
    """One service: its boto3 client name, its Eucalyptus DNS labels, its URL path."""

    __slots__ = ("client", "labels", "path")

    def __init__(self, client: str, labels: tuple[str, ...], path: str) -> None:
        self.client = client
        self.labels = labels
        self.path = path

    def __repr__(self) -> str:
        return f"ServiceName({self.client!r}, {self.labels!r}, {self.path!r})"


SERVICES: tuple[ServiceName, ...] = (
    ServiceName("euserv", ("bootstrap", "bootstrap-admin", "empyrean"), "/services/Empyrean"),
    ServiceName("euprop", ("properties",), "/services/Properties"),
    ServiceName("euconfig", ("configuration",), "/services/Configuration"),
    ServiceName("ec2", ("compute", "eucalyptus"), "/services/compute"),
    ServiceName("euca-ec2", ("compute",), "/services/compute"),
    ServiceName("iam", ("euare",), "/services/Euare"),
    ServiceName("sts", ("tokens",), "/services/Tokens"),
    ServiceName("s3", ("objectstorage", "walrus"), "/services/objectstorage"),
)

BY_CLIENT: dict[str, ServiceName] = {s.client: s for s in SERVICES}


def block_names(service: str) -> list[str]:
    """Names under which a nested ``~/.aws/config`` block applies to ``service``, strongest first.

    ``service`` may be a client name or a DNS label; unknown names stand for themselves.
    """
    known = BY_CLIENT.get(service)
    if known is None:
        for candidate in SERVICES:
            if service in candidate.labels:
                known = candidate
                break
    if known is None:
        return [service]
    return [known.client, *known.labels]
