"""Clients of a profile that names no endpoint for their service.

botocore sends such a client to AWS (``https://properties.eucalyptus.amazonaws.com/``). That is
right for an AWS service of a profile meant for AWS, and never for what only Eucalyptus has,
where the call would retry against AWS for seconds and then fail. So:

* an admin client (``euserv``, ``euprop``, ``euconfig``, ``euca-ec2``) is refused at creation
  with a :class:`~euca_boto.ConfigError` naming the missing key and the profile;
* a stock AWS client keeps botocore's endpoint; its Eucalyptus operations (IAM's
  ``CreateAccount``, STS's ``GetImpersonationToken``, EC2's ``MigrateInstances``) raise that
  error before anything is sent, and a profile that holds euca_ settings (so it was meant for a
  cloud) is warned about once per process.

An endpoint counts wherever it comes from: the caller's ``endpoint_url``, botocore's own
configuration, ``euca_endpoint``, ``euca_endpoint_urls``, DNS or the topology.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from euca_boto.core.botocore_access import client_emitter
from euca_boto.core.models import eucalyptus_operations, own_services
from euca_boto.core.notice import warn_once
from euca_boto.endpoints.sources.static import configured_url, no_endpoint
from euca_boto.errors import ConfigError

if TYPE_CHECKING:
    import botocore.session
    from botocore.client import BaseClient

    from euca_boto.core.settings import Settings

logger = logging.getLogger("euca_boto.endpoints")


def goes_to_aws(botocore_session: botocore.session.Session, service: str,
                endpoint_url: str | None) -> bool:
    """Whether a client of ``service`` created with ``endpoint_url`` (None: none was chosen)
    goes where botocore alone sends it, because nothing names an endpoint for it."""
    return endpoint_url is None and configured_url(botocore_session, service) is None


def check_new_client(botocore_session: botocore.session.Session, service: str,
                     settings: Settings) -> None:
    """Before a client that :func:`goes_to_aws` is created: raise :class:`ConfigError` for
    an admin service; warn (once per process and profile) of a stock one when the profile
    holds euca_ settings."""
    if service in own_services():
        raise no_endpoint(botocore_session, service)
    if settings.in_profile:
        # Once per profile, not per service: the message is the same for every service.
        warn_once(logger, (
            f"profile {settings.profile!r} holds euca_ settings but no euca_endpoint: its "
            f"clients of AWS services go to botocore's own endpoints, AWS's; add "
            f"euca_endpoint = https://<cloud host>:8773/ to the profile to reach the cloud"))


def refuse_calls(client: BaseClient, error: ConfigError,
                 operations: frozenset[str] | None = None) -> None:
    """Make the calls of ``client`` raise ``error`` before anything is sent: every call, or
    only those of ``operations``."""
    service_id = client.meta.service_model.service_id.hyphenize()

    def refuse(model: Any, **kwargs: Any) -> None:
        if operations is None or model.name in operations:
            raise ConfigError(f"{model.name}: {error}")

    client_emitter(client).register_first(
        f"before-parameter-build.{service_id}", refuse,
        unique_id=f"euca-boto-no-endpoint-{service_id}")


def refuse_eucalyptus_operations(botocore_session: botocore.session.Session,
                                 client: BaseClient) -> None:
    """For a stock client that :func:`goes_to_aws`: its Eucalyptus operations raise."""
    service = client.meta.service_model.service_name
    operations = eucalyptus_operations(service)
    if operations:
        refuse_calls(client, no_endpoint(botocore_session, service), operations)
