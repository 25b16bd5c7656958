"""The plugin on aiobotocore sessions: :func:`install`, :func:`session`, :func:`configure_retry`.

:func:`install` puts euca-boto on an aiobotocore ``AioSession``: the same handlers on its event
emitter, with the ones that wait made ``async`` (the retry handler's delay is an
``asyncio.sleep``; a breaker with shared state is consulted in a worker thread; caller context
credentials are fetched off the loop), and protected clients whose operations are coroutines.
aiobotocore is an optional extra: it is imported when a session is installed or made, never
before.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Awaitable
from types import TracebackType
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.credentials import CredentialProvider, CredentialResolver, Credentials

from euca_boto import context as caller
from euca_boto.core.botocore_access import (
    client_emitter,
    copy_models_paths,
    set_request_credentials,
)
from euca_boto.core.plainsession import plain_session
from euca_boto.errors import EucaBotoError
from euca_boto.install import Plugin, argument_binder, attach, creating, plugin_of
from euca_boto.install import install as sync_install
from euca_boto.retry import RetryHandler, reconfigure
from euca_boto.retry.handler import AsyncSleep, Clock, handler_of

if TYPE_CHECKING:
    from euca_boto.retry.policy import Policy


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

    def __init__(self, creating: Any, plugin: Plugin, goes_to_aws: bool) -> None:
        self._creating = creating
        self._plugin = plugin
        self._goes_to_aws = goes_to_aws

    async def __aenter__(self) -> Any:
        with creating():
            client = await self._creating.__aenter__()
        return self._plugin.finish_client(client, self._goes_to_aws)

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
    # The caller-context steps of the session's services: signing that waits off the loop.
    plugin.caller_context = _AioContextHandlers(core)

    @functools.wraps(original)
    def create_client(*args: Any, **kwargs: Any) -> _ClientContext:
        arguments = bind(args, kwargs)
        goes_to_aws = plugin.prepare_arguments(arguments)
        return _ClientContext(original(**arguments), plugin, goes_to_aws)

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


class _AioContextHandlers(caller.ContextHandlers):
    """Caller-context signing for aiobotocore: credentials fetched off the event loop.

    Temporary credentials come from STS through a plain botocore session with euca-boto
    installed on it (so STS is the cloud's ``/services/Tokens``, found like every other
    service: ``euca_endpoint``, DNS or the topology), the aiobotocore session's profile and
    settings, and the aiobotocore session's own credentials, read again on the event loop
    before each use so that they are refreshed when they expire. The STS call runs in a worker
    thread; the credentials are handed to aiobotocore's signer as its own credentials type.
    The plugin plans these in place of the blocking ones (delegate parameters block nothing:
    they are the same).
    """

    def __init__(self, core: botocore.session.Session) -> None:  # no broker until needed
        self._core = core
        self._base = _MirroredCredentials()
        self._broker: caller.IdentityBroker | None = None

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
    return reconfigure(client, handler_of(client_emitter(client), service_id), policy,
                       clock=clock, async_sleep=async_sleep, **settings)
