"""Polling: list every tracked resource of each account and turn the listings into changes.

One ``Poller`` holds a boto3 session per profile (installed euca-boto sessions, so the plugin's
retries, breakers and endpoint selection apply). A poll lists each resource type of each account
completely and hands the listing to the store, which diffs it against the last known states in
one transaction. A listing that fails is skipped, never taken as "everything is gone".
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from euca_boto.tracker.model import INSTANCE, RESOURCE_TYPES, SERVICE, VOLUME, ZONE, Change
from euca_boto.tracker.replicas import Replica
from euca_boto.tracker.store.base import SqlStore

log = logging.getLogger("euca_boto.tracker.poller")

Listing = Callable[["Account"], dict[str, str]]  # an account -> {resource id: state}
Clock = Callable[[], float]

# Error codes with which a cloud says "not for you": the profile is not a cloud administrator.
_NOT_ALLOWED = frozenset({
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "NotAuthorized",
    "403 Forbidden",
})


@dataclass
class Account:
    """One polled profile: its session, the account it belongs to, what it may list."""

    session: Any
    account: str
    profile: str
    resource_types: list[str] = field(default_factory=list)
    _clients: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        """The profile's client of ``service``, made once (boto3 clients are thread safe)."""
        if service not in self._clients:
            self._clients[service] = self.session.client(service)
        return self._clients[service]


def list_instances(account: Account) -> dict[str, str]:
    states: dict[str, str] = {}
    for page in account.client("ec2").get_paginator("describe_instances").paginate():
        for reservation in page.get("Reservations", ()):
            for instance in reservation.get("Instances", ()):
                states[instance["InstanceId"]] = instance["State"]["Name"]
    return states


def list_volumes(account: Account) -> dict[str, str]:
    states: dict[str, str] = {}
    for page in account.client("ec2").get_paginator("describe_volumes").paginate():
        for volume in page.get("Volumes", ()):
            states[volume["VolumeId"]] = volume["State"]
    return states


def list_zones(account: Account) -> dict[str, str]:
    zones = account.client("ec2").describe_availability_zones()["AvailabilityZones"]
    return {zone["ZoneName"]: zone.get("State", "available") for zone in zones}


def list_services(account: Account) -> dict[str, str]:
    """Eucalyptus services by full name (ARN) -> DescribeServices' localState."""
    statuses = account.client("euserv").describe_services(ListAll=True)["ServiceStatuses"]
    states = {}
    for status in statuses:
        service_id = status["ServiceId"]
        key = service_id.get("FullName") or service_id["Name"]
        states[key] = status["LocalState"]
    return states


LISTINGS: dict[str, Listing] = {
    INSTANCE: list_instances,
    VOLUME: list_volumes,
    ZONE: list_zones,
    SERVICE: list_services,
}


@dataclass(frozen=True)
class PollReport:
    """What one poll did: the changes recorded and the listings that failed."""

    changes: list[Change]
    errors: list[str]
    duration: float
    scopes: list[str] = field(default_factory=list)  # "account/type" polled by this process


class Poller:
    """Polls every account's resources into the store. A poll never overlaps another: a
    ``poll()`` called while one runs returns None at once."""

    def __init__(
        self,
        store: SqlStore,
        sessions: Sequence[Any],
        resource_types: Iterable[str] = RESOURCE_TYPES,
        clock: Clock = time.time,
        listings: Mapping[str, Listing] | None = None,
        replica: Replica | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.replica = replica
        self.listings = dict(LISTINGS if listings is None else listings)
        types = list(resource_types)
        unknown = [t for t in types if t not in self.listings]
        if unknown:
            raise ValueError(
                f"unknown resource types {unknown}; known: {', '.join(self.listings)}"
            )
        self._sessions = list(sessions)
        self._types = types
        self._accounts: list[Account] | None = None
        self._running = threading.Lock()

    @property
    def accounts(self) -> list[Account]:
        """The polled accounts, learned from each session's GetCallerIdentity on first use."""
        if self._accounts is None:
            self._accounts = [
                Account(
                    session=session,
                    account=session.client("sts").get_caller_identity()["Account"],
                    profile=session.profile_name,
                    resource_types=list(self._types),
                )
                for session in self._sessions
            ]
        return self._accounts

    def poll(self) -> PollReport | None:
        """List everything once and record the changes; None if a poll is already running."""
        if not self._running.acquire(blocking=False):
            return None
        try:
            return self._poll()
        finally:
            self._running.release()

    def _poll(self) -> PollReport:
        started = time.monotonic()
        changes: list[Change] = []
        errors: list[str] = []
        mine: set[tuple[str, str]] | None = None
        polled: list[str] = []
        if self.replica is not None:
            # Trackers sharing the store split the scopes; this one polls its share.
            mine = set(self.replica.claim_scopes(
                [(a.account, t) for a in self.accounts for t in a.resource_types]))
        for account in self.accounts:
            for resource_type in list(account.resource_types):
                if mine is not None and (account.account, resource_type) not in mine:
                    continue
                polled.append(f"{account.account}/{resource_type}")
                try:
                    states = self.listings[resource_type](account)
                except ClientError as error:
                    code = error.response.get("Error", {}).get("Code", "")
                    if resource_type == SERVICE and code in _NOT_ALLOWED:
                        # Only cloud administrators may list services; stop asking.
                        account.resource_types.remove(resource_type)
                        log.info("profile %s may not list Eucalyptus services (%s); "
                                 "not tracking them", account.profile, code)
                        continue
                    errors.append(f"{account.profile}/{resource_type}: {error}")
                    continue
                except BotoCoreError as error:
                    errors.append(f"{account.profile}/{resource_type}: {error}")
                    continue
                changes += self.store.apply(account.account, resource_type, states, self.clock())
        for problem in errors:
            log.warning("listing failed, kept the last known states: %s", problem)
        return PollReport(changes, errors, time.monotonic() - started, polled)
