"""The one place where euca-boto attaches itself to a botocore session.

Installing puts the plugin's service models on the session's model search path, validates the
profile's settings and registers the plugin's event handlers. Every handler is registered with a
unique id, so installing twice registers nothing twice. Handlers that depend on the service (the
features' steps for it, planned once per settings and wired as one handler per event:
:mod:`euca_boto.core.dispatch`) are registered on each new client's own emitter as the session's
``create_client`` finishes it; a client built around it gets them from the session's emitter,
where they are registered when botocore is about to build it (``creating-client-class``).
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import ConfigParseError

from euca_boto import clientconfig, msgs
from euca_boto.core import connections, parsing, process
from euca_boto.core.botocore_access import (
    AnySession,
    add_models_path,
    awaits_handlers,
    botocore_session_of,
    client_emitter,
    configured_endpoint_key,
    release_unique_id,
    reserve_unique_id,
    retry_handler_unique_id,
    session_emitter,
    session_variables_key,
    share_endpoint_resolver,
)
from euca_boto.core.dispatch import Plan, unwire
from euca_boto.core.models import models_path
from euca_boto.core.settings import ServiceSettings, Settings, config_file_problem, load
from euca_boto.errors import ConfigError

# (service name, its settings, the caller's Config or None) -> the Config to create the client with
ConfigHook = Callable[[str, ServiceSettings, "Config | None"], "Config | None"]
# (client, its settings) -> the object handed to the caller (the client or a proxy of it)
ClientHook = Callable[["BaseClient", ServiceSettings], Any]

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from euca_boto.context import ContextHandlers
    from euca_boto.endpoints.selector import EndpointSelector
    from euca_boto.typed import EucaSession

_COMPONENT = "euca_boto"

# True while an installed session's create_client builds a client (see creating()).
_CREATING: contextvars.ContextVar[bool] = contextvars.ContextVar("euca_boto_creating",
                                                                 default=False)


class Plugin:
    """What the plugin keeps for one installed botocore session."""

    def __init__(self, botocore_session: botocore.session.Session, settings: Settings) -> None:
        self.session = botocore_session
        self.settings = settings
        # Applied in order to every client the session creates; features append to them.
        self.config_hooks: list[ConfigHook] = []
        self.client_hooks: list[ClientHook] = []
        # Clients come back behind their circuit breaker: one decision per logical call. The
        # breaker code is imported with the first client that has a breaker (euca_breaker). A
        # door whose host calls its clients in its own way sets its own hook (awscli_plugin).
        self.breaker_hook: ClientHook | None = None
        self.client_hooks.append(self._breaker)
        self.config_hooks.append(clientconfig.config_hook)
        # Caller context, retries, endpoints and the wire log are imported when a session is
        # installed or a client created, so `import euca_boto` stays cheap (the AWS CLI pays
        # it on every command). Whether the process runs the caller's code around its calls,
        # which may enter a caller context or switch the wire log on at run time: a door
        # whose process runs none (awscli_plugin) clears this, and then neither feature has
        # steps unless the profile asks for them.
        self.callers_code = True
        self._caller_context: ContextHandlers | None = None
        # service id -> the settings and routing its plan was made for, and the plan
        self._plans: dict[str, tuple[Settings, bool, Plan]] = {}
        # service id -> the plan wired on the session's emitter, and what that registered
        self._wired: dict[str, tuple[Plan, list[tuple[str, str]]]] = {}
        self._views: dict[str, tuple[Settings, ServiceSettings]] = {}
        self._service_ids: dict[str, str] = {}  # service name -> service id (_service_id)
        # The session's endpoint selector (endpoints/selector.py), once a plan asked for it.
        self._selector: EndpointSelector | None = None
        # What prepare_arguments made of the arguments of a create_client call (see there),
        # for the settings it was made with.
        self._prepared: dict[tuple[Any, ...], tuple[Any, Any, Any, bool]] = {}
        self._prepared_for: Settings | None = None

    @property
    def caller_context(self) -> ContextHandlers:
        """The caller-context handlers of this session's clients, made when first asked for."""
        handlers = self._caller_context
        if handlers is None:
            from euca_boto import context

            made = context.ContextHandlers(context.IdentityBroker(self.session))
            with _CONTEXT_LOCK:  # one set of handlers (and of cached credentials) per session
                if self._caller_context is None:
                    self._caller_context = made
                handlers = self._caller_context
        return handlers

    @caller_context.setter
    def caller_context(self, handlers: ContextHandlers) -> None:
        self._caller_context = handlers

    def view(self, service_name: str) -> ServiceSettings:
        """The settings of one service (looked up once per service and settings: client
        creation asks several times)."""
        settings = self.settings
        cached = self._views.get(service_name)
        if cached is not None and cached[0] is settings:
            return cached[1]
        view = settings.for_service(service_name)
        self._views[service_name] = (settings, view)
        return view

    def _breaker(self, client: BaseClient, view: ServiceSettings) -> Any:
        if not view["euca_breaker"]:
            return client
        if self.breaker_hook is None:
            from euca_boto.breakers.client import BreakerHook

            self.breaker_hook = BreakerHook(self)
        return self.breaker_hook(client, view)

    def prepare_config(self, service_name: str, config: Config | None) -> Config | None:
        """The ``Config`` a new client of ``service_name`` is created with."""
        view = self.view(service_name)
        for hook in self.config_hooks:
            config = hook(service_name, view, config)
        return config

    def prepare_arguments(self, arguments: dict[str, Any]) -> bool:
        """Complete the (bound) arguments of one ``create_client`` call in place; True when
        nothing names an endpoint for the client, so that it goes to botocore's own (AWS).

        Raises :class:`ConfigError` for an admin client that nothing points at a cloud.
        """
        service_name = arguments["service_name"]
        key = None
        # A caller's Config may change between clients: not kept then.
        variables = (session_variables_key(self.session) if arguments.get("config") is None
                     else None)
        if variables is not None:
            # What the answer depends on besides the settings (the config file is read once
            # per session, its variables may be set between clients); computed again when the
            # settings are replaced (a new install).
            key = (service_name, arguments.get("verify"), arguments.get("endpoint_url"),
                   configured_endpoint_key(service_name), variables)
            settings = self.settings
            if self._prepared_for is not settings or len(self._prepared) > 256:
                self._prepared = {}
                self._prepared_for = settings
            found = self._prepared.get(key)
            if found is not None:
                arguments["config"], arguments["verify"], arguments["endpoint_url"] = found[:3]
                return found[3]
        goes_to_aws = self._prepare(service_name, arguments)
        if key is not None:
            self._prepared[key] = (arguments["config"], arguments["verify"],
                                   arguments["endpoint_url"], goes_to_aws)
        return goes_to_aws

    def _prepare(self, service_name: str, arguments: dict[str, Any]) -> bool:
        arguments["config"] = self.prepare_config(service_name, arguments.get("config"))
        # botocore takes verification as an argument, not from Config (clientconfig.py).
        arguments["verify"] = clientconfig.verify_argument(
            self.view(service_name), arguments.get("verify")
        )
        # Endpoints from euca_endpoint, DNS or the topology, unless the caller or botocore's
        # own configuration names one (endpoints/selector.py).
        from euca_boto.endpoints import events as endpoint_events

        arguments["endpoint_url"] = endpoint_events.creation_url(
            self.session, service_name, self.view(service_name), arguments.get("endpoint_url"),
        )
        from euca_boto.endpoints import missing

        if not missing.goes_to_aws(self.session, service_name, arguments["endpoint_url"]):
            return False
        missing.check_new_client(self.session, service_name, self.settings)
        return True

    def finish_client(self, client: BaseClient, goes_to_aws: bool = False) -> Any:
        """What the caller gets for a newly created client (the client, or a proxy of it);
        ``goes_to_aws`` is what :meth:`prepare_arguments` said of it."""
        connections.track(client)
        # The features' handlers, on the client's own emitter (see plan_for).
        self.plan_for(self._service_id(client)).wire_built(client_emitter(client))
        if goes_to_aws:
            from euca_boto.endpoints import missing

            missing.refuse_eucalyptus_operations(self.session, client)
        view = self.view(client.meta.service_model.service_name)
        for hook in self.client_hooks:
            client = hook(client, view)
        return client

    def _service_id(self, client: BaseClient) -> str:
        """The service id of a client's events (``ec2``, ``api-gateway``), found once per
        service: botocore works it out again from the model every time it is asked."""
        model = client.meta.service_model
        found = self._service_ids.get(model.service_name)
        if found is None:
            found = self._service_ids[model.service_name] = model.service_id.hyphenize()
        return found

    def on_creating_client_class(self, event_name: str, **kwargs: Any) -> None:
        """Before botocore builds a client: the plan for its service is made (and botocore's
        retry handler kept out of it, see plan_for). A client built without the session's
        ``create_client`` (botocore's called on the class) gets the features' handlers from the
        session's emitter, which it copies."""
        service_id = event_name.split(".", 1)[1]
        if _CREATING.get():
            self.plan_for(service_id)
        else:
            self.register_service(service_id)

    def plan_for(self, service_id: str) -> Plan:
        """The features' steps for the clients of one service, planned once per service,
        settings and whether the session has endpoints to choose from.

        Wired on each new client's own emitter (:meth:`finish_client`), not on the session's:
        every client copies all of the session's handlers, whatever their service, and a copy
        costs more than registering the few of its own service.
        """
        settings = self.settings
        selector = self._selector
        if selector is None:
            from euca_boto.endpoints.selector import selector_of

            selector = self._selector = selector_of(self.session)
        # Endpoint selection only once the session has endpoints to choose from (its clients
        # are created after their routes are made): until then its steps would run on every
        # call for nothing.
        routed = bool(selector.routes)
        made = self._plans.get(service_id)
        if made is not None and made[0] is settings and made[1] is routed:
            return made[2]
        from euca_boto.endpoints import events as endpoint_events

        target = session_emitter(self.session)
        plan = Plan(target)
        self._plan_features(plan, service_id, True)
        if routed:
            endpoint_events.register_service(self.session, service_id, emitter=plan)
        # The plan's retry step takes the place of botocore's retry handler on each client:
        # held on the session's emitter, the unique id keeps botocore from registering it.
        reserve_unique_id(target, retry_handler_unique_id(service_id))
        self._plans[service_id] = (settings, routed, plan)
        return plan

    def register_service(self, service_id: str, plan: Plan | None = None,
                         caller_context: bool = True) -> Plan:
        """Wire the handlers of one service on the session's emitter (for clients built
        around the session's ``create_client``), or add them to ``plan`` (a built client's,
        for botocore's client plugin, which wires it: see clientplugin.py)."""
        from euca_boto.endpoints import events as endpoint_events

        if plan is not None:
            self._plan_features(plan, service_id, caller_context)
            endpoint_events.register_service(self.session, service_id, emitter=plan)
            return plan
        plan = self.plan_for(service_id)
        wired = self._wired.get(service_id)
        if wired is not None and wired[0] is plan:
            return plan
        target = session_emitter(self.session)
        if wired is not None:
            unwire(target, wired[1])
        release_unique_id(target, retry_handler_unique_id(service_id))  # see plan_for
        self._wired[service_id] = (plan, plan.wire(target))
        return plan

    def _plan_features(self, plan: Plan, service_id: str, caller_context: bool) -> None:
        """The features' steps for one service, in the order they run within an event."""
        from euca_boto import retry

        view = self.settings.for_service(service_id)
        # In place of botocore's retry handler (it takes botocore's unique id).
        retry.register_service(self.session, service_id, view, emitter=plan)
        if self.callers_code or _wire_log_asked(view):
            from euca_boto import wirelog

            wirelog.register(plan, service_id, lambda: self.settings)
        if caller_context and self.callers_code:
            from euca_boto import context

            context.register(plan, service_id, self.caller_context)
        if _may_trace():
            from euca_boto import telemetry

            telemetry.register(plan, service_id)
        msgs.register_service(plan, service_id)
        parsing.register(plan, service_id)


def _guard_transfer_methods(plugin: Plugin, class_attributes: dict[str, Any],
                            **kwargs: Any) -> None:
    # The caller-context code is loaded with the first S3 client, and only where a caller
    # context can be entered.
    if plugin.callers_code:
        from euca_boto import context

        context.guard_transfer_methods(class_attributes, **kwargs)


def _wire_log_asked(view: ServiceSettings) -> bool:
    """Whether a service's settings may have its wire log on (its selection names services,
    and wirelog tells whether this one), or botocore's own records redacted."""
    return bool(view["euca_wire_log"]) or view["euca_redact_botocore_logs"] is True


_CONTEXT_LOCK = process.lock()


def _may_trace() -> bool:
    """Whether this process may trace with OpenTelemetry: it has imported OpenTelemetry's trace
    API (setting a tracer provider does), or it exports euca-boto's metrics through a meter
    (which imports the telemetry module). Elsewhere the telemetry module is never imported."""
    return "opentelemetry.trace" in sys.modules or "euca_boto.telemetry" in sys.modules


def install(session: AnySession | None = None, **euca_settings: Any) -> Any:
    """Install euca-boto on ``session`` (boto3's default session when omitted) and return it.

    ``euca_settings`` are ``euca_``-prefixed settings that override the profile and the
    environment. Raises :class:`~euca_boto.ConfigError` if any setting is bad or unknown.
    """
    if session is None:
        import boto3

        if boto3.DEFAULT_SESSION is None:
            boto3.setup_default_session()
        session = boto3.DEFAULT_SESSION
    core = botocore_session_of(session)
    if awaits_handlers(session_emitter(core)):
        raise TypeError(
            "euca_boto.install() got an aiobotocore session; use euca_boto.aio.install(session)"
        )
    attach(core, euca_settings, _wrap_create_client)
    return session


def attach(
    core: botocore.session.Session,
    euca_settings: dict[str, Any],
    wrap_create_client: Callable[[botocore.session.Session, Plugin], None],
) -> Plugin:
    """Install the plugin on a botocore session (see :func:`install`); on the first install,
    ``wrap_create_client`` routes the session's client creation through the plugin."""
    settings = load(core, euca_settings)
    profile_wide = settings.for_service(None)
    if (profile_wide["euca_wire_log_file"] is not None
            or profile_wide["euca_redact_botocore_logs"] is True):
        # Only then: a command that creates no client (aws configure) loads no wire-log code.
        from euca_boto import wirelog

        wirelog.configure(settings)

    add_models_path(core, str(models_path()))
    share_endpoint_resolver(core)

    plugin = plugin_of(core)
    if plugin is None:
        plugin = Plugin(core, settings)
        core.register_component(_COMPONENT, plugin)
        core.register(
            "creating-client-class",
            plugin.on_creating_client_class,
            unique_id="euca-boto-creating-client-class",
        )
        parsing.install_parser(core)
        # After boto3 has added its S3 transfer methods (registered on the session before us).
        session_emitter(core).register_last(
            "creating-client-class.s3",
            functools.partial(_guard_transfer_methods, plugin),
            unique_id="euca-boto-context-s3-transfers",
        )
        wrap_create_client(core, plugin)
    else:
        plugin.settings = settings
    return plugin


def _wrap_create_client(core: botocore.session.Session, plugin: Plugin) -> None:
    """Route this session's client creation through the plugin.

    botocore has no event after a client is built, and a client's ``Config`` is fixed when it
    is built, so per-service client settings and protected clients need the session's own
    ``create_client``; boto3 sessions, resources and ``boto3.client`` all create clients there.
    Only this session instance is touched.
    """
    original = core.create_client
    bind = argument_binder(inspect.signature(original))

    @functools.wraps(original)
    def create_client(*args: Any, **kwargs: Any) -> Any:
        arguments = bind(args, kwargs)
        goes_to_aws = plugin.prepare_arguments(arguments)
        with creating():
            client = original(**arguments)
        return plugin.finish_client(client, goes_to_aws)

    core.create_client = create_client


class creating:  # noqa: N801 - used as a function is: ``with creating():``
    """Around botocore's ``create_client`` in an installed session's: the client it builds is
    finished by the plugin (:meth:`Plugin.finish_client`), which wires its handlers. A class,
    not a generator: every client creation enters one."""

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = _CREATING.set(True)

    def __exit__(self, *exc_info: object) -> None:
        _CREATING.reset(self._token)


def argument_binder(
    signature: inspect.Signature,
) -> Callable[[tuple[Any, ...], dict[str, Any]], dict[str, Any]]:
    """``signature.bind(*args, **kwargs).arguments`` for ``create_client``'s signature (every
    parameter positional-or-keyword, the first required), made cheap: client creation runs
    it every time, and ``Signature.bind`` costs more than the rest of the plugin's part."""
    names = tuple(signature.parameters)
    first = names[0]

    def bind(args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        if len(args) == 1 and first not in kwargs:  # boto3's way: the service, the rest by name
            return {first: args[0], **kwargs}
        if (len(args) > len(names) or not (args or names[0] in kwargs)
                or any(name in kwargs for name in names[:len(args)])):
            # Wrong arguments: let inspect raise the TypeError Python would.
            return dict(signature.bind(*args, **kwargs).arguments)
        arguments = dict(zip(names, args, strict=False))  # fewer args than names
        arguments.update(kwargs)
        return arguments

    return bind


def plugin_of(session: AnySession) -> Plugin | None:
    """The plugin state of an installed session, or None if euca-boto is not installed on it."""
    core = botocore_session_of(session)
    try:
        component = core.get_component(_COMPONENT)
    except ValueError:
        return None
    return component if isinstance(component, Plugin) else None


def session(profile_name: str | None = None, **kwargs: Any) -> EucaSession:
    """A new ``boto3.Session`` with euca-boto installed.

    Type checkers see an :class:`~euca_boto.typed.EucaSession`, whose ``client()`` returns typed
    admin clients (``session.client("euprop")`` is an ``EupropClient``).

    Keyword arguments whose names start with ``euca_`` are settings; the others go to
    ``boto3.Session`` (``region_name``, ``aws_access_key_id``, ...).
    """
    euca_settings = {k: v for k, v in kwargs.items() if k.startswith("euca_")}
    boto3_kwargs = {k: v for k, v in kwargs.items() if not k.startswith("euca_")}
    import boto3.session

    try:
        new = boto3.session.Session(profile_name=profile_name, **boto3_kwargs)
    except ConfigParseError as error:  # boto3 reads the config file before the plugin can
        raise ConfigError(config_file_problem(str(error.kwargs.get("path")))) from None
    install(new, **euca_settings)
    return new
