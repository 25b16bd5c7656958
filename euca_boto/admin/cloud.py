"""A higher-level client for what Eucalyptus cloud admins do most.

``Cloud(session)`` is built on the plain ``euserv``, ``euprop`` and ``iam`` clients: a health
summary of the cloud's services, cloud properties as a mapping, waiting for a service to reach a
state, and creating an account together with its admin's access key.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from euca_boto.admin.properties import Properties
from euca_boto.errors import EucaBotoError


class ServiceWaitTimeout(EucaBotoError, TimeoutError):
    """A service did not reach the wanted state in time."""


@dataclass(frozen=True)
class HealthRow:
    """How many services of one type, in one partition, are in one state."""

    type: str
    partition: str
    state: str
    count: int


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

    def service_status(self, name: str) -> dict[str, Any] | None:
        """The status of the service ``name`` (a name or full name), wherever it runs; None
        when the cloud has no such service."""
        # Without ListAll the server matches the name only among the services it lists by
        # default, which leaves out admin services and other hosts' public ones.
        statuses = self.euserv.describe_services(ServiceNames=[name], ListAll=True)[
            "ServiceStatuses"]
        return dict(statuses[0]) if statuses else None

    def wait_for_service(
        self,
        name: str,
        state: str | Iterable[str] = "ENABLED",
        timeout: float = 300.0,
        interval: float = 5.0,
    ) -> dict[str, Any]:
        """Poll until the service ``name`` (a name or full name) is in ``state``, or in one of
        several states; returns its status. The service is looked for wherever it runs.

        Raises :class:`ServiceWaitTimeout` naming the last state seen.
        """
        wanted = {state.upper()} if isinstance(state, str) else {s.upper() for s in state}
        deadline = self._clock() + timeout
        last = "unknown"
        while True:
            status = self.service_status(name)
            if status is not None:
                last = status.get("LocalState", last)
                if last.upper() in wanted:
                    return status
            if self._clock() + interval > deadline:
                raise ServiceWaitTimeout(
                    f"service {name!r} did not reach {' or '.join(sorted(wanted))} within "
                    f"{timeout:g} s (last state: {last})"
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
