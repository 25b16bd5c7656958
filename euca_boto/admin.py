"""A higher-level client for what Eucalyptus cloud admins do most.

``Cloud(session)`` is built on the plain ``euserv``, ``euprop`` and ``iam`` clients: a health
summary of the cloud's services, cloud properties as a mapping, waiting for a service to reach a
state, and creating an account together with its admin's access key.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

from euca_boto.errors import EucaBotoError

# Properties whose values are JSON documents (reference §4.2); they are parsed on read.
JSON_PROPERTIES = frozenset({
    "authentication.ldap_integration_configuration",
    "cloud.network.network_configuration",
    "cloudformation.swf_client_config",
    "cloudformation.swf_workflow_worker_config",
    "region.region_configuration",
})


class ServiceWaitTimeout(EucaBotoError, TimeoutError):
    """A service did not reach the wanted state in time."""


@dataclass(frozen=True)
class HealthRow:
    """How many services of one type, in one partition, are in one state."""

    type: str
    partition: str
    state: str
    count: int


class Properties(MutableMapping[str, Any]):
    """Cloud properties as a mapping: read, set (``props[name] = value``), reset.

    Values of the JSON-valued properties come back parsed; setting one accepts a dict or list
    and sends it as JSON. Deleting a property resets it to its default.
    """

    def __init__(self, euprop: Any) -> None:
        self._euprop = euprop

    def _describe(self, prefixes: list[str]) -> list[dict[str, Any]]:
        return list(self._euprop.describe_properties(Properties=prefixes)["Properties"])

    def __getitem__(self, name: str) -> Any:
        for prop in self._describe([name]):
            if prop["Name"] == name:
                return _decode(name, prop.get("Value", ""))
        raise KeyError(name)

    def __setitem__(self, name: str, value: Any) -> None:
        text = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
        self._euprop.modify_property_value(Name=name, Value=text)

    def __delitem__(self, name: str) -> None:
        self.reset(name)

    def reset(self, name: str) -> Any:
        """Reset ``name`` to its default; returns the value now in force."""
        answer = self._euprop.modify_property_value(Name=name, Reset=True)
        return _decode(name, answer.get("Value", ""))

    def __iter__(self) -> Iterator[str]:
        return iter([prop["Name"] for prop in self._describe([])])

    def __len__(self) -> int:
        return len(self._describe([]))

    def with_prefix(self, prefix: str) -> dict[str, Any]:
        """Every property whose name starts with ``prefix`` (one call)."""
        return {p["Name"]: _decode(p["Name"], p.get("Value", "")) for p in self._describe([prefix])}


def _decode(name: str, value: str) -> Any:
    if name in JSON_PROPERTIES and value.strip():
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class Cloud:
    """Admin tasks over an installed session's ``euserv``, ``euprop`` and ``iam`` clients."""

    def __init__(
        self,
        session: Any,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.euserv = session.client("euserv")
        self.euprop = session.client("euprop")
        self.iam = session.client("iam")
        self.properties = Properties(self.euprop)
        self._clock, self._sleep = clock, sleep

    def services(self) -> list[dict[str, Any]]:
        """Every service the cloud reports (DescribeServices with ListAll)."""
        return list(self.euserv.describe_services(ListAll=True)["ServiceStatuses"])

    def health(self) -> list[HealthRow]:
        """Services counted by type, partition and state, sorted for display."""
        counts = Counter(
            (
                status["ServiceId"].get("Type", "?"),
                status["ServiceId"].get("Partition", "-") or "-",
                status.get("LocalState", "?"),
            )
            for status in self.services()
        )
        return [HealthRow(t, p, s, n) for (t, p, s), n in sorted(counts.items())]

    def wait_for_service(
        self, name: str, state: str = "ENABLED", timeout: float = 300.0, interval: float = 5.0
    ) -> dict[str, Any]:
        """Poll until the service ``name`` is in ``state``; returns its status.

        Raises :class:`ServiceWaitTimeout` naming the last state seen.
        """
        deadline = self._clock() + timeout
        last = "unknown"
        while True:
            statuses = self.euserv.describe_services(ServiceNames=[name])["ServiceStatuses"]
            for status in statuses:
                last = status.get("LocalState", last)
                if last.upper() == state.upper():
                    return dict(status)
            if self._clock() + interval > deadline:
                raise ServiceWaitTimeout(
                    f"service {name!r} did not reach {state} within {timeout:g} s "
                    f"(last state: {last})"
                )
            self._sleep(interval)

    def create_account(self, name: str) -> dict[str, str]:
        """Create an account and an access key for its ``admin`` user, in one call.

        Returns ``AccountName``, ``AccountId``, ``AccessKeyId`` and ``SecretAccessKey``.
        """
        account = self.iam.create_account(AccountName=name)["Account"]
        key = self.iam.create_access_key(UserName="admin", DelegateAccount=account["AccountId"])
        return {
            "AccountName": account["AccountName"],
            "AccountId": account["AccountId"],
            "AccessKeyId": key["AccessKey"]["AccessKeyId"],
            "SecretAccessKey": key["AccessKey"]["SecretAccessKey"],
        }


def format_health(rows: list[HealthRow]) -> str:
    """The health summary as a plain-text table."""
    header = ("TYPE", "PARTITION", "STATE", "COUNT")
    table = [header] + [(r.type, r.partition, r.state, str(r.count)) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in table
    )
