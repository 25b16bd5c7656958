"""The one door to botocore's internals, and to the differences between its versions and forks.

euca-boto is botocore event handlers and a wrapped ``create_client``; it needs a handful of
things botocore does not promise to keep: the botocore session behind a boto3 session, the keys
of the per-call request context, the loader's search path, the session's lazily built endpoint
resolver, the unique id botocore registers its retry handler under, the provider behind
configured endpoints. Every such reach is here, so a botocore release that moves one of them
breaks this module and nothing else.

Two botocores are in use at once in the field. The AWS CLI (1.46 and later) carries a fork of
botocore inside ``awscli`` and, once ``awscli`` is imported, makes ``import botocore`` load that
fork under the name ``botocore``. Code imported after it (euca-boto included) therefore sees the
fork's classes through the usual names; a program that imports ``awscli.botocore`` by its full
name gets a second copy, whose sessions :func:`is_botocore_session` recognises too. The fork's
``AWSPreparedRequest`` carries no ``context``; :func:`track_sent_request_context` makes up for it.
The AWS CLI v2 carries an older fork (2.0.0dev155 in Debian's 2.9.19), without configured
endpoints or the table of hyphenized service ids: what it lacks degrades here (no configured
endpoint, no extra service ids) instead of failing the import. Nothing here imports boto3,
which the AWS CLI never loads: a boto3 session is recognised once boto3 is imported.

The boundary is typed with botocore's and boto3's own classes (``BaseClient``, the two
``Session`` classes) and, for event emitters, the :class:`Emitter` protocol: what euca-boto
calls on them. botocore ships no type information, so a type checker sees its classes as
``Any``; the protocol is what checks euca-boto's own calls. tests/foundation/test_botocore_door.py
fails when another module reaches a private attribute of a botocore object.
"""

from __future__ import annotations

import contextlib
import contextvars
import inspect
import os
import sys
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import botocore
import botocore.configprovider
import botocore.httpsession
import botocore.session
import botocore.utils
from botocore.awsrequest import AWSPreparedRequest

if TYPE_CHECKING:
    import boto3.session
    from botocore.client import BaseClient

#: The version of the botocore in use (the fork's own version inside the AWS CLI).
VERSION: str = botocore.__version__

#: Whether the botocore in use is the AWS CLI's fork (``awscli/botocore``).
FORK: bool = Path(botocore.__file__).parent.parent.name == "awscli"

# Both names a botocore session class can be imported under (plain botocore, the CLI's fork).
_SESSION_MODULES = frozenset({"botocore.session", "awscli.botocore.session"})

# botocore (since 1.34) hands each prepared request the context of the request it came from;
# the AWS CLI's fork does not.
_PREPARED_REQUEST_HAS_CONTEXT = "context" in inspect.signature(AWSPreparedRequest).parameters

# The context of the request this thread or task created last, for the fork (see below).
_created_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "euca_boto_created_request_context", default=None
)

_AWAIT_PROBE_EVENT = "euca-boto-awaits-handlers"
# The number of the attempt being made, in the request context of a botocore that keeps none.
_ATTEMPT_KEY = "euca_boto_attempt"

#: Set by ``euca-boto run`` (euca_boto/cli/run.py): its profile and the endpoint variables it set.
RUN_ENDPOINTS_VARIABLE = "_EUCA_BOTO_RUN_ENDPOINTS"


# Types at the boundary -----------------------------------------------------------------------

#: What the functions taking "a session" take: a boto3 session or the botocore session behind it.
AnySession: TypeAlias = "boto3.session.Session | botocore.session.Session"


class Emitter(Protocol):
    """What euca-boto uses of a botocore event emitter (a session's ``event_emitter``
    component, a client's ``meta.events``; aiobotocore's returns coroutines from ``emit*``)."""

    def register(self, event_name: str, handler: Callable[..., Any],
                 unique_id: str | None = None, unique_id_uses_count: bool = False) -> None: ...

    def register_first(self, event_name: str, handler: Callable[..., Any],
                       unique_id: str | None = None,
                       unique_id_uses_count: bool = False) -> None: ...

    def register_last(self, event_name: str, handler: Callable[..., Any],
                      unique_id: str | None = None,
                      unique_id_uses_count: bool = False) -> None: ...

    def unregister(self, event_name: str, handler: Callable[..., Any] | None = None,
                   unique_id: str | None = None, unique_id_uses_count: bool = False) -> Any: ...

    def emit(self, event_name: str, **kwargs: Any) -> Any: ...

    def emit_until_response(self, event_name: str, **kwargs: Any) -> Any: ...


def session_emitter(session: botocore.session.Session) -> Emitter:
    """The event emitter of a botocore session: what its clients' emitters copy when built."""
    emitter: Emitter = session.get_component("event_emitter")
    return emitter


def client_emitter(client: BaseClient) -> Emitter:
    """The event emitter of one built client."""
    emitter: Emitter = client.meta.events
    return emitter


# Sessions ------------------------------------------------------------------------------------


def is_botocore_session(obj: Any) -> bool:
    """Whether ``obj`` is a botocore session (plain, aiobotocore's, or the AWS CLI's fork)."""
    return any(
        cls.__name__ == "Session" and cls.__module__ in _SESSION_MODULES
        for cls in type(obj).__mro__
    )


def botocore_session_of(session: AnySession) -> botocore.session.Session:
    """The botocore session behind a boto3 or botocore session.

    Raises ``TypeError`` for anything else.
    """
    if is_botocore_session(session):
        return session
    # A boto3 session exists only once boto3 is imported: the AWS CLI never imports it.
    boto3_session = sys.modules.get("boto3.session")
    if boto3_session is not None and isinstance(session, boto3_session.Session):
        # boto3 exposes no public accessor for its botocore session.
        return session._session
    raise TypeError(
        f"euca_boto.install() takes a boto3.Session or a botocore.session.Session, "
        f"not {type(session).__name__}"
    )


def building_session() -> tuple[botocore.session.Session | None, str | None]:
    """The session whose ``create_client`` is building a client right now, and the
    ``endpoint_url`` its caller passed, or (None, None) if no such call is under way.

    botocore hands a client plugin only the client, so both are read from the calling frames
    (botocore's and aiobotocore's ``create_client``).
    """
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name in ("create_client", "_create_client"):
            owner = frame.f_locals.get("self")
            if is_botocore_session(owner):
                return owner, frame.f_locals.get("endpoint_url")
        frame = frame.f_back  # type: ignore[assignment]
    return None, None


def add_models_path(session: botocore.session.Session, path: str) -> None:
    """Put ``path`` first on the session's model search path (once)."""
    search_paths = session.get_component("data_loader").search_paths
    if path not in search_paths:
        search_paths.insert(0, path)


# Endpoint resolvers, by the loader class and model search path their endpoints file was found
# on, each with that file's path and modification time (see share_endpoint_resolver). A pure
# cache of files' contents, not reset with the process's state (see core.process); a fork child
# keeps it. At most _RESOLVERS_KEPT: each holds a parsed copy of the file, several megabytes.
_ENDPOINT_RESOLVERS: dict[tuple[Any, ...], tuple[Any, str, float]] = {}
_RESOLVERS_KEPT = 4


def share_endpoint_resolver(session: botocore.session.Session) -> None:
    """Have ``session`` take its endpoint resolver from an earlier session of this process
    whose model search path is the same, instead of building its own.

    botocore builds one per session, at its first client: the endpoints file parsed (over a
    megabyte of JSON read into ordered dictionaries, the largest part of a new session's first
    client), into an object nothing changes once it is built. Sessions whose search paths differ
    (another ``data_path``, models of their own) each get their own, and a file changed since
    it was read is read again. A botocore without the lazily built resolver keeps its own way."""
    components = getattr(session, "_internal_components", None)
    register = getattr(components, "lazy_register_component", None)
    if register is None:
        return

    def resolver() -> Any:
        loader = session.get_component("data_loader")
        key = (type(loader), tuple(loader.search_paths))
        cached = _ENDPOINT_RESOLVERS.get(key)
        if cached is not None and _modified(cached[1]) == cached[2]:
            return cached[0]
        # The regions module of the loader's own botocore (a fork's, inside the AWS CLI).
        regions = sys.modules[type(loader).__module__.rpartition(".")[0] + ".regions"]
        endpoints, path = loader.load_data_with_path("endpoints")
        built = regions.EndpointResolver(endpoints,
                                         uses_builtin_data=loader.is_builtin_path(path))
        for oldest in list(_ENDPOINT_RESOLVERS)[:len(_ENDPOINT_RESOLVERS) + 1 - _RESOLVERS_KEPT]:
            _ENDPOINT_RESOLVERS.pop(oldest, None)  # another thread's pop is as good
        _ENDPOINT_RESOLVERS[key] = (built, path, _modified(path))
        return built

    register("endpoint_resolver", resolver)


def _modified(path: str) -> float:
    """When the file at ``path`` (botocore's loader adds a ``.json`` or ``.json.gz``) last
    changed; -1.0 when there is none."""
    for suffix in (".json", ".json.gz"):
        with contextlib.suppress(OSError):
            return os.stat(path + suffix).st_mtime
    return -1.0


def copy_models_paths(source: botocore.session.Session,
                      target: botocore.session.Session) -> None:
    """Give ``target`` the model search path of ``source``."""
    target.get_component("data_loader").search_paths[:] = (
        source.get_component("data_loader").search_paths
    )


def hyphenized_service_ids() -> frozenset[str]:
    """The hyphenized service ids (as in event names) that differ from their client's name
    (``auto-scaling`` for ``autoscaling``); per-service handlers see a service under that id.
    The AWS CLI v2's fork has no such table: none."""
    overrides = getattr(botocore.utils, "CLIENT_NAME_TO_HYPHENIZED_SERVICE_ID_OVERRIDES", {})
    return frozenset(overrides.values())


def configured_endpoint_url(session: botocore.session.Session, service: str) -> str | None:
    """The endpoint botocore itself would give a new client of ``service``, if any.

    botocore resolves it with this provider when it builds a client; asking the same provider
    keeps the precedence (environment, ``services`` section, profile) exactly botocore's.
    A botocore without configured endpoints (the AWS CLI v2's fork) has none.

    ``euca-boto run`` puts one profile's endpoints in the ``AWS_ENDPOINT_URL_*`` variables
    (``_EUCA_BOTO_RUN_ENDPOINTS`` names the profile and the variables): a session of another
    profile does not take them for its own.
    """
    provider_class = getattr(botocore.configprovider, "ConfiguredEndpointProvider", None)
    if provider_class is None or session.get_config_variable("ignore_configured_endpoint_urls"):
        return None
    provider = provider_class(
        full_config=session.full_config,
        scoped_config=session.get_scoped_config(),
        client_name=service,
        environ=_environ_for(session.profile or "default"),
    )
    url = provider.provide()
    return str(url) if url else None


def configured_endpoint_key(service: str) -> tuple[str | None, ...]:
    """What in the environment can change :func:`configured_endpoint_url` for ``service``
    between two clients of one session (the config file is read once per session): a key for
    what is computed from it. Cheaper than asking the provider again."""
    names = _ENDPOINT_VARIABLES.get(service)
    if names is None:
        aliases = getattr(botocore.utils, "SERVICE_NAME_ALIASES", {})
        overrides = getattr(botocore.utils, "CLIENT_NAME_TO_HYPHENIZED_SERVICE_ID_OVERRIDES", {})
        name = aliases.get(service, service)
        snake = overrides.get(name, name).replace("-", "_").upper()
        names = _ENDPOINT_VARIABLES[service] = (
            f"AWS_ENDPOINT_URL_{snake}", "AWS_ENDPOINT_URL", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
            RUN_ENDPOINTS_VARIABLE,
        )
    environ = os.environ
    # os.environ answers a missing name by raising and catching a KeyError, four times per
    # client; the mapping under it (what os.environ reads and writes, in its own encoding of
    # the names) answers at once. A key only: its values stay in that encoding.
    data = getattr(environ, "_data", None)
    encode = getattr(environ, "encodekey", None)
    if isinstance(data, dict) and encode is not None:
        keys = _ENCODED_NAMES.get(names)
        if keys is None:
            keys = _ENCODED_NAMES[names] = tuple(encode(name) for name in names)
        return tuple(data.get(key) for key in keys)
    return tuple(environ.get(name) for name in names)


# service name -> the environment variables botocore reads for its configured endpoint
_ENDPOINT_VARIABLES: dict[str, tuple[str, ...]] = {}
# those names -> as os.environ's mapping keeps them (configured_endpoint_key)
_ENCODED_NAMES: dict[tuple[str, ...], tuple[Any, ...]] = {}


def session_variables_key(session: botocore.session.Session) -> tuple[Any, ...] | None:
    """What a program set on ``session`` with ``set_config_variable`` (a profile, a region,
    ``ignore_configured_endpoint_urls``), as a key for what is computed from the session's
    configuration; None when this botocore keeps them otherwise or a value cannot be a key
    (then nothing computed from them may be kept)."""
    variables = getattr(session, "_session_instance_vars", None)
    if not isinstance(variables, dict):
        return None
    key = tuple(variables.items())
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _environ_for(profile: str) -> Mapping[str, str]:
    run_profile, *variables = os.environ.get(RUN_ENDPOINTS_VARIABLE, "").split() or [""]
    if not variables or profile == run_profile:
        return os.environ
    return {k: v for k, v in os.environ.items() if k not in variables}


# Clients -------------------------------------------------------------------------------------


def is_client(obj: Any) -> bool:
    """Whether ``obj`` is a botocore or boto3 client (plain, aiobotocore's, or a proxy of one)."""
    return hasattr(getattr(obj, "meta", None), "method_to_api_mapping")


def operation_methods(client: Any) -> Mapping[str, str]:
    """A client's operation methods: method name (``describe_instances``) -> operation name
    (``DescribeInstances``). Every other attribute of a client is not an operation."""
    mapping: Mapping[str, str] = client.meta.method_to_api_mapping
    return mapping


def is_async_client(client: BaseClient) -> bool:
    """Whether ``client`` is aiobotocore's: its operations return coroutines."""
    return inspect.iscoroutinefunction(getattr(client, "_make_api_call", None))


def paginator_through(proxy: object, client: BaseClient, operation_name: str) -> Any:
    """``client``'s paginator for an operation, built with ``proxy`` standing for the client,
    so that every page is fetched through the proxy's methods."""
    return type(client).get_paginator(proxy, operation_name)


def waiter_through(proxy: object, client: BaseClient, waiter_name: str) -> Any:
    """``client``'s waiter, built with ``proxy`` standing for the client (see above)."""
    return type(client).get_waiter(proxy, waiter_name)


def proxies_per_request(client: BaseClient) -> None:
    """Have a built client choose its proxy for each request's own URL.

    botocore chooses a client's proxies once, from the URL it builds the client for
    (``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY``); a client whose calls are sent elsewhere
    (the client plugin's) must choose them as botocore would have for where they go. A client
    whose ``Config`` names proxies keeps them.
    """
    http: Any = getattr(getattr(client, "_endpoint", None), "http_session", None)
    current = getattr(http, "_proxy_config", None)
    if current is None or client.meta.config.proxies:
        return
    http._proxy_config = _ProxiesPerRequest(current.settings)


def renew_pool_locks(client: BaseClient) -> None:
    """In a fork child: renew the locks of ``client``'s urllib3 connection pools (see
    :func:`euca_boto.core.process.renew`), so that closing the child's copies of the pooled
    connections never waits for a parent thread that was taking a connection at the fork."""
    from euca_boto.core.process import renew

    http: Any = getattr(getattr(client, "_endpoint", None), "http_session", None)
    managers = [getattr(http, "_manager", None),
                *(getattr(http, "_proxy_managers", None) or {}).values()]
    for manager in managers:
        pools = getattr(manager, "pools", None)  # urllib3's RecentlyUsedContainer
        if pools is None:
            continue
        renew(pools.lock)
        for pool in list(getattr(pools, "_container", {}).values()):
            queue = getattr(pool, "pool", None)  # its idle connections; None once closed
            if queue is not None:
                renew(queue.mutex)


class _ProxiesPerRequest(botocore.httpsession.ProxyConfiguration):
    """The environment's proxies, applied to each request's URL as botocore applies them to a
    client's."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        super().__init__(proxies=urllib.request.getproxies(), proxies_settings=settings)

    def proxy_url_for(self, url: str) -> str | None:
        if botocore.utils.should_bypass_proxies(url):
            return None
        proxy: str | None = super().proxy_url_for(url)
        return proxy


# Emitters ------------------------------------------------------------------------------------


def awaits_handlers(emitter: Emitter) -> bool:
    """Whether ``emitter`` awaits the coroutines its handlers return (aiobotocore's does), so
    that a handler that waits must wait with ``await`` instead of blocking the event loop."""
    # Asked through the public API (emitters may be wrapped, e.g. in botocore's EventAliaser):
    # an emitter that awaits its handlers returns a coroutine from emit().
    emitted = emitter.emit(_AWAIT_PROBE_EVENT)
    if inspect.isawaitable(emitted):
        if inspect.iscoroutine(emitted):
            emitted.close()  # never started: nothing ran, nothing to await
        return True
    return False


def handlers_of(emitter: Emitter, event_name: str) -> list[Callable[..., Any]]:
    """The handlers ``emitter`` calls for ``event_name``, in the order it calls them (for
    diagnostics and tests: botocore has no public way to list them)."""
    inner: Any = getattr(emitter, "_emitter", emitter)  # an EventAliaser wraps the emitter
    return list(inner._handlers.prefix_search(event_name))


# The place of a handler among an event's (botocore's sections of a handler list, in order).
_SECTIONS = {"first": 0, "middle": 1, "last": 2}


def put_handlers(emitter: Emitter,
                 handlers: Sequence[tuple[str, str, str, Callable[..., Any]]]) -> None:
    """Register each (event, place, unique id, handler) on a client's emitter, in place of what
    holds the unique id there (botocore's retry handler, or the session's copy of the same
    step), at ``place`` (``first``, ``middle`` or ``last``).

    For a client being built, which no other thread calls yet: botocore's public ``register``
    inspects each handler's signature (that it takes keyword arguments) and starts the
    emitter's lookups afresh, which together cost more than the registration; the handlers put
    here are euca-boto's own steps and dispatchers, which do, and the lookups start afresh once.
    """
    inner: Any = getattr(emitter, "_emitter", emitter)  # an EventAliaser wraps the emitter
    held_ids = inner._unique_id_handlers
    trie = inner._handlers
    for event_name, place, unique_id, handler in handlers:
        held = held_ids.get(unique_id)
        if held is not None:
            if held.get("handler") is _reserved:
                del held_ids[unique_id]
            else:
                inner.unregister(event_name, unique_id=unique_id)
        trie.append_item(event_name, handler, section=_SECTIONS[place])
        held_ids[unique_id] = {"handler": handler}
    inner._lookup_cache = {}


def emitter_of_call(event: Mapping[str, Any]) -> Emitter | None:
    """The emitter of the client making the call whose ``before-call`` arguments are
    ``event`` (its request signer keeps it), or None."""
    emitter: Emitter | None = getattr(event.get("request_signer"), "_event_emitter", None)
    return emitter


def holds_unique_id(emitter: Emitter, unique_id: str) -> bool:
    """Whether a handler is registered on ``emitter`` under ``unique_id``."""
    inner: Any = getattr(emitter, "_emitter", emitter)
    return unique_id in inner._unique_id_handlers


def forget_stale_lookup(emitter: Emitter, event_name: str, handler: Callable[..., Any]) -> None:
    """Make ``emitter`` look its handlers up again if what it keeps for ``event_name`` lacks
    ``handler``, registered since: botocore forgets its lookups when a handler is registered,
    but a thread that was looking an event up at that moment stores what it found after."""
    inner: Any = getattr(emitter, "_emitter", emitter)
    kept = inner._lookup_cache.get(event_name)
    if kept is not None and handler not in kept:
        inner._lookup_cache = {}


def _reserved(**kwargs: Any) -> None:
    """What holds a unique id reserved by :func:`reserve_unique_id` (registered for no event)."""


def reserve_unique_id(emitter: Emitter, unique_id: str) -> None:
    """Hold ``unique_id`` on a session's emitter with no handler for any event (unless
    something holds it already). The clients the session builds copy the hold, so botocore
    registers nothing of its own under the id there (the handler it would have made for a
    client's retries, which :func:`put_handlers` then replaces at once), and the
    session's clients copy no handler for it either."""
    inner: Any = getattr(emitter, "_emitter", emitter)
    inner._unique_id_handlers.setdefault(unique_id, {"handler": _reserved})


def release_unique_id(emitter: Emitter, unique_id: str) -> None:
    """Give up a hold of :func:`reserve_unique_id` (before a handler is registered under the
    id on the same emitter, which the hold would keep out)."""
    inner: Any = getattr(emitter, "_emitter", emitter)
    held = inner._unique_id_handlers.get(unique_id)
    if held is not None and held.get("handler") is _reserved:
        del inner._unique_id_handlers[unique_id]


def retry_handler_unique_id(service_id: str) -> str:
    """The unique id botocore registers a client's retry handler under (legacy and standard
    modes alike); a handler registered first under it keeps botocore's own out."""
    return f"retry-config-{service_id}"


# The per-call request context ----------------------------------------------------------------


def set_request_credentials(context: dict[str, Any], credentials: Any) -> None:
    """Have botocore's signer sign this call with ``credentials`` instead of the client's."""
    context.setdefault("signing", {})["request_credentials"] = credentials


_OPERATION_MODEL = "euca_boto.operation_model"


def note_operation_model(context: dict[str, Any], model: Any) -> None:
    """Keep the call's ``OperationModel`` in its request context (from ``before-call``): the
    prepared requests and responses of later events do not say which operation they are."""
    context[_OPERATION_MODEL] = model


def protocol_of(service_model: Any) -> str:
    """The wire protocol botocore speaks for ``service_model`` (``query``, ``json``, ...).

    botocore 1.36 and later choose among a model's ``protocols`` (``resolved_protocol``); the
    AWS CLI v2's fork has only the model's one ``protocol``."""
    resolved = getattr(service_model, "resolved_protocol", None)
    return str(resolved if resolved is not None else service_model.protocol)


def operation_model_of(context: Any) -> Any:
    """The ``OperationModel`` :func:`note_operation_model` kept in a request context, if any."""
    return context.get(_OPERATION_MODEL) if isinstance(context, dict) else None


def attempt_of(context: dict[str, Any]) -> int:
    """The number of the attempt in progress (1 for the first), from the request context
    (botocore numbers attempts there; on the AWS CLI v2's fork, which does not,
    :func:`track_sent_request_context` does)."""
    retries = context.get("retries")
    if retries is not None:
        return int(retries.get("attempt", 1))
    return int(context.get(_ATTEMPT_KEY, 1))


def context_of_request_dict(request_dict: dict[str, Any]) -> dict[str, Any] | None:
    """The request context inside a ``needs-retry`` handler's ``request_dict``."""
    return request_dict.get("context") or None


def sent_request_context(request: Any) -> dict[str, Any] | None:
    """The request context of a prepared request seen in ``before-send``.

    Plain botocore carries it on the request; under the AWS CLI's fork it comes from
    :func:`track_sent_request_context`, and is handed out once.
    """
    if _PREPARED_REQUEST_HAS_CONTEXT:
        return getattr(request, "context", None)
    context = _created_context.get()
    _created_context.set(None)
    return context


def track_sent_request_context(emitter: Emitter, service_id: str) -> None:
    """Make :func:`sent_request_context` work for ``service_id`` on a botocore that does not
    put the context on prepared requests (idempotent; nothing to do on plain botocore), nor
    (the AWS CLI v2's fork) number the attempts in it for :func:`attempt_of`.

    botocore emits ``request-created`` (where it signs) and then ``before-send`` for each
    attempt, in the same thread or task and with no request of its own in between, so the
    context noted at the first is the one of the request seen at the second. The handler runs
    last, after the signer: credentials the signer fetches (another call) come and go first.
    """
    if _PREPARED_REQUEST_HAS_CONTEXT:
        return
    emitter.register_last(
        f"request-created.{service_id}", _note_created_context,
        unique_id=f"euca-boto-request-context-{service_id}",
    )


def _note_created_context(request: Any, **kwargs: Any) -> None:
    context = getattr(request, "context", None)
    if context is not None and "retries" not in context:
        context[_ATTEMPT_KEY] = context.get(_ATTEMPT_KEY, 0) + 1
    _created_context.set(context)
