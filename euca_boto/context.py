"""Caller context: who a call acts as, set around a block of code instead of on each client.

``with caller_context(...)`` stores a :class:`CallerContext` in a ``contextvars.ContextVar``, so
it follows the code that runs inside the block: asyncio tasks, and threads started through
``contextvars``-aware code (``contextvars.copy_context().run``, ``asyncio.to_thread``). Contexts
nest; the innermost one applies as a whole; leaving it restores the outer one. One context object
may be entered by many threads and tasks at once (each keeps its own nesting). Three things can
be set:

* ``delegate_account``: added as ``DelegateAccount`` to every operation whose model has it.
* ``role_arn`` (+ ``session_name``): calls are signed with credentials from STS AssumeRole.
* ``impersonate_user`` (+ ``account``): calls are signed with credentials from Eucalyptus'
  STS GetImpersonationToken (cloud administrators only).

Temporary credentials are cached per session and fetched again shortly before they expire; the
clients the caller already has are reused, the credentials are swapped per call.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, ParamSpec, TypeVar

from botocore.credentials import Credentials

from euca_boto.core import process
from euca_boto.core.botocore_access import set_request_credentials
from euca_boto.core.dispatch import event_step
from euca_boto.core.records import Record
from euca_boto.errors import CallError

if TYPE_CHECKING:
    import botocore.session

    from euca_boto.core.botocore_access import Emitter

P = ParamSpec("P")
R = TypeVar("R")

DELEGATE_ACCOUNT = "DelegateAccount"
DEFAULT_SESSION_NAME = "euca-boto"
# Fetch new credentials this long before the current ones expire (at most half their life).
REFRESH_MARGIN = 300.0



class _Entry(Record):
    """One entry into a caller context, and the entry it is nested in (None: outermost).

    The chain lives in a ``ContextVar``, so each thread and each asyncio task has its own:
    one :class:`CallerContext` object can be entered by many of them at once.
    """

    __slots__ = ("context", "outer")

    def __init__(self, context: CallerContext, outer: _Entry | None) -> None:
        self.context: Final = context
        self.outer: Final = outer


_current: ContextVar[_Entry | None] = ContextVar("euca_boto_caller_context", default=None)


class CallerContextError(CallError):
    """A caller context cannot be applied: bad arguments, or a strict context meeting an
    operation that cannot carry it."""


class CallerContext:
    """Who the calls inside a ``with`` block act as. Use :func:`caller_context` to build one."""

    def __init__(
        self,
        *,
        delegate_account: str | None = None,
        role_arn: str | None = None,
        session_name: str | None = None,
        external_id: str | None = None,
        duration_seconds: int | None = None,
        impersonate_user: str | None = None,
        account: str | None = None,
        strict: bool = False,
    ) -> None:
        for name, value in (
            ("delegate_account", delegate_account), ("role_arn", role_arn),
            ("session_name", session_name), ("external_id", external_id),
            ("impersonate_user", impersonate_user), ("account", account),
        ):
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise CallerContextError(
                    f"caller_context({name}={value!r}): expected a non-empty string"
                )
        if role_arn is not None and impersonate_user is not None:
            raise CallerContextError(
                "caller_context(): role_arn and impersonate_user both set; a call is signed "
                "with one identity, so choose one (nest two contexts to switch)"
            )
        if role_arn is None and (session_name or external_id):
            raise CallerContextError(
                "caller_context(): session_name and external_id only apply with role_arn"
            )
        if impersonate_user is None and account is not None:
            raise CallerContextError(
                "caller_context(): account only applies with impersonate_user (the user's "
                "account); to act as an account's administrator, use delegate_account"
            )
        if duration_seconds is not None and (
            isinstance(duration_seconds, bool)
            or not isinstance(duration_seconds, int)
            or duration_seconds < 900
        ):
            raise CallerContextError(
                f"caller_context(duration_seconds={duration_seconds!r}): expected an integer "
                ">= 900 (the shortest lifetime STS grants)"
            )
        if delegate_account is None and role_arn is None and impersonate_user is None:
            raise CallerContextError(
                "caller_context() needs delegate_account, role_arn or impersonate_user"
            )
        self.delegate_account = delegate_account
        self.role_arn = role_arn
        self.session_name = session_name or (DEFAULT_SESSION_NAME if role_arn else None)
        self.external_id = external_id
        self.duration_seconds = duration_seconds
        self.impersonate_user = impersonate_user
        self.account = account
        self.strict = strict

    @property
    def signs(self) -> bool:
        """Whether calls in this context are signed with other credentials than the session's."""
        return self.role_arn is not None or self.impersonate_user is not None

    def cache_key(self) -> tuple[Any, ...]:
        """What identifies the temporary credentials this context needs."""
        return (
            self.role_arn, self.session_name, self.external_id, self.duration_seconds,
            self.impersonate_user, self.account,
        )

    def describe(self) -> str:
        """The effective identity in words, for logs and metrics (never any credential)."""
        parts = []
        if self.role_arn:
            parts.append(f"role {self.role_arn} (session {self.session_name})")
        if self.impersonate_user:
            who = self.impersonate_user
            parts.append(
                f"user {who} of account {self.account} (impersonated)" if self.account
                else f"user id {who} (impersonated)"
            )
        if self.delegate_account:
            parts.append(f"delegate account {self.delegate_account}")
        return ", ".join(parts)

    def __repr__(self) -> str:
        return f"<CallerContext {self.describe()}{' strict' if self.strict else ''}>"

    def bind(self, func: Callable[P, R]) -> Callable[P, R]:
        """``func`` made to run inside this context wherever it is called: hand the result to
        a thread pool, a callback or a thread of your own, which do not carry the context of
        the code that hands them work. A coroutine function stays one."""
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def bound_async(*args: Any, **kwargs: Any) -> Any:
                async with self:
                    return await func(*args, **kwargs)

            return bound_async  # type: ignore[return-value]

        @functools.wraps(func)
        def bound(*args: P.args, **kwargs: P.kwargs) -> R:
            with self:
                return func(*args, **kwargs)

        return bound

    def __enter__(self) -> CallerContext:
        _current.set(_Entry(self, _current.get()))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        entry = _current.get()
        if entry is None or entry.context is not self:
            innermost = "none is entered" if entry is None else f"{entry.context!r} is"
            raise CallerContextError(
                f"leaving {self!r}, which is not the innermost caller context here "
                f"({innermost}); contexts are left in the reverse order of entering them, "
                f"in the thread or task that entered them"
            )
        _current.set(entry.outer)

    async def __aenter__(self) -> CallerContext:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, traceback)


def caller_context(
    *,
    delegate_account: str | None = None,
    role_arn: str | None = None,
    session_name: str | None = None,
    external_id: str | None = None,
    duration_seconds: int | None = None,
    impersonate_user: str | None = None,
    account: str | None = None,
    strict: bool = False,
) -> CallerContext:
    """A context manager (sync and async) that makes the calls inside act as someone else.

    ``delegate_account``: the cloud administrator acts as the administrator of that account
    (``DelegateAccount`` on the operations that have it; with ``strict=True`` any other
    operation raises :class:`CallerContextError` instead of running without it).
    ``role_arn``/``session_name``/``external_id``/``duration_seconds``: sign with the role's
    credentials. ``impersonate_user`` with ``account`` (a user name and its account alias), or
    alone (a user id): sign with an impersonation token.
    """
    return CallerContext(
        delegate_account=delegate_account, role_arn=role_arn, session_name=session_name,
        external_id=external_id, duration_seconds=duration_seconds,
        impersonate_user=impersonate_user, account=account, strict=strict,
    )


def current() -> CallerContext | None:
    """The caller context in effect here, if any."""
    entry = _current.get()
    return None if entry is None else entry.context


def describe_current() -> str:
    """The effective identity of a call made here, in words (for logs and metrics)."""
    context = current()
    return context.describe() if context is not None else "the session's credentials"


# DelegateAccount -----------------------------------------------------------------------------


def delegate_params(
    context: CallerContext | None, operation: str, members: Any, params: dict[str, Any]
) -> None:
    """Add ``DelegateAccount`` to ``params`` when the context asks for it and the operation's
    input ``members`` have it; an explicit parameter of the caller wins."""
    if context is None or context.delegate_account is None:
        return
    if members is not None and DELEGATE_ACCOUNT in members:
        params.setdefault(DELEGATE_ACCOUNT, context.delegate_account)
    elif context.strict:
        raise CallerContextError(
            f"{operation} has no {DELEGATE_ACCOUNT} parameter, so it cannot act as account "
            f"{context.delegate_account!r}; the strict caller context refuses to call it as "
            f"yourself (leave the context for this call, or use strict=False to let it through)"
        )


# Work on threads the caller context cannot follow --------------------------------------------

# boto3's managed S3 transfers (its transfer manager runs the requests on threads of its own).
TRANSFER_METHODS = ("upload_file", "download_file", "upload_fileobj", "download_fileobj", "copy")


def guard_transfer_methods(class_attributes: dict[str, Any], **kwargs: Any) -> None:
    """Make boto3's S3 transfer methods refuse to run on the transfer manager's threads inside
    a caller context that changes what the requests are (it signs, or is strict): those threads
    do not carry the context, so the requests would silently go out as the session itself.
    With ``Config=TransferConfig(use_threads=False)`` the transfer runs on the caller's thread,
    inside the context, and is let through."""
    for name in TRANSFER_METHODS:
        method = class_attributes.get(name)
        if callable(method):
            class_attributes[name] = _refusing_other_threads(name, method)


def _refusing_other_threads(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(method)

    @functools.wraps(method)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        context = current()
        if context is not None and (context.signs or context.strict):
            try:
                config = signature.bind(*args, **kwargs).arguments.get("Config")
            except TypeError:
                config = None  # bad arguments: boto3's own call says what is wrong
            else:
                if config is None or getattr(config, "use_threads", True):
                    raise CallerContextError(
                        f"S3 {name} inside the caller context of {context.describe()}: the "
                        f"transfer manager sends its requests from threads of its own, which "
                        f"do not carry the context, so they would go out as the session itself. "
                        f"Pass Config=boto3.s3.transfer.TransferConfig(use_threads=False) to "
                        f"run the transfer on this thread, inside the context"
                    )
        return method(*args, **kwargs)

    return guarded


# Temporary credentials -----------------------------------------------------------------------


class TemporaryCredentials(Record):
    """Credentials from STS and when they expire (seconds since the epoch)."""

    __slots__ = ("access_key", "secret_key", "token", "expiration")

    def __init__(self, access_key: str, secret_key: str, token: str | None,
                 expiration: float) -> None:
        self.access_key: Final = access_key
        self.secret_key: Final = secret_key
        self.token: Final = token
        self.expiration: Final = expiration

    @classmethod
    def from_sts(cls, response: dict[str, Any]) -> TemporaryCredentials:
        """From an STS answer's ``Credentials`` member (AssumeRole, GetImpersonationToken)."""
        creds = response["Credentials"]
        expiration = creds["Expiration"]
        if isinstance(expiration, datetime):
            expiry = expiration.timestamp()
        else:
            expiry = datetime.fromisoformat(str(expiration).replace("Z", "+00:00")).timestamp()
        return cls(creds["AccessKeyId"], creds["SecretAccessKey"], creds.get("SessionToken"),
                   expiry)

    def __repr__(self) -> str:
        # Keep the secret and the token out of tracebacks and debug output.
        return f"<TemporaryCredentials {self.access_key} expiring at {self.expiration:.0f}>"


Fetch = Callable[[CallerContext], TemporaryCredentials]


class CredentialCache:
    """Temporary credentials per caller context, fetched again before they expire.

    The lock guards the table only: a fetch (a network call) happens outside it, so two
    threads needing new credentials at the same moment may both fetch, and the later one is
    kept. Thread safe.
    """

    def __init__(self, fetch: Fetch, clock: Callable[[], float] = time.time) -> None:
        self._fetch = fetch
        self._clock = clock
        self._lock = process.lock()
        self._entries: dict[tuple[Any, ...], tuple[TemporaryCredentials, float]] = {}

    def get(self, context: CallerContext) -> TemporaryCredentials:
        key = context.cache_key()
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and now < entry[1]:
            return entry[0]
        fresh = self._fetch(context)
        margin = min(REFRESH_MARGIN, max(0.0, fresh.expiration - now) / 2)
        with self._lock:
            self._entries[key] = (fresh, fresh.expiration - margin)
        return fresh


class IdentityBroker:
    """Gets the temporary credentials of caller contexts for one botocore session.

    STS is called through one internal client of the same session, outside any caller context
    (its own calls are signed with the session's credentials).
    """

    def __init__(self, session: botocore.session.Session,
                 clock: Callable[[], float] = time.time) -> None:
        self._session = session
        self._sts: Any = None
        self._sts_lock = process.lock()
        self.cache = CredentialCache(self._fetch, clock)

    def credentials(self, context: CallerContext) -> Credentials:
        """botocore credentials to sign a call made in ``context`` with."""
        fresh = self.cache.get(context)
        return Credentials(fresh.access_key, fresh.secret_key, fresh.token,
                           method="euca-boto-caller-context")

    def _client(self) -> Any:
        with self._sts_lock:
            if self._sts is None:
                # Building a client reads models from disk; it makes no network call.
                self._sts = self._session.create_client("sts")
            return self._sts

    def _fetch(self, context: CallerContext) -> TemporaryCredentials:
        sts = self._client()
        kwargs: dict[str, Any] = {}
        if context.duration_seconds is not None:
            kwargs["DurationSeconds"] = context.duration_seconds
        if context.role_arn is not None:
            kwargs.update(RoleArn=context.role_arn, RoleSessionName=context.session_name)
            if context.external_id is not None:
                kwargs["ExternalId"] = context.external_id
            operation, call = "AssumeRole", sts.assume_role
        else:
            if context.account is not None:
                kwargs.update(AccountAlias=context.account, UserName=context.impersonate_user)
            else:
                kwargs["UserId"] = context.impersonate_user
            operation, call = "GetImpersonationToken", sts.get_impersonation_token
        try:
            # In an empty context: the STS call runs as the session, not as the caller context.
            response = contextvars.Context().run(call, **kwargs)
            return TemporaryCredentials.from_sts(response)
        except Exception as error:
            raise CallerContextError(
                f"could not get credentials to act as {context.describe()}: "
                f"STS {operation} failed: {error}"
            ) from error


# botocore event adapters ---------------------------------------------------------------------


class ContextHandlers:
    """The caller-context handlers of one session's services."""

    def __init__(self, broker: IdentityBroker) -> None:
        self.broker = broker

    # Each call asks both: the context variable is read here, not through current().
    def on_before_parameter_build(self, params: dict[str, Any], model: Any, **kwargs: Any) -> None:
        entry = _current.get()
        if entry is None:
            return
        context = entry.context
        shape = model.input_shape
        delegate_params(
            context,
            f"{model.service_model.service_name}.{model.name}",
            shape.members if shape is not None else None,
            params,
        )

    @event_step
    def on_before_call(self, event: dict[str, Any]) -> Awaitable[None] | None:
        # (aio/plugin's subclass returns what aiobotocore awaits)
        entry = _current.get()
        if entry is None or not entry.context.signs:
            return None
        caller = entry.context
        set_request_credentials(event["context"], self.broker.credentials(caller))
        return None


def register(emitter: Emitter, service_id: str, handlers: ContextHandlers) -> None:
    """Register the caller-context handlers of one service (idempotent)."""
    emitter.register(
        f"before-parameter-build.{service_id}", handlers.on_before_parameter_build,
        unique_id=f"euca-boto-context-parameters-{service_id}",
    )
    emitter.register(
        f"before-call.{service_id}", handlers.on_before_call,
        unique_id=f"euca-boto-context-signing-{service_id}",
    )
