"""The breakers of this process, by name, and the application's view of them.

A breaker is created the first time its name is asked for and lives as long as the process, so
every client and decorated function that names it shares its state; its settings are fixed
then. Listeners registered here hear of the state changes of every breaker.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from euca_boto.breakers.breaker import (
    Breaker,
    BreakerConfig,
    Classifier,
    Listener,
    any_exception,
)
from euca_boto.breakers.naming import CONFIG_SETTINGS, config_of
from euca_boto.breakers.storage import storage_for
from euca_boto.core import process
from euca_boto.core.settings import parse_setting
from euca_boto.errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])


class Registry:
    """Breakers by name. Creating and looking up take a short lock; calls take none.

    A breaker's settings (thresholds, storage, what counts as a failure) are fixed when it is
    created: asking for an existing name with other settings is a :class:`ConfigError`, since
    the clients already using the breaker rely on the settings they were created with.
    """

    def __init__(self) -> None:
        self._lock = process.lock()
        self._breakers: dict[str, Breaker] = {}
        self._storage_urls: dict[str, str] = {}
        self.listeners: list[Listener] = []
        # Counts the clears: what was taken from the registry before one is not its any more.
        self.generation = 0

    def get(
        self,
        name: str,
        config: BreakerConfig | None = None,
        storage: str = "memory",
        classifier: Classifier | None = None,
    ) -> Breaker:
        """The breaker ``name``, created on first use with these settings; an existing one if
        its settings are these (or ``config`` and ``classifier`` are None)."""
        with self._lock:
            existing = self._breakers.get(name)
            if existing is not None:
                self._check_same(existing, config, storage, classifier)
                return existing
        # Built outside the lock: a shared store reads its first state over the network.
        created = Breaker(
            name,
            config=config or BreakerConfig(),
            storage=storage_for(storage, name),
            classifier=classifier or any_exception(),
            shared_listeners=self.listeners,
        )
        with self._lock:
            current = self._breakers.get(name)
            if current is not None:
                self._check_same(current, config, storage, classifier)
                return current
            self._breakers[name] = created
            self._storage_urls[name] = storage
            return created

    def _check_same(self, breaker: Breaker, config: BreakerConfig | None, storage: str,
                    classifier: Classifier | None) -> None:
        """Raise :class:`ConfigError` naming every setting that differs. Lock held."""
        differences = []
        if config is not None and config is not breaker.config:
            for setting in BreakerConfig.__slots__:
                mine, asked = getattr(breaker.config, setting), getattr(config, setting)
                if mine != asked:
                    differences.append(f"{setting} {mine} (asked: {asked})")
        kept = self._storage_urls[breaker.name]
        if storage != kept:
            from euca_boto.breakers.storage import redacted

            differences.append(f"storage {redacted(kept)} (asked: {redacted(storage)})")
        if (classifier is not None and classifier is not breaker.classifier
                and classifier != breaker.classifier):
            differences.append(f"failures {breaker.classifier!r} (asked: {classifier!r})")
        if differences:
            raise ConfigError(
                f"circuit breaker {breaker.name!r} exists already with other settings: "
                f"{'; '.join(differences)}. A breaker's settings are fixed when it is created, "
                f"so every client that shares it fails over the same way: give these clients "
                f"the same breaker settings, or another profile (another breaker)"
            )

    def find(self, name: str) -> Breaker:
        """The breaker ``name`` (or ``<profile>/<service>`` when one cloud has such a
        breaker); ``KeyError`` naming the known ones if there is none."""
        with self._lock:
            known = sorted(self._breakers)
            try:
                return self._breakers[resolve_name(name, known)]
            except KeyError as error:
                message = error.args[0]
        raise KeyError(f"{message} in this process; known: {', '.join(known) or 'none'}")

    def all(self) -> list[Breaker]:
        with self._lock:
            return [self._breakers[name] for name in sorted(self._breakers)]

    def clear(self) -> None:
        """Forget every breaker (their shared state, if any, stays in its store)."""
        with self._lock:
            self._breakers.clear()
            self._storage_urls.clear()
            self.generation += 1

    def reset(self) -> None:
        """Forget every breaker and every listener (:func:`euca_boto.core.process.reset`)."""
        self.clear()
        self.listeners.clear()  # in place: every breaker shares this list


def resolve_name(name: str, known: Iterable[str], what: str = "circuit breaker") -> str:
    """The full name of the breaker ``name`` names among ``known``: itself, or the one breaker
    whose name is ``name@<host>``. ``KeyError`` (saying ``no <what> named ...``, without the
    known names) if none or several are."""
    names = list(known)
    if name in names:
        return name
    matches = [full for full in names if full.rpartition("@")[0] == name]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise KeyError(f"{name!r} names {len(matches)} {what}s, one per cloud "
                       f"({', '.join(matches)}); give the full name")
    raise KeyError(f"no {what} named {name!r}")


REGISTRY = Registry()
process.register("breakers", "per process, from the first breaker of a name",
                 REGISTRY.reset, in_fork_child=process.keep)


def get_breaker(name: str) -> Breaker:
    """The breaker ``name`` of this process, for :meth:`~Breaker.reset`, ``force_open`` ..."""
    return REGISTRY.find(name)


def add_breaker_listener(listener: Listener) -> None:
    """Call ``listener(StateChange)`` on every state change of every breaker."""
    REGISTRY.listeners.append(listener)


def remove_breaker_listener(listener: Listener) -> None:
    REGISTRY.listeners.remove(listener)


def breaker(
    name: str,
    *,
    failure_rate: float = 50.0,
    window: str = "100 calls",
    minimum_calls: int = 20,
    slow_call_rate: float = 100.0,
    slow_call_duration: float = 60.0,
    fail_max: int | None = None,
    reset_timeout: float = 30.0,
    success_threshold: int = 1,
    half_open_max_calls: int = 1,
    storage: str = "memory",
    exclude: tuple[type[BaseException], ...] = (),
) -> Callable[[F], F]:
    """Protect any callable (plain or ``async``) with the breaker ``name``.

    The arguments are the ``euca_breaker_*`` settings of the same names: it opens when
    ``failure_rate`` percent of the calls in its ``window`` (``100 calls``, ``60s``) failed, or
    ``slow_call_rate`` percent took ``slow_call_duration`` seconds or more, once the window holds
    ``minimum_calls`` calls; or, with ``fail_max``, after that many consecutive failures. Every
    exception counts as a failure except instances of ``exclude``; ``storage`` is ``memory``,
    ``local`` (the state file of this machine, shared by its processes) or a
    ``redis://host:port/db`` URL shared by a fleet. A bad value is a :class:`ConfigError`.
    """
    given = {"failure_rate": failure_rate, "window": window, "minimum_calls": minimum_calls,
             "slow_call_rate": slow_call_rate, "slow_call_duration": slow_call_duration,
             "fail_max": fail_max, "reset_timeout": reset_timeout,
             "success_threshold": success_threshold, "half_open_max_calls": half_open_max_calls}
    settings = {key: parse_setting(key, given[argument], f"euca_boto.breaker({name!r})")
                for key, argument in CONFIG_SETTINGS}
    config = config_of(settings)
    the_breaker = REGISTRY.get(name, config, storage, any_exception(tuple(exclude)))

    def decorate(func: F) -> F:
        from euca_boto.breakers.guard import guarded_call, guarded_call_async

        operation = func.__qualname__
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def guarded_async(*args: Any, **kwargs: Any) -> Any:
                return await guarded_call_async(the_breaker, name, operation, func, args, kwargs)

            return guarded_async  # type: ignore[return-value]

        @functools.wraps(func)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            return guarded_call(the_breaker, name, operation, func, args, kwargs)

        return guarded  # type: ignore[return-value]

    return decorate
