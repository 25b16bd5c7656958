"""``LocalCloud``: a local, Eucalyptus-compatible cloud with fault injection.

Several endpoints, each answering every service, spread over partitions; the Eucalyptus admin
services served in-process (service states, registrations, properties), EC2/IAM/STS/S3 relayed to
moto with Eucalyptus' own IAM, STS and EC2 actions answered beside it (accounts, delegation,
impersonation, instance types); per-endpoint faults and request logs; a control server for
driving it from outside. Use it as moto is used for AWS::

    with LocalCloud() as cloud:
        boto3.client("ec2", endpoint_url=cloud.service_url("ec2"), region_name=cloud.region,
                     aws_access_key_id=cloud.access_key,
                     aws_secret_access_key=cloud.secret_key).describe_instances()
"""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from .accounts import AccountStore
from .compute import Migration
from .control import ControlServer, endpoint_json
from .forward import MotoForwarder
from .frontend import Frontend
from .properties import PropertyStore, seed_properties
from .registry import ServiceRegistry
from .requestlog import RequestRecord
from .routing import SERVICES, lookup
from .server import Endpoint
from .signing import ADMIN_ACCOUNT, CredentialStore
from .topology import EndpointView, ServiceView, partition_names, services

EUCALYPTUS_VERSION = "4.4.2"


class LocalCloud:
    """A local Eucalyptus-compatible cloud on 127.0.0.1.

    ``endpoints`` endpoints (endpoint i in partition ``PARTI{i % partitions:02d}``), each serving
    every service on its own port (``port + i`` when ``port`` is given, else ephemeral).
    ``aws=False`` does without moto; ``msgs_version`` is the server version in the admin
    services' namespace (``None`` gives the bare pre-3.2 ``http://msgs.eucalyptus.com``).
    """

    def __init__(
        self,
        endpoints: int = 3,
        partitions: int = 2,
        region: str = "eucalyptus",
        dns_domain: str = "localcloud.test",
        aws: bool = True,
        *,
        port: int | None = None,
        msgs_version: str | None = EUCALYPTUS_VERSION,
        access_key: str | None = None,
        secret_key: str | None = None,
    ) -> None:
        if endpoints < 1:
            raise ValueError(f"endpoints must be >= 1, got {endpoints}")
        if partitions < 1:
            raise ValueError(f"partitions must be >= 1, got {partitions}")
        if port is not None and not 0 <= port <= 65535 - endpoints:
            raise ValueError(
                f"port must leave room for {endpoints + 1} ports below 65536, got {port}"
            )
        self.region = region
        self.dns_domain = dns_domain
        self.partitions = partition_names(partitions)
        self._port = port or None  # 0 means ephemeral, like None
        self._credentials = CredentialStore()
        self._admin = self._credentials.issue(access_key, secret_key, ADMIN_ACCOUNT, user="admin")
        self.accounts = AccountStore()
        self.registry = ServiceRegistry(on_change=self._bump_epoch)
        self.properties = PropertyStore(
            seed_properties(dns_domain=dns_domain, partitions=self.partitions,
                            version=EUCALYPTUS_VERSION, region=region)
        )
        self._forwarder = MotoForwarder() if aws else None
        self._frontend = Frontend(
            credentials=self._credentials,
            properties=self.properties,
            topology=self.topology,
            registry=self.registry,
            accounts=self.accounts,
            forwarder=self._forwarder,
            msgs_version=msgs_version,
            partitions=self.partitions,
        )
        self._epoch_lock = threading.Lock()
        self._epoch = 1
        self._states: tuple[str, ...] | None = None  # None: not tracking (not started)
        self.endpoints: list[Endpoint] = [
            Endpoint(
                i,
                self.partitions[i % partitions],
                self._frontend,
                port=self._port + i if self._port else 0,
                on_change=self._topology_changed,
            )
            for i in range(endpoints)
        ]
        self._control: ControlServer | None = None

    # Lifecycle --------------------------------------------------------------------------------

    def start(self) -> LocalCloud:
        """Start moto (if ``aws``), every endpoint and the control server."""
        if self._control is not None:
            return self
        try:
            if self._forwarder is not None:
                self._forwarder.start()
            for endpoint in self.endpoints:
                endpoint.start()
            control_port = self._port + len(self.endpoints) if self._port else 0
            self._control = ControlServer(self, control_port)
        except BaseException:
            self.stop()
            raise
        with self._epoch_lock:
            self._states = self._current_states()
        return self

    def stop(self) -> None:
        """Stop everything; returns promptly even with black-holed requests held open."""
        with self._epoch_lock:
            self._states = None
        if self._control is not None:
            self._control.stop()
            self._control = None
        for endpoint in self.endpoints:
            endpoint.close()
        if self._forwarder is not None:
            self._forwarder.stop()

    def __enter__(self) -> LocalCloud:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # Addresses and credentials ----------------------------------------------------------------

    @property
    def access_key(self) -> str:
        return self._admin.access_key

    @property
    def secret_key(self) -> str:
        return self._admin.secret_key

    @property
    def url(self) -> str:
        """The first endpoint's URL."""
        return self.endpoints[0].url

    @property
    def control_url(self) -> str:
        if self._control is None:
            raise RuntimeError("the LocalCloud is not started; call start() or use `with`")
        return self._control.url

    def endpoint(self, i: int) -> Endpoint:
        return self.endpoints[i]

    def service_url(self, service: str, i: int = 0) -> str:
        """The URL of a service on endpoint ``i``: ``service`` is bootstrap/euserv,
        properties/euprop, configuration/euconfig, iam, sts, ec2 or s3."""
        return self.endpoints[i].url + lookup(service).path

    def add_credentials(
        self,
        access_key: str | None = None,
        secret_key: str | None = None,
        account: str = ADMIN_ACCOUNT,
    ) -> tuple[str, str]:
        """Issue another key pair (random unless given), e.g. for another account (created if
        new, so it can be delegated to). Keys of any account other than ``eucalyptus`` are not
        cloud-administrator keys; they act as the account's ``admin`` user, in that account."""
        created = self.accounts.ensure(account)
        creds = self._credentials.issue(access_key, secret_key, account,
                                        moto_account=created.id)
        return creds.access_key, creds.secret_key

    # Observation ------------------------------------------------------------------------------

    @property
    def epoch(self) -> int:
        """The topology epoch DescribeServices reports; it grows with every state change."""
        with self._epoch_lock:
            return self._epoch

    def topology(self) -> tuple[int, list[ServiceView]]:
        """The epoch and every service with its current state."""
        self._topology_changed()
        views = [EndpointView(e.index, e.host, e.url, e.partition, e.state) for e in self.endpoints]
        return self.epoch, self.registry.apply(services(views, self.partitions))

    @property
    def migrations(self) -> list[Migration]:
        """Every MigrateInstances request the cloud accepted, in order."""
        compute = self._frontend.compute
        return [] if compute is None else compute.migrations

    def requests(self) -> list[RequestRecord]:
        """Every endpoint's request log, endpoint by endpoint."""
        return [record for endpoint in self.endpoints for record in endpoint.requests]

    def clear_requests(self) -> None:
        for endpoint in self.endpoints:
            endpoint.clear_requests()

    def wait_idle(self, timeout: float = 2.0) -> bool:
        """Wait until no endpoint has a request in progress; False on timeout."""
        return all(endpoint.wait_idle(timeout) for endpoint in self.endpoints)

    def clear(self) -> None:
        """Remove every fault and restart stopped endpoints (request logs are kept)."""
        for endpoint in self.endpoints:
            endpoint.clear()
            endpoint.start()

    def describe(self) -> dict[str, Any]:
        """A JSON-ready summary (what the control server's ``GET /`` answers)."""
        return {
            "region": self.region,
            "dns_domain": self.dns_domain,
            "epoch": self.epoch,
            "partitions": self.partitions,
            "endpoints": [endpoint_json(e) for e in self.endpoints],
        }

    # AWS configuration files ------------------------------------------------------------------

    def profile_text(self, profile: str = "localcloud", *, failover: bool = False) -> str:
        """A ``~/.aws/config`` section for this cloud, with a ``[services]`` section so that
        plain boto3 and the AWS CLI reach every service too (on the first endpoint).

        ``failover=True`` also names every endpoint (``euca_endpoint_urls``), so that with the
        plugin each service is spread over all of them and fails over between them, as on a
        cloud with several user-facing hosts.
        """
        header = "[default]" if profile == "default" else f"[profile {profile}]"
        lines = [header, f"region = {self.region}", f"euca_endpoint = {self.url}"]
        if failover:
            lines.append(f"euca_endpoint_urls = {', '.join(e.url for e in self.endpoints)}")
        lines += [f"services = {profile}", "", f"[services {profile}]"]
        for service in SERVICES.values():
            lines += [f"{service.profile_name} =", f"  endpoint_url = {self.url}{service.path}"]
        return "\n".join(lines) + "\n"

    def credentials_text(self, profile: str = "localcloud") -> str:
        """A ``~/.aws/credentials`` section with the administrator's keys."""
        return (
            f"[{profile}]\n"
            f"aws_access_key_id = {self.access_key}\n"
            f"aws_secret_access_key = {self.secret_key}\n"
        )

    def write_aws_files(
        self, directory: str | Path, profile: str = "localcloud", *, failover: bool = False
    ) -> tuple[Path, Path]:
        """Write ``config`` and ``credentials`` into ``directory``; return both paths (for
        ``AWS_CONFIG_FILE`` and ``AWS_SHARED_CREDENTIALS_FILE``). ``failover`` as for
        :meth:`profile_text`."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        config, credentials = directory / "config", directory / "credentials"
        config.write_text(self.profile_text(profile, failover=failover))
        credentials.write_text(self.credentials_text(profile))
        credentials.chmod(0o600)
        return config, credentials

    # Internals --------------------------------------------------------------------------------

    def _current_states(self) -> tuple[str, ...]:
        return tuple(endpoint.state for endpoint in self.endpoints)

    def _bump_epoch(self) -> None:
        with self._epoch_lock:
            self._epoch += 1

    def _topology_changed(self) -> None:
        states = self._current_states()
        with self._epoch_lock:
            if self._states is not None and states != self._states:
                self._states = states
                self._epoch += 1
