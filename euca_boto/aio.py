"""Asynchronous calls: awaitable views of plain clients, and the plugin on aiobotocore sessions.

Two ways, each keeping retries, failover, breakers, wire logs, caller context and metrics:

* :func:`wrap` needs nothing but asyncio: each operation of a plain (or protected) client
  runs in an executor thread and is awaited. A cancelled await never leaves a call running
  unobserved: a call that had not started is never sent; one that had goes on (a socket read
  cannot be interrupted safely), its outcome is logged, and :meth:`AsyncClient.aclose` waits
  for it.
* :func:`install` puts the plugin on an aiobotocore ``AioSession``: the same handlers on its
  event emitter, with the ones that wait made ``async`` (the retry handler's delay is an
  ``asyncio.sleep``; a breaker with shared state is consulted in a worker thread; caller
  context credentials are fetched off the loop), and protected clients whose operations are
  coroutines.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import Executor
from types import TracebackType
from typing import Any

import botocore.session
import wrapt
from botocore.credentials import CredentialProvider, CredentialResolver, Credentials

from euca_boto import context as caller
from euca_boto.botocore_access import (
    client_emitter,
    copy_models_paths,
    is_async_client,
    session_emitter,
    set_request_credentials,
)
from euca_boto.errors import EucaBotoError
from euca_boto.install import Plugin, argument_binder, attach, plugin_of
from euca_boto.install import install as sync_install
from euca_boto.plainsession import plain_session
from euca_boto.retry import Policy, RetryHandler, reconfigure
from euca_boto.retry.handler import QUERY_EVENT, AsyncSleep, Clock

logger = logging.getLogger("euca_boto.aio")

# -- awaitable views of plain clients ----------------------------------------------------------


class _Call:
    """One call handed to an executor, which a cancelled caller may still stop before it starts.

    The lock only guards the flag: the call itself runs outside it.
    """

    __slots__ = ("_func", "_lock", "_state")

    def __init__(self, func: Callable[[], Any]) -> None:
        self._func = func
        self._lock = threading.Lock()
        self._state = "pending"

    def run(self) -> Any:
        with self._lock:
            if self._state == "cancelled":
                return _NOT_RUN
            self._state = "running"
        return self._func()

    def cancel(self) -> bool:
        """Stop the call if it has not started; False if it has (it then runs to its end)."""
        with self._lock:
            if self._state == "pending":
                self._state = "cancelled"
                return True
            return False


_NOT_RUN = object()


class AsyncClient(wrapt.ObjectProxy):
    """A plain client whose operations are coroutines run on an executor (see :func:`wrap`)."""

    def __init__(self, client: Any, executor: Executor | None) -> None:
        super().__init__(client)
        self._self_executor = executor
        self._self_api: dict[str, str] = dict(client.meta.method_to_api_mapping)
        self._self_service: str = client.meta.service_model.service_name
        self._self_methods: dict[str, Callable[..., Any]] = {}
        # Calls still running in the executor, including those whose await was cancelled.
        self._self_running: set[asyncio.Future[Any]] = set()

    def __getattr__(self, name: str) -> Any:
        if name == "__wrapped__" or name.startswith("_self_"):
            return super().__getattr__(name)
        awaitable = self._self_methods.get(name)
        if awaitable is not None:
            return awaitable
        attribute = getattr(self.__wrapped__, name)
        operation = self._self_api.get(name)
        if operation is None or not callable(attribute):
            return attribute
        label = f"{self._self_service} {operation}"

        @functools.wraps(attribute)
        async def call(*args: Any, **kwargs: Any) -> Any:
            return await self._self_run(label, attribute, *args, **kwargs)

        self._self_methods[name] = call
        return call

    def _self_start(
        self, func: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> tuple[_Call, asyncio.Future[Any]]:
        # The caller's context variables (its caller context) go with the call.
        bound = functools.partial(contextvars.copy_context().run, func, *args, **kwargs)
        call = _Call(bound)
        running = asyncio.get_running_loop().run_in_executor(self._self_executor, call.run)
        self._self_running.add(running)
        running.add_done_callback(self._self_running.discard)
        return call, running

    async def _self_wait(self, label: str, call: _Call, running: asyncio.Future[Any]) -> Any:
        try:
            # Shielded: cancelling the caller must not drop the outcome of a running call.
            return await asyncio.shield(running)
        except asyncio.CancelledError:
            if not running.done():
                if call.cancel():
                    logger.debug("%s: cancelled before it was sent", label)
                else:
                    running.add_done_callback(functools.partial(_report_orphan, label))
            raise

    async def _self_run(self, label: str, func: Callable[..., Any], *args: Any,
                        **kwargs: Any) -> Any:
        call, running = self._self_start(func, *args, **kwargs)
        return await self._self_wait(label, call, running)

    def get_paginator(self, operation_name: str) -> AsyncPaginator:
        """A paginator whose pages come with ``async for``."""
        return AsyncPaginator(self, self.__wrapped__.get_paginator(operation_name),
                              f"{self._self_service} {operation_name} pages")

    def get_waiter(self, waiter_name: str) -> AsyncWaiter:
        """A waiter whose ``wait`` is awaited (its polls and sleeps run in the executor)."""
        return AsyncWaiter(self, self.__wrapped__.get_waiter(waiter_name),
                           f"{self._self_service} waiter {waiter_name}")

    @property
    def running(self) -> int:
        """How many calls of this view are running in the executor now."""
        return len(self._self_running)

    async def aclose(self) -> None:
        """Wait until every call made through this view has ended, cancelled ones included."""
        while self._self_running:
            await asyncio.wait(set(self._self_running))

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<awaitable {self.__wrapped__!r}>"


def _report_orphan(label: str, running: asyncio.Future[Any]) -> None:
    # Retrieving the outcome here is what keeps a failure from going unobserved.
    if running.cancelled():  # its executor was shut down before it ran
        logger.info("%s: never ran: its executor cancelled it", label)
        return
    error = running.exception()
    if error is None:
        logger.info("%s: ran to its end after its caller stopped waiting (cancelled); "
                    "the response was dropped", label)
    else:
        logger.warning("%s: failed after its caller stopped waiting (cancelled): %s: %s",
                       label, type(error).__name__, error)


class AsyncPaginator:
    """botocore's paginator, iterated with ``async for``."""

    def __init__(self, client: AsyncClient, paginator: Any, label: str) -> None:
        self._client = client
        self._paginator = paginator
        self._label = label

    def paginate(self, **kwargs: Any) -> AsyncPages:
        """The pages of one listing (same arguments as botocore's ``paginate``)."""
        return AsyncPages(self._client, self._paginator.paginate(**kwargs), self._label)


class AsyncPages:
    """The pages of one listing; each is fetched in the executor when asked for.

    A page whose await was cancelled while its request ran is not lost: the next request for a
    page waits for it and returns it.
    """

    def __init__(self, client: AsyncClient, page_iterator: Any, label: str) -> None:
        self._client = client
        self._pages = iter(page_iterator)
        self._label = label
        self._carried: asyncio.Future[Any] | None = None

    def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if self._carried is not None:
            # botocore's page iterator is a generator: never two steps at once.
            page = await asyncio.shield(self._carried)
            self._carried = None
        else:
            call, running = self._client._self_start(next, self._pages, None)
            try:
                page = await self._client._self_wait(self._label, call, running)
            except asyncio.CancelledError:
                if not running.done() and not running.cancelled():
                    self._carried = running
                raise
        if page is None or page is _NOT_RUN:
            raise StopAsyncIteration
        return page


class AsyncWaiter:
    """botocore's waiter, awaited."""

    def __init__(self, client: AsyncClient, waiter: Any, label: str) -> None:
        self._client = client
        self._waiter = waiter
        self._label = label

    async def wait(self, **kwargs: Any) -> None:
        await self._client._self_run(self._label, self._waiter.wait, **kwargs)


def wrap(client: Any, executor: Executor | None = None) -> AsyncClient:
    """An awaitable view of a boto3/botocore client: ``await view.describe_services()``.

    Calls run on ``executor`` (default: the event loop's default executor). Everything the
    plain client does on a call (retries, failover, breaker, wire log, metrics) happens as
    usual, in the executor's thread, with the caller's context variables.
    """
    meta: Any = getattr(client, "meta", None)
    if not hasattr(meta, "method_to_api_mapping"):
        raise EucaBotoError(
            f"euca_boto.aio.wrap(client): client must be a boto3/botocore client, "
            f"not {type(client).__name__}"
        )
    if is_async_client(client):
        raise EucaBotoError(
            f"euca_boto.aio.wrap(client): the {meta.service_model.service_name} client is an "
            f"aiobotocore client, whose operations are awaitable already; install the plugin "
            f"on its session with euca_boto.aio.install(session) instead"
        )
    if executor is not None and not isinstance(executor, Executor):
        raise EucaBotoError(
            f"euca_boto.aio.wrap(client, executor): executor must be a "
            f"concurrent.futures.Executor or None, not {type(executor).__name__}"
        )
    return AsyncClient(client, executor)


# -- the plugin on aiobotocore sessions --------------------------------------------------------


def _aio_session_class() -> type[Any]:
    try:
        from aiobotocore.session import AioSession
    except ImportError:
        raise EucaBotoError(
            "euca_boto.aio.install() needs aiobotocore: pip install 'euca-boto[aio]'"
        ) from None
    return AioSession


def install(session: Any, **euca_settings: Any) -> Any:
    """Install euca-boto on an aiobotocore ``AioSession`` and return it.

    The same settings and behaviour as :func:`euca_boto.install`; clients come from
    ``async with session.create_client(...) as client`` as usual, protected by their breaker.
    Raises :class:`~euca_boto.ConfigError` if a setting is bad or unknown.
    """
    aio_session = _aio_session_class()
    if not isinstance(session, aio_session):
        raise TypeError(
            f"euca_boto.aio.install() takes an aiobotocore AioSession, not "
            f"{type(session).__name__}; use euca_boto.install() for boto3/botocore sessions"
        )
    attach(session, euca_settings, _wrap_create_client)
    return session


def session(profile_name: str | None = None, **kwargs: Any) -> Any:
    """A new aiobotocore ``AioSession`` with euca-boto installed.

    ``euca_*`` keyword arguments are settings; ``aws_access_key_id``,
    ``aws_secret_access_key``, ``aws_session_token`` and ``region_name`` set the session's
    credentials and region.
    """
    aio_session = _aio_session_class()
    euca_settings = {k: v for k, v in kwargs.items() if k.startswith("euca_")}
    others = {k: v for k, v in kwargs.items() if not k.startswith("euca_")}
    unknown = set(others) - {"aws_access_key_id", "aws_secret_access_key",
                             "aws_session_token", "region_name"}
    if unknown:
        raise TypeError(f"euca_boto.aio.session() got unexpected arguments: "
                        f"{', '.join(sorted(unknown))}")
    new = aio_session(profile=profile_name)
    if others.get("aws_access_key_id") is not None:
        new.set_credentials(others["aws_access_key_id"], others.get("aws_secret_access_key"),
                            others.get("aws_session_token"))
    if others.get("region_name") is not None:
        new.set_config_variable("region", others["region_name"])
    return install(new, **euca_settings)


class _ClientContext:
    """What ``AioSession.create_client`` returns on an installed session: aiobotocore's async
    context manager, handing out the plugin's finished client."""

    def __init__(self, creating: Any, plugin: Plugin) -> None:
        self._creating = creating
        self._plugin = plugin

    async def __aenter__(self) -> Any:
        client = await self._creating.__aenter__()
        return self._plugin.finish_client(client)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._creating.__aexit__(exc_type, exc, traceback)


def _wrap_create_client(core: botocore.session.Session, plugin: Plugin) -> None:
    """``install.attach``'s hook for aiobotocore sessions (see ``install._wrap_create_client``)."""
    original = core.create_client
    # aiobotocore's create_client takes botocore's arguments through *args/**kwargs.
    bind = argument_binder(
        inspect.signature(botocore.session.Session.create_client.__get__(core)))
    handlers = _AioContextHandlers(core)
    session_emitter(core).register_first(
        "creating-client-class", handlers.on_creating_client_class,
        unique_id="euca-boto-aio-creating-client-class",
    )

    @functools.wraps(original)
    def create_client(*args: Any, **kwargs: Any) -> _ClientContext:
        arguments = bind(args, kwargs)
        plugin.prepare_arguments(arguments)
        return _ClientContext(original(**arguments), plugin)

    # Only this session instance is touched.
    core.create_client = create_client


class _MirroredCredentials(Credentials):
    """An aiobotocore session's credentials, as a plain botocore session signs with them: the
    frozen credentials the event loop last read from it (refreshing them there if due)."""

    def __init__(self) -> None:
        self.method = "euca-boto-aiobotocore-session"
        self._frozen: Any = None

    def update(self, frozen: Any) -> None:
        self._frozen = frozen  # one reference swap: readers see the old or the new, whole

    def get_frozen_credentials(self) -> Any:
        return self._frozen

    @property
    def access_key(self) -> Any:
        return self._frozen.access_key

    @property
    def secret_key(self) -> Any:
        return self._frozen.secret_key

    @property
    def token(self) -> Any:
        return self._frozen.token


class _MirrorProvider(CredentialProvider):
    """The only credential provider of the plain session: the mirrored credentials."""

    METHOD = "euca-boto-aiobotocore-session"

    def __init__(self, credentials: _MirroredCredentials) -> None:
        self.credentials = credentials

    def load(self) -> Credentials | None:
        return self.credentials if self.credentials.get_frozen_credentials() else None


class _AioContextHandlers:
    """Caller-context signing for aiobotocore: credentials fetched off the event loop.

    Temporary credentials come from STS through a plain botocore session with euca-boto
    installed on it (so STS is the cloud's ``/services/Tokens``, found like every other
    service: ``euca_endpoint``, DNS or the topology), the aiobotocore session's profile and
    settings, and the aiobotocore session's own credentials, read again on the event loop
    before each use so that they are refreshed when they expire. The STS call runs in a worker
    thread; the credentials are handed to aiobotocore's signer as its own credentials type.
    Registered before the plugin's handlers, under the same unique id, so it takes the place
    of the blocking one.
    """

    def __init__(self, core: botocore.session.Session) -> None:
        self._core = core
        self._base = _MirroredCredentials()
        self._broker: caller.IdentityBroker | None = None
        self._wired: set[str] = set()  # services whose handler is registered

    def on_creating_client_class(self, event_name: str, **kwargs: Any) -> None:
        service_id = event_name.split(".", 1)[1]
        if service_id in self._wired:
            return
        self._wired.add(service_id)
        session_emitter(self._core).register(
            f"before-call.{service_id}", self.on_before_call,
            unique_id=f"euca-boto-context-signing-{service_id}",
        )

    def on_before_call(self, context: dict[str, Any], **kwargs: Any) -> Awaitable[None] | None:
        # aiobotocore awaits what a handler returns: a coroutine only when there is work.
        current = caller.current()
        if current is None or not current.signs:
            return None
        return self._sign(current, context)

    async def _sign(self, current: caller.CallerContext, context: dict[str, Any]) -> None:
        from aiobotocore.credentials import AioCredentials

        # Read on the loop, where aiobotocore refreshes them; STS may be called with them next.
        credentials = await self._core.get_credentials()
        if credentials is not None:
            self._base.update(await credentials.get_frozen_credentials())
        broker = self._broker_ready()
        fresh = await asyncio.to_thread(broker.credentials, current)
        set_request_credentials(context, AioCredentials(
            fresh.access_key, fresh.secret_key, fresh.token, method=fresh.method))

    def _broker_ready(self) -> caller.IdentityBroker:
        # Two first calls at once may both build one; the later simply replaces the earlier.
        # Building reads no file the aiobotocore session has not read already.
        if self._broker is None:
            # Left alone by `euca-boto run`'s hook: installed here, with this session's settings.
            plain = plain_session(self._core.profile)
            copy_models_paths(self._core, plain)
            plain.register_component(
                "credential_provider", CredentialResolver([_MirrorProvider(self._base)]))
            region = self._core.get_config_variable("region")
            if region:
                plain.set_config_variable("region", region)
            sync_install(plain)
            ours, theirs = plugin_of(plain), plugin_of(self._core)
            if ours is not None and theirs is not None:
                ours.settings = theirs.settings  # the keyword overrides of the session too
            self._broker = caller.IdentityBroker(plain)
        return self._broker


async def configure_retry(
    client: Any,
    policy: Policy | None = None,
    *,
    async_sleep: AsyncSleep | None = None,
    clock: Clock | None = None,
    **settings: Any,
) -> RetryHandler:
    """:func:`euca_boto.configure_retry` for aiobotocore clients.

    ``async_sleep`` (an ``async`` function of seconds) replaces ``asyncio.sleep`` between
    attempts; ``clock`` replaces ``time.monotonic``.
    """
    service_id = client.meta.service_model.service_id.hyphenize()
    _, current = await client_emitter(client).emit_until_response(f"{QUERY_EVENT}.{service_id}")
    return reconfigure(client, current if isinstance(current, RetryHandler) else None, policy,
                       clock=clock, async_sleep=async_sleep, **settings)
