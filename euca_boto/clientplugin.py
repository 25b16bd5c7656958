"""botocore's client plugin: ``BOTOCORE_EXPERIMENTAL__PLUGINS=euca=euca_boto``.

botocore (1.39.9 and later; older ones ignore the variable) imports every module named in it and
calls its ``initialize_client_plugin(client)`` once the client is built, just before handing it
to the caller (the AWS CLI creates its clients with client plugins disabled). What a built client
can still be given, it is given here, on the client's own event emitter, with the settings of the
profile of the session that built it:

* retries (``euca_retry_*``), in place of botocore's retry handler;
* endpoint choice per call and failover per attempt (``euca_endpoint``, ``euca_endpoint_urls``,
  ``euca_topology``...): a client that botocore pointed at AWS's default URL for the service
  sends its calls to the profile's endpoints instead (an ``endpoint_url`` the caller passed, or
  botocore's own ``endpoint_url`` configuration, is kept and failed over like any route);
* the circuit breaker, around each call as a pair of events (refused before anything is sent);
* the wire log and caller context (``euca_boto.caller_context``).

What it cannot do, because the client exists already:

* client settings (``euca_connect_timeout``, ``euca_read_timeout``, ``euca_max_pool_connections``,
  ``euca_verify``, ``euca_region``): a client's ``Config``, TLS verification and region are fixed
  when botocore builds it;
* the admin services' models (``euprop``, ``euserv``, ...): botocore looks a service up before
  building its client; ``euca-boto models install`` or ``AWS_DATA_PATH`` provide them;
* the client object is botocore's own (not the protected proxy of installed sessions), so
  ``client.breaker`` does not exist; breakers are reachable through ``euca_boto.get_breaker``.

On aiobotocore clients it gives retries, endpoints and the wire log; the breaker and caller
context need ``euca_boto.aio`` or ``euca-boto run``.

botocore logs what a plugin raises at DEBUG and goes on, so a bad setting found here is said
through :mod:`euca_boto.core.notice` (once per process) and the client is left as botocore built it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import botocore.session

from euca_boto import wirelog
from euca_boto.breakers.events import CallBreaker
from euca_boto.core import connections, process
from euca_boto.core.botocore_access import (
    Emitter,
    awaits_handlers,
    building_session,
    client_emitter,
    proxies_per_request,
)
from euca_boto.core.dispatch import Plan
from euca_boto.core.notice import say_once
from euca_boto.core.plainsession import PLAIN_ATTRIBUTE
from euca_boto.core.settings import load
from euca_boto.endpoints import events as endpoint_events
from euca_boto.endpoints import missing
from euca_boto.errors import ConfigError
from euca_boto.install import Plugin, plugin_of

if TYPE_CHECKING:
    from botocore.client import BaseClient

# Per botocore session: the handlers and settings of an installed session, kept as a component
# of the session under a name of its own (so that the session does not count as installed).
# The session keeps it and it keeps the session: they are freed together, where a table of
# sessions would keep every one alive through its plugin.
_PLUGIN_COMPONENT = "euca_boto.client_plugin"
_PLUGINS_LOCK = process.lock()


def initialize_client_plugin(client: BaseClient) -> None:
    """botocore's entry point: give ``client`` what can still be attached (see the module)."""
    service = client.meta.service_model.service_name
    try:
        attach(client)
    except ConfigError as error:
        # Once per process, not per client: every client of the profile has the same problem.
        say_once(f"configuration error: {error}; the clients of this process run without "
                 f"euca-boto (one without a configured endpoint_url calls AWS)")
    except Exception as error:  # botocore would hide it: a client left bare must be seen
        say_once(f"could not attach to the {service} client ({type(error).__name__}: {error}); "
                 f"it runs without euca-boto")


def attach(client: BaseClient) -> None:
    """Attach retries, endpoints, breaker, wire log and caller context to a built client."""
    session, caller_url = building_session()
    if session is None:
        session = botocore.session.Session()  # the environment's profile
    if plugin_of(session) is not None or getattr(session, PLAIN_ATTRIBUTE, False):
        return  # an installed session completes its clients itself; a plain one stays plain
    with _PLUGINS_LOCK:
        plugin = _plugin_kept_by(session)
    if plugin is None:
        plugin = Plugin(session, load(session))  # ConfigError for a bad setting
        with _PLUGINS_LOCK:
            kept = _plugin_kept_by(session)
            if kept is None:
                session.register_component(_PLUGIN_COMPONENT, plugin)
            else:
                plugin = kept
    connections.track(client)
    model = client.meta.service_model
    service, service_id = model.service_name, model.service_id.hyphenize()
    view = plugin.settings.for_service(service)
    emitter = client_emitter(client)
    awaits = awaits_handlers(emitter)

    target = endpoint_events.creation_url(session, service, view, caller_url)
    if missing.goes_to_aws(session, service, target or caller_url):
        try:
            missing.check_new_client(session, service, plugin.settings)
        except ConfigError as error:
            say_once(f"configuration error: {error}; every call of the {service} client "
                     f"raises it")
            missing.refuse_calls(client, error)
            return
        missing.refuse_eucalyptus_operations(session, client)
    wirelog.configure(plugin.settings)
    # One plan for this client, wired as one handler per event on its emitter
    # (core/dispatch.py): its URL rewrite, the features' steps, then its breaker.
    plan = Plan(emitter)
    if target is not None and caller_url is None:
        _send_to(plan, service_id, client.meta.endpoint_url, target)
        proxies_per_request(client)
    plugin.register_service(service_id, plan=plan, caller_context=not awaits)
    if view["euca_breaker"] and not awaits:
        # Named after where the calls go: the profile's endpoint, or the client's own.
        CallBreaker(plugin.settings.profile, service, view,
                    target or client.meta.endpoint_url).register(plan, service_id)
    plan.wire(emitter)


def _plugin_kept_by(session: botocore.session.Session) -> Plugin | None:
    try:
        found = session.get_component(_PLUGIN_COMPONENT)
    except ValueError:
        return None
    return found if isinstance(found, Plugin) else None


def _send_to(emitter: Emitter, service_id: str, built_url: str, target: str) -> None:
    """Point the calls of a client built for ``built_url`` at ``target`` (before the
    endpoint selector plans them; botocore signs each attempt afterwards)."""
    built = built_url.rstrip("/")
    if built == target.rstrip("/"):
        return

    def rebase(params: dict[str, Any], **kwargs: Any) -> None:
        url = params.get("url") or ""
        if url.startswith(built):
            params["url"] = target.rstrip("/") + url[len(built):]

    emitter.register_first(f"before-call.{service_id}", rebase,
                           unique_id=f"euca-boto-plugin-endpoint-{service_id}")
